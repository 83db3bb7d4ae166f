// The plain-text part, as a text-only client shows it: headings marked as
// headings, one release per block (marked title, time · source, summary, URL
// alone on its line), no URL running into punctuation.
import { describe, expect, it } from "vitest";
import { PREVIEW_RELEASES } from "../../emails/release-digest";
import { personaliseDigest, renderDigest } from "../../src/digest/render-digest";

const PUBLIC_URL = "https://digest.example.test";

async function digestText(count = 3, lang: "en" | "fr" = "en") {
  const base = PREVIEW_RELEASES;
  const releases = Array.from({ length: count }, (_, i) => ({ ...base[i % base.length]!, id: `p${i}`, link: `${base[i % base.length]!.link}?n=${i}` }));
  const content = await renderDigest(releases, { publicUrl: PUBLIC_URL, digestId: "2025-02-13-abc", date: new Date("2025-02-13T07:00:00Z"), lang });
  return personaliseDigest(content, { token: "p.TOKEN", to: "r@example.test", from: "d@example.test", publicUrl: PUBLIC_URL, digestId: "d" }).text;
}

describe("digest plain text", () => {
  it("marks headings with an underline and each release title with '>'", async () => {
    const text = await digestText();
    expect(text.startsWith("NATO news, 13 February 2025\n===========================\n")).toBe(true);
    expect(text).toContain("\n\nWednesday 12 February 2025\n--------------------------\n");
    expect(text).toContain("\n\nTuesday 11 February 2025\n------------------------\n");
  });

  it("one release per block: title, time · source, summary, URL alone on its line", async () => {
    const text = await digestText();
    const block = text.split("\n\n").find((b) => b.startsWith("> NATO Ministers Tackle"))!;
    expect(block.split("\n")).toEqual([
      "> NATO Ministers Tackle Spending, Industry, Ukraine Aid",
      "15:30 UTC · NATO News",
      expect.stringMatching(/^Defence Ministers will meet in Brussels .{100,200}$/),
      "https://www.nato.int/cps/en/natohq/news_232986.htm?n=0",
    ]);
  });

  it("no URL is followed by anything on its line, and every link of the HTML is in the text", async () => {
    const text = await digestText(12);
    for (const line of text.split("\n")) {
      const at = line.search(/https?:\/\//);
      if (at === -1) continue;
      expect(at, line).toBe(0);
      expect(line, line).toMatch(/^https?:\/\/\S+$/);
      expect(line, line).not.toMatch(/[.,;:)\]]$/);
    }
    expect(text).toContain(`\n${PUBLIC_URL}/unsubscribe?token=p.TOKEN\n`);
    expect(text).toContain(`\n${PUBLIC_URL}/preferences?token=p.TOKEN\n`);
    expect(text).toContain(`\n${PUBLIC_URL}/digests/2025-02-13-abc\n`);
    expect(text).toContain("In this digest\n--------------\n- NATO Ministers Tackle");
  });

  it("is in French for a French edition", async () => {
    const text = await digestText(3, "fr");
    expect(text).toContain("Mercredi 12 février 2025\n");
    expect(text).toContain("Gérer mes préférences:\n");
    expect(text).toContain("Se désabonner:\n");
  });
});
