// Unit tests for the pieces behind issue 10: dates, title markup, invisible
// characters, declared entities and their limits, charset detection, the
// XML scanner, namespaces and xml:base.
import { describe, expect, it } from "vitest";
import { decodeFeedBytes } from "../../src/feeds/charset";
import { parseFeedDate } from "../../src/feeds/dates";
import { collapseWhitespace, htmlToText, stripTitleMarkup } from "../../src/feeds/html-text";
import { canonicalLink } from "../../src/feeds/links";
import { buildLanguageTag, buildRelease, buildSiteUrl } from "../../src/feeds/normalise-item";
import { FeedParseError, parseFeed } from "../../src/feeds/parse-feed";
import { EntityDecoder, MAX_ENTITY_EXPANSIONS, readDoctype } from "../../src/feeds/xml-entities";
import { scanXml } from "../../src/feeds/xml-scanner";

const NOW = new Date("2025-02-13T08:00:00Z");
const bytes = (text: string) => new TextEncoder().encode(text);

describe("parseFeedDate in many languages and shapes", () => {
  it.each([
    ["Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40.000Z"], // Portuguese
    ["Sat, Dec 16 2023 02:02:33 PM", "2023-12-16T14:02:33.000Z"], // month first, 12-hour, no zone: UTC
    ["Sat, Dec 16 2023 12:02:33 AM", "2023-12-16T00:02:33.000Z"],
    ["2020/1/10 14:33:00", "2020-01-10T14:33:00.000Z"],
    ["10.01.2020 14:33", "2020-01-10T14:33:00.000Z"], // day first with dots
    ["19 sept. 2025 12:00:00 GMT", "2025-09-19T12:00:00.000Z"], // NATO, French edition
    ["12 févr. 2025 15:30:00 GMT", "2025-02-12T15:30:00.000Z"],
    ["1er mars 2025 10:00", "2025-03-01T10:00:00.000Z"],
    ["mar., 04 mars 2025 10:00:00 +0100", "2025-03-04T09:00:00.000Z"], // "mar" is Tuesday here
    ["4 mar 2025 10:00:00 GMT", "2025-03-04T10:00:00.000Z"], // and March here
    ["Do, 13 Mär 2025 08:00:00 +0100", "2025-03-13T07:00:00.000Z"],
    ["13. März 2025", "2025-03-13T00:00:00.000Z"],
    ["jue, 13 mar 2025 08:00:00 CET", "2025-03-13T07:00:00.000Z"],
    ["gio, 13 mag 2025 08:00:00 +0200", "2025-05-13T06:00:00.000Z"],
    ["do, 13 mrt 2025 08:00:00 +0100", "2025-03-13T07:00:00.000Z"],
    ["13 de março de 2025 08:00", "2025-03-13T08:00:00.000Z"],
    ["Wed, 12 Feb 2025 15:30:00", "2025-02-12T15:30:00.000Z"], // RFC 822 without a zone: UTC
  ])("parses %j", (input, expected) => {
    expect(parseFeedDate(input)?.toISOString()).toBe(expected);
  });

  it.each(["demain matin", "13 Brumaire 2025", "Sat, Dec 16 2023 13:02:33 PM", "29 Feb 2025 10:00:00 GMT", "2020/13/10", "12:30"])("rejects %j", (input) => {
    expect(parseFeedDate(input)).toBeNull();
  });

  it("accepts 29 February in a leap year only", () => {
    expect(parseFeedDate("29 Feb 2024 10:00:00 GMT")?.toISOString()).toBe("2024-02-29T10:00:00.000Z");
    expect(parseFeedDate("29 Feb 2100 10:00:00 GMT")).toBeNull();
  });
});

describe("titles and invisible characters", () => {
  it("strips HTML elements only where they are markup", () => {
    expect(stripTitleMarkup("La case BD : <i>Tintin</i>")).toBe("La case BD : Tintin");
    expect(stripTitleMarkup('<span class="x">Live</span> now')).toBe("Live now");
    expect(stripTitleMarkup("line<br/>break")).toBe("line break");
    expect(stripTitleMarkup('"Baltic Sentry" <update>')).toBe('"Baltic Sentry" <update>');
    expect(stripTitleMarkup("a lone <b> stays")).toBe("a lone <b> stays");
    expect(stripTitleMarkup("1 < 2 > 0")).toBe("1 < 2 > 0");
  });

  it("drops bidi controls and C0/C1 controls but keeps text and line breaks as spaces", () => {
    expect(collapseWhitespace("a\u202Eb\u202Cc \u2066d\u2069\u0085\u009B\u0001e\nf")).toBe("abc de f");
  });

  it("turns simple and complex HTML summaries into the same text", () => {
    expect(htmlToText("<p>One &amp; <b>two</b></p><p>three</p>")).toBe("One & two three");
    expect(htmlToText('<p title="a > b">x</p><script>alert(1)</script>y')).toBe("x y");
    expect(htmlToText("<!-- note --><p>kept</p>")).toBe("kept");
    expect(htmlToText("unclosed <a href='x")).toBe("unclosed");
  });
});

describe("declared entities", () => {
  it("expands internal entities, never parameter or external ones", () => {
    const doctype = readDoctype(
      `<?xml version="1.0"?><!-- c --><!DOCTYPE r [<!ENTITY a "A &#38; B"><!ENTITY % p "x"><!ENTITY ext SYSTEM "file:///etc/passwd">]><r/>`,
    )!;
    expect([...doctype.internal.keys()]).toEqual(["a"]);
    expect([...doctype.external]).toEqual(["ext"]);
    const decoder = new EntityDecoder(doctype);
    expect(decoder.decode("&a; &amp;a; &eacute;")).toBe("A & B &a; é");
    expect(() => decoder.decode("&ext;")).toThrow(/external entit/);
  });

  it("limits how many references are expanded", () => {
    const decoder = new EntityDecoder(readDoctype(`<!DOCTYPE r [<!ENTITY a "a">]><r/>`));
    expect(() => decoder.decode("&a;".repeat(MAX_ENTITY_EXPANSIONS + 1))).toThrow(FeedParseError);
  });

  it("refuses a DOCTYPE that never ends", () => {
    expect(() => parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">`)).toThrow(/DOCTYPE never ends/);
  });
});

describe("charset detection", () => {
  it("prefers byte patterns, then the header, then the declaration, then UTF-8, then Windows-1252", () => {
    const latin = Uint8Array.from([...bytes('<?xml version="1.0" encoding="iso-8859-1"?><r>caf'), 0xe9, ...bytes("</r>")]);
    expect(decodeFeedBytes(latin, "")).toMatchObject({ encoding: "windows-1252", warning: null });
    expect(decodeFeedBytes(latin, "text/xml; charset=utf-8")).toMatchObject({ encoding: "windows-1252" });
    expect(decodeFeedBytes(latin, "text/xml; charset=utf-8").warning).toMatch(/not valid utf-8/);
    expect(decodeFeedBytes(bytes('<?xml version="1.0" encoding="bogus"?><r>é</r>'), "").text).toContain("<r>é</r>");
    expect(decodeFeedBytes(bytes('<?xml version="1.0" encoding="bogus"?><r>é</r>'), "").warning).toMatch(/unknown charset "bogus"/);
    expect(decodeFeedBytes(Uint8Array.from([0xef, 0xbb, 0xbf, ...bytes("<r>é</r>")]), "text/xml; charset=iso-8859-1")).toMatchObject({
      text: "<r>é</r>",
      encoding: "utf-8",
    });
  });

  it("says so when a feed is served as text/plain", () => {
    expect(decodeFeedBytes(bytes("<rss/>"), "text/plain").warning).toMatch(/served as text\/plain/);
  });
});

describe("the XML scanner", () => {
  function events(xml: string): string[] {
    const out: string[] = [];
    const open = scanXml(xml, {
      onopentag: (name, attrs) =>
        out.push(
          `<${name}${Object.entries(attrs)
            .map(([k, v]) => ` ${k}=${v}`)
            .join("")}>`,
        ),
      onclosetag: (name) => out.push(`</${name}>`),
      ontext: (text) => out.push(text),
      oncdata: (text) => out.push(`[${text}]`),
    });
    out.push(`open:${open}`);
    return out;
  }

  it("reads attributes in every quoting, with > inside quotes, self-closing tags and CDATA", () => {
    expect(events(`<R a="1>2" b='x' c=y d><e/>t<![CDATA[<x>]]></R>`)).toEqual(["<r a=1>2 b=x c=y d=>", "<e>", "</e>", "t", "[<x>]", "</r>", "open:0"]);
  });

  it("forgives like htmlparser2's XML mode: an end tag closes what it encloses, a stray one is ignored, a bare < is text", () => {
    expect(events(`<r><p>a<br>b</p></x>1 < 2</r>`)).toEqual(["<r>", "<p>", "a", "<br>", "b", "</br>", "</p>", "1 ", "<", " 2", "</r>", "open:0"]);
  });

  it("reports how many elements a cut document left open", () => {
    expect(events(`<r><i>whole</i><i>cu`).at(-1)).toBe("open:2");
    expect(events(`<r><i a="unterminated`).at(-1)).toBe("open:1");
  });
});

describe("namespaces, xml:base and languages", () => {
  it("reads Atom inside RSS under any prefix, and Dublin Core under its namespace whatever the prefix", () => {
    const feed = parseFeed(
      `<rss xmlns:x="http://www.w3.org/2005/Atom" xmlns:d="http://purl.org/dc/elements/1.1/"><channel><item><d:title>T</d:title><x:link href="https://x.test/1"/><d:date>2025-02-12T15:30:00Z</d:date></item></channel></rss>`,
    );
    expect(feed.items[0]).toMatchObject({ title: "T", link: "https://x.test/1", published: "2025-02-12T15:30:00Z" });
  });

  it("gives element and namespace names that match Object's own properties no meaning", () => {
    const feed = parseFeed(
      `<rss xmlns:constructor="constructor"><channel><item><constructor>x</constructor><__proto__>y</__proto__><title>T</title><link>https://x.test/p</link></item></channel></rss>`,
    );
    expect(feed.items[0]).toMatchObject({ title: "T", link: "https://x.test/p" });
  });

  it("resolves xml:base chains and prefers them to the site", () => {
    const feedUrl = "https://proxy.test/feed.xml";
    const feed = parseFeed(
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.test/root/"><link href="https://site.test/"/><entry xml:base="sub/"><title>x</title><link href="page.htm"/></entry></feed>`,
      feedUrl,
    );
    const result = buildRelease(feed.items[0]!, feedUrl, NOW, buildSiteUrl(feed, feedUrl));
    expect(result.ok && result.release.link).toBe("https://a.test/root/sub/page.htm");
  });

  it("keeps ids of links with plain and encoded queries as before", () => {
    expect(canonicalLink("https://www.x.test/a/?b=2&utm_source=z&a=1&lang=fr")).toBe("x.test/a?a=1&b=2");
    expect(canonicalLink("https://x.test/a?q=a+b&z=%7E")).toBe("x.test/a?q=a+b&z=%7E");
    expect(canonicalLink("https://x.test/a?q=caf%C3%A9&flag")).toBe("x.test/a?flag=&q=caf%C3%A9");
  });

  it("accepts language tags and refuses anything else", () => {
    expect(buildLanguageTag(" en_US ")).toBe("en-US");
    expect(buildLanguageTag("fr")).toBe("fr");
    expect(buildLanguageTag("<script>")).toBeNull();
    expect(buildLanguageTag(null)).toBeNull();
  });
});
