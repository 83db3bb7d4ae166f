// What the scanner's limits do to a document (their cost is timed in
// linear-time.node.test.ts): elements deeper than MAX_DEPTH lose their tags
// but keep their text, stray end tags close nothing, and a tag keeps at most
// MAX_ATTRIBUTES attributes.
import { describe, expect, it } from "vitest";
import { parseFeed } from "../../src/feeds/parse-feed";
import { MAX_ATTRIBUTES, MAX_DEPTH, scanXml } from "../../src/feeds/xml-scanner";

function scan(xml: string) {
  const opened: string[] = [];
  let closed = 0;
  let text = "";
  let maxDepth = 0;
  let depth = 0;
  let lastAttrs: Record<string, string> = {};
  const open = scanXml(xml, {
    onopentag: (name, attrs) => {
      opened.push(name);
      lastAttrs = attrs;
      maxDepth = Math.max(maxDepth, ++depth);
    },
    onclosetag: () => {
      closed++;
      depth--;
    },
    ontext: (t) => (text += t),
    oncdata: (t) => (text += t),
  });
  return { opened, closed, text, maxDepth, open, lastAttrs };
}

describe("scanXml's limits", () => {
  it(`keeps at most ${MAX_DEPTH} elements open: deeper tags are dropped with their end tags, their text kept`, () => {
    const n = MAX_DEPTH + 50;
    const result = scan(`<r>${"<a>x".repeat(n)}${"</a>".repeat(n)}<after>y</after></r>`);
    expect(result.maxDepth).toBe(MAX_DEPTH);
    expect(result.text).toBe(`${"x".repeat(n)}y`);
    // The dropped elements' end tags did not close the kept ones early: <after> is the root's child.
    expect(result.opened.at(-1)).toBe("after");
    expect(result.open).toBe(0);
    expect(result.closed).toBe(result.opened.length);
  });

  it("ignores end tags that close nothing, however many", () => {
    const result = scan(`<r><a>${"</b>".repeat(10_000)}t</a></r>`);
    expect(result).toMatchObject({ opened: ["r", "a"], closed: 2, text: "t", open: 0 });
  });

  it(`keeps the first ${MAX_ATTRIBUTES} distinct attributes of a tag and reads past the rest`, () => {
    const attributes = Array.from({ length: MAX_ATTRIBUTES + 10 }, (_, k) => ` a${k}="${k}"`).join("");
    const result = scan(`<r${attributes}>t</r>`);
    expect(Object.keys(result.lastAttrs)).toHaveLength(MAX_ATTRIBUTES);
    expect(result.lastAttrs.a0).toBe("0");
    expect(result.lastAttrs[`a${MAX_ATTRIBUTES}`]).toBeUndefined();
    expect(result.text).toBe("t");
  });

  it("reads a feed whose items sit below a nesting bomb", () => {
    const bomb = `<junk>${"<a>".repeat(5_000)}${"</b>".repeat(5_000)}</junk>`;
    const feed = parseFeed(`<rss><channel>${bomb}<item><title>T</title><link>https://x.test/1</link></item></channel></rss>`);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]).toMatchObject({ title: "T", link: "https://x.test/1" });
    expect(feed.truncated).toBe(false);
  });

  it("reads the items after a channel <link> left unclosed, and keeps what that link held", () => {
    const feed = parseFeed(`<rss><channel><link>https://site.test/<item><title>T</title><link>https://x.test/1</link></item></channel></rss>`);
    expect(feed.link).toBe("https://site.test/");
    expect(feed.items[0]).toMatchObject({ title: "T", link: "https://x.test/1" });
  });
});
