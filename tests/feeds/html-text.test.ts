// What htmlToText's limits do to a summary (their cost is timed in
// linear-time.node.test.ts): the input is capped at MAX_HTML_INPUT without
// leaving half a tag, HTML nested deeper than MAX_HTML_DEPTH is read up to
// that point, and "<" inside an attribute sends a summary to the parser with
// the same text as a result.
import { describe, expect, it } from "vitest";
import { capHtml, htmlToText, MAX_HTML_DEPTH, MAX_HTML_INPUT } from "../../src/feeds/html-text";
import { buildRelease, MAX_SUMMARY_LENGTH } from "../../src/feeds/normalise-item";
import type { RawItem } from "../../src/feeds/parse-feed";

describe("htmlToText's limits", () => {
  it(`reads the first ${MAX_HTML_INPUT} characters, never half a tag`, () => {
    const html = `${"w ".repeat(MAX_HTML_INPUT / 2 - 3)}<a href="https://x.test/">tail</a>`;
    const capped = capHtml(html);
    expect(capped.length).toBeLessThanOrEqual(MAX_HTML_INPUT);
    expect(capped.endsWith("w ")).toBe(true);
    expect(htmlToText(html)).toBe("w ".repeat(MAX_HTML_INPUT / 2 - 3).trim());
    expect(capHtml("<p>short</p>")).toBe("<p>short</p>");
  });

  it(`reads HTML nested deeper than ${MAX_HTML_DEPTH} elements up to that point`, () => {
    const html = `<!-- c -->start ${"<span>".repeat(MAX_HTML_DEPTH)}deep${"<b>".repeat(10)}lost${"</i>".repeat(1000)}`;
    expect(htmlToText(html)).toBe("start deep");
    // The parser is reset for the next call.
    expect(htmlToText("<!-- c --><p>next</p>")).toBe("next");
  });

  it("keeps unterminated tags out of the text whatever their number", () => {
    expect(htmlToText(`intro ${"<a b ".repeat(5000)}`)).toBe("intro");
  });

  it('reads a "<" inside a quoted attribute the same as before (through the parser)', () => {
    expect(htmlToText(`<p title="a<b">one</p><p>two &amp; three</p>`)).toBe("one two & three");
  });

  it("caps a plain-text summary before normalising: a huge one still gives a summary of the usual length", () => {
    const item: RawItem = {
      title: "T",
      titleType: "unknown",
      link: "https://x.test/1",
      base: null,
      guid: null,
      guidIsPermaLink: false,
      summary: "word ".repeat(500_000),
      summaryIsHtml: false,
      published: null,
      updated: null,
    };
    const result = buildRelease(item, "https://x.test/feed", new Date("2025-01-01T00:00:00Z"));
    expect(result.ok && result.release.summary.length).toBeLessThanOrEqual(MAX_SUMMARY_LENGTH);
  });
});
