import { describe, expect, it } from "vitest";
import { parseFeedDate } from "../../src/feeds/dates";
import { htmlToText, truncateText } from "../../src/feeds/html-text";
import { canonicalLink, resolveLink } from "../../src/feeds/links";
import { buildRelease } from "../../src/feeds/normalise-item";
import { FeedParseError, parseFeed, type RawItem } from "../../src/feeds/parse-feed";
import { natoNews, rss } from "../support/feeds";

const FEED_URL = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml";
const NOW = new Date("2025-02-13T08:00:00Z");

async function releasesOf(xml: string, feedUrl = FEED_URL) {
  const feed = parseFeed(xml);
  const out = [];
  for (const item of feed.items) {
    const result = await buildRelease(item, feedUrl, NOW);
    if (result.ok) out.push(result.release);
  }
  return out;
}

describe("parseFeedDate", () => {
  it.each([
    ["12 Feb. 2025 15:30:00 GMT", "2025-02-12T15:30:00.000Z"], // NATO's style
    ["07 Feb. 2025 09:15:00 GMT", "2025-02-07T09:15:00.000Z"],
    ["19 Sep. 2025 12:00:00 GMT", "2025-09-19T12:00:00.000Z"],
    ["Wed, 12 Feb 2025 15:30:00 GMT", "2025-02-12T15:30:00.000Z"], // RFC 822
    ["Wed, 12 Feb 2025 16:30:00 +0100", "2025-02-12T15:30:00.000Z"],
    ["12 Feb 2025 10:30 EST", "2025-02-12T15:30:00.000Z"],
    ["Wed, 12 Feb 25 15:30:00 GMT", "2025-02-12T15:30:00.000Z"], // two-digit year
    ["2025-02-12T15:30:00Z", "2025-02-12T15:30:00.000Z"], // ISO 8601
    ["2025-02-12T17:30:00+02:00", "2025-02-12T15:30:00.000Z"],
    ["2025-02-12T15:30:00.123456Z", "2025-02-12T15:30:00.123Z"],
    ["2025-02-12", "2025-02-12T00:00:00.000Z"],
    ["  12 February 2025 15:30:00 GMT ", "2025-02-12T15:30:00.000Z"],
  ])("parses %j", (input, expected) => {
    expect(parseFeedDate(input)?.toISOString()).toBe(expected);
  });

  it.each(["", "yesterday", "31 Feb. 2025 10:00:00 GMT", "12 Foo. 2025", "2025-13-01", "12 Feb. 2025 25:00:00 GMT", "x".repeat(200)])("rejects %j", (input) => {
    expect(parseFeedDate(input)).toBeNull();
  });
});

describe("htmlToText", () => {
  it("drops scripts, styles and tags, decodes entities once", () => {
    const text = htmlToText(`<p>Hello <b>world</b> &amp;amp; friends</p><script>alert("x")</script><style>p{}</style><img src=x onerror=alert(1)>`);
    expect(text).toBe("Hello world &amp; friends");
  });

  it("keeps words apart across block elements", () => {
    expect(htmlToText("<p>One</p><p>Two</p><ul><li>a</li><li>b</li></ul>")).toBe("One Two a b");
  });

  it("survives unclosed and junk markup", () => {
    expect(htmlToText("<div><p>Open <b>bold <i>italic")).toBe("Open bold italic");
    expect(htmlToText("a < b > c")).toBe("a < b > c");
  });

  it("truncates at a word boundary with an ellipsis", () => {
    expect(truncateText("one two three four five", 12)).toBe("one two…");
    expect(truncateText("short", 12)).toBe("short");
  });
});

describe("links", () => {
  it("resolves relative links against the feed and rejects non-http schemes", () => {
    expect(resolveLink("/news_1.htm", FEED_URL)).toBe("https://www.nato.int/news_1.htm");
    expect(resolveLink("news_1.htm", "https://example.test/feeds/a.xml")).toBe("https://example.test/feeds/news_1.htm");
    expect(resolveLink("javascript:alert(1)", FEED_URL)).toBeNull();
    expect(resolveLink("data:text/html,hi", FEED_URL)).toBeNull();
    expect(resolveLink("", FEED_URL)).toBeNull();
    expect(resolveLink("https://user:pw@example.test/", FEED_URL)).toBeNull();
  });

  it("strips fragments and tracking from links readers see, but keeps other parameters", () => {
    expect(resolveLink("https://www.nato.int/a.htm?selectedLocale=en&utm_source=x#top", FEED_URL)).toBe("https://www.nato.int/a.htm?selectedLocale=en");
  });

  it("canonical form ignores scheme, www, locale, tracking and parameter order", () => {
    const a = canonicalLink("https://www.nato.int/cps/en/natohq/news_232986.htm?selectedLocale=en");
    const b = canonicalLink("http://nato.int/cps/en/natohq/news_232986.htm?utm_campaign=z");
    expect(a).toBe(b);
    expect(canonicalLink("https://x.test/p?b=2&a=1")).toBe(canonicalLink("https://x.test/p?a=1&b=2"));
    expect(canonicalLink("https://x.test/p?id=1")).not.toBe(canonicalLink("https://x.test/p?id=2"));
  });
});

describe("parseFeed + buildRelease on NATO's feed", () => {
  it("reads every item of the fixture with NATO's dates, decoded summaries and absolute links", async () => {
    const releases = await releasesOf(natoNews);
    expect(releases).toHaveLength(5);
    expect(releases[0]).toMatchObject({
      title: "NATO Ministers Tackle Spending, Industry, Ukraine Aid",
      link: "https://www.nato.int/cps/en/natohq/news_232986.htm?selectedLocale=en",
      publishedAt: "2025-02-12T15:30:00.000Z",
      hasFeedDate: true,
    });
    expect(releases[0]!.summary).toMatch(/^Defence Ministers will meet in Brussels tomorrow/);
    expect(releases[0]!.summary).not.toContain("<p>");
    // &amp;#233; in the XML is &#233; in the HTML is é in the text.
    expect(releases[4]!.summary).toContain("Székesfehérvár");
    expect(new Set(releases.map((r) => r.id)).size).toBe(5);
  });

  it("gives the same id whether or not the locale parameter is present", async () => {
    const [a] = await releasesOf(rss([{ title: "A", link: "https://www.nato.int/cps/en/natohq/news_1.htm?selectedLocale=en" }]));
    const [b] = await releasesOf(rss([{ title: "A", link: "https://www.nato.int/cps/en/natohq/news_1.htm" }]));
    expect(a!.id).toBe(b!.id);
  });
});

describe("messy RSS", () => {
  it("reads CDATA, entities and HTML in descriptions", async () => {
    const [release] = await releasesOf(
      rss([
        {
          title: "<![CDATA[Allies & partners: <em>not</em> markup]]>",
          link: "https://x.test/1",
          description: "<![CDATA[<p>Para &amp; one</p><script>evil()</script>]]>",
        },
      ]),
    );
    // RSS titles are text, but markup made of HTML elements is dropped as feed readers do (issue 10).
    expect(release!.title).toBe("Allies & partners: not markup");
    expect(release!.summary).toBe("Para & one");
  });

  it("decodes character references in titles exactly once", async () => {
    const [release] = await releasesOf(rss([{ title: "Caf&#233; &amp;amp; &lt;b&gt;", link: "https://x.test/1" }]));
    expect(release!.title).toBe("Café &amp; <b>");
  });

  it("resolves relative links against the feed URL", async () => {
    const [release] = await releasesOf(rss([{ title: "Rel", link: "/cps/en/natohq/news_9.htm" }]));
    expect(release!.link).toBe("https://www.nato.int/cps/en/natohq/news_9.htm");
  });

  it("uses a permalink guid as the link, and the guid as identity", async () => {
    const [release] = await releasesOf(rss([{ title: "G", guid: "https://x.test/g/1" }]));
    expect(release!.link).toBe("https://x.test/g/1");
  });

  it("titles an untitled item from its summary and dates an undated one by first sight", async () => {
    const [release] = await releasesOf(
      rss([
        {
          link: "https://x.test/1",
          description: "&lt;p&gt;The Secretary General met the Prime Minister of Canada in Brussels on Wednesday to discuss support.&lt;/p&gt;",
        },
      ]),
    );
    expect(release!.title).toMatch(/^The Secretary General met the Prime Minister of Canada/);
    expect(release!.title.length).toBeLessThanOrEqual(90);
    expect(release!.publishedAt).toBe(NOW.toISOString());
    expect(release!.hasFeedDate).toBe(false);
  });

  it("skips items with neither a usable link nor any text", async () => {
    const feed = parseFeed(
      rss([
        { title: "No link" },
        { link: "https://x.test/empty" },
        { title: "Bad scheme", link: "javascript:alert(1)" },
        { title: "Good", link: "https://x.test/ok" },
      ]),
    );
    const results = await Promise.all(feed.items.map((item) => buildRelease(item, FEED_URL, NOW)));
    expect(results.map((r) => r.ok)).toEqual([false, false, false, true]);
  });

  it("replaces a far-future date with the first-seen time", async () => {
    const [release] = await releasesOf(rss([{ title: "Future", link: "https://x.test/f", pubDate: "01 Jan. 2099 00:00:00 GMT" }]));
    expect(release!.publishedAt).toBe(NOW.toISOString());
  });

  it("caps long titles and summaries", async () => {
    const [release] = await releasesOf(rss([{ title: "word ".repeat(200), link: "https://x.test/1", description: "text ".repeat(500) }]));
    expect(release!.title.length).toBeLessThanOrEqual(300);
    expect(release!.summary.length).toBeLessThanOrEqual(400);
    expect(release!.summary.endsWith("…")).toBe(true);
  });

  it("keeps the complete items of a truncated document and says it was cut", () => {
    const xml = rss([
      { title: "One", link: "https://x.test/1" },
      { title: "Two", link: "https://x.test/2" },
    ]);
    const cut = xml.slice(0, xml.indexOf("<title>Two") + 12);
    const feed = parseFeed(cut);
    expect(feed.truncated).toBe(true);
    expect(feed.items.map((i) => i.title)).toEqual(["One"]);
  });

  it("refuses documents that declare entities (billion laughs, external entities)", () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><item><title>&lol3;</title><link>https://x.test/1</link></item></channel></rss>`;
    expect(() => parseFeed(laughs)).toThrow(FeedParseError);
    const external = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><item><title>&xxe;</title></item></channel></rss>`;
    expect(() => parseFeed(external)).toThrow(/entities/);
  });

  it("refuses what is not a feed, with a reason", () => {
    expect(() => parseFeed("<html><body>Forbidden</body></html>")).toThrow(/not a feed/);
    expect(() => parseFeed("Access denied")).toThrow(/neither XML nor JSON/);
    expect(() => parseFeed("")).toThrow(FeedParseError);
    expect(() => parseFeed("{not json")).toThrow(/not valid JSON/);
    expect(() => parseFeed('{"hello": 1}')).toThrow(/not a JSON Feed/);
  });

  it("parses a feed of 5,000 items quickly", () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      title: `Item ${i}`,
      link: `https://x.test/${i}`,
      description: "&lt;p&gt;Some text&lt;/p&gt;",
      pubDate: "12 Feb. 2025 15:30:00 GMT",
    }));
    const started = performance.now();
    const feed = parseFeed(rss(items));
    expect(feed.items).toHaveLength(5000);
    expect(feed.items[4999]!.title).toBe("Item 4999"); // speed is measured by `npm run bench`, never asserted in a unit test
  });
});

describe("Atom and JSON Feed", () => {
  const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>NATO press releases</title>
  <link href="https://www.nato.int/"/>
  <link rel="self" href="https://www.nato.int/atom.xml"/>
  <entry>
    <title type="html">Allies &amp;amp; partners &lt;em&gt;agree&lt;/em&gt;</title>
    <link rel="self" href="https://www.nato.int/self/1"/>
    <link rel="alternate" href="/en/news/2025/02/12/allies-agree"/>
    <id>tag:nato.int,2025:1</id>
    <updated>2025-02-12T16:00:00Z</updated>
    <published>2025-02-12T15:30:00+00:00</published>
    <summary type="html">&lt;p&gt;Summary &lt;b&gt;bold&lt;/b&gt;&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title type="text">Plain &lt;title&gt;</title>
    <link href="https://www.nato.int/2"/>
    <id>tag:nato.int,2025:2</id>
    <updated>2025-02-11T10:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>XHTML <b>content</b></p></div></content>
  </entry>
</feed>`;

  it("reads Atom entries: alternate links, html and text titles, published before updated", async () => {
    const feed = parseFeed(atom);
    expect(feed.format).toBe("atom");
    expect(feed.title).toBe("NATO press releases");
    const releases = await releasesOf(atom);
    expect(releases[0]).toMatchObject({
      title: "Allies & partners agree",
      link: "https://www.nato.int/en/news/2025/02/12/allies-agree",
      publishedAt: "2025-02-12T15:30:00.000Z",
      summary: "Summary bold",
    });
    expect(releases[1]).toMatchObject({ title: "Plain <title>", publishedAt: "2025-02-11T10:00:00.000Z", summary: "XHTML content" });
  });

  it("reads JSON Feed 1.1", async () => {
    const json = JSON.stringify({
      version: "https://jsonfeed.org/version/1.1",
      title: "JSON",
      items: [
        { id: "1", url: "https://x.test/1", title: "First", content_html: "<p>Hi <script>x()</script>there</p>", date_published: "2025-02-12T15:30:00Z" },
        { id: "2", external_url: "https://x.test/2", content_text: "Only text here", date_modified: "2025-02-11T15:30:00Z" },
        "junk",
      ],
    });
    const releases = await releasesOf(json);
    expect(releases.map((r) => [r.title, r.link, r.summary, r.publishedAt])).toEqual([
      ["First", "https://x.test/1", "Hi there", "2025-02-12T15:30:00.000Z"],
      ["Only text here", "https://x.test/2", "Only text here", "2025-02-11T15:30:00.000Z"],
    ]);
  });

  it("reads RSS 1.0 (RDF) items with dc:date", async () => {
    const rdf = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>R</title></channel><item rdf:about="https://x.test/r1"><title>RDF one</title><link>https://x.test/r1</link><dc:date>2025-02-12T15:30:00Z</dc:date></item></rdf:RDF>`;
    const releases = await releasesOf(rdf);
    expect(releases).toHaveLength(1);
    expect(releases[0]).toMatchObject({ title: "RDF one", publishedAt: "2025-02-12T15:30:00.000Z" });
  });
});

// Keep the type import used (RawItem documents what buildRelease takes).
export type { RawItem };
