// Gmail clips an HTML part over 102 KB and hides what follows, the footer
// with the unsubscribe link included. Whatever the number and length of the
// releases, the digest's HTML stays under 90 KB.
import { describe, expect, it } from "vitest";
import { HTML_LIMIT, type DigestRelease } from "../../emails/digest-model";
import { personaliseDigest, renderDigest } from "../../src/digest/render-digest";

const PUBLIC_URL = "https://digest.example.test";

function releases(count: number, shape: "typical" | "long" | "wide" = "typical"): DigestRelease[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    title:
      shape === "typical"
        ? `Allies agree new defence investment plans, release ${i}`
        : `${"Déclaration des chefs d'État et de gouvernement — « sécurité » & défense ".repeat(shape === "wide" ? 2 : 6)}${i}`,
    link:
      shape === "long"
        ? `https://www.nato.int/en/news-and-events/articles/news/2026/11/27/${"allies-agree-".repeat(60)}${i}?a=1&b=2`
        : `https://www.nato.int/cps/en/natohq/news_${230000 + i}.htm`,
    summary: `${"Les ministres de la Défense se réunissent à Bruxelles & préparent le sommet ; « progrès » ".repeat(shape === "typical" ? 3 : 8)}Read more`,
    publishedAt: new Date(Date.UTC(2026, 10, 27, 12) - i * 1_800_000).toISOString(),
    source: shape === "typical" ? "NATO News" : "NATO — Actualités & communiqués de presse",
  }));
}

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

describe("digest size", () => {
  for (const count of [12, 30, 300, 1000]) {
    for (const shape of ["typical", "long", "wide"] as const) {
      it(`${count} ${shape} releases: HTML under 90 KB, footer and unsubscribe link kept`, async () => {
        const content = await renderDigest(releases(count, shape), { publicUrl: PUBLIC_URL, digestId: "2026-11-27-0123456789", date: new Date(), lang: "fr" });
        const email = personaliseDigest(content, {
          token: "p.0123456789012345678.abcdefghijklmnopqrs",
          to: "r@example.test",
          from: "d@example.test",
          publicUrl: PUBLIC_URL,
          digestId: "d",
        });
        const size = bytes(email.html);
        if (shape === "typical") console.log(`${count} releases: ${size} bytes of HTML, ${bytes(email.text)} bytes of text`);
        expect(size).toBeLessThan(HTML_LIMIT);
        expect(email.html).toContain(`${PUBLIC_URL}/unsubscribe?token=p.0123456789012345678.abcdefghijklmnopqrs`);
        expect(email.html.trimEnd()).toMatch(/<\/html>$/);
        // Every release is accounted for: in full, by title, or in "and N more".
        const more = /Et (\d+) autres? communiqués?/.exec(email.html);
        const links = releases(count, shape).filter((r) => email.html.includes(`href="${r.link.replaceAll("&", "&amp;")}"`)).length;
        expect(links + Number(more?.[1] ?? 0)).toBe(count);
        if (more) expect(email.html).toContain(`href="${PUBLIC_URL}/digests/2026-11-27-0123456789"`);
      });
    }
  }

  it("a typical 300-release digest shows 30 in full, then titles, then 'and N more' linking to the web view", async () => {
    const content = await renderDigest(releases(300), { publicUrl: PUBLIC_URL, digestId: "big", date: new Date() });
    const html = content.htmlParts.join("");
    expect(html.split("UTC · NATO News").length - 1).toBe(30);
    expect(html).toContain("More releases");
    expect(html).toMatch(/And \d+ more releases:/);
    expect(html).toMatch(new RegExp(`href="${PUBLIC_URL}/digests/big"[^>]*>see them all in the web version</a>`));
  });
});
