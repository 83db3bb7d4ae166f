import { describe, expect, it } from "vitest";
import { buildDigestSubject, ReleaseDigestEmail, type DigestRelease } from "../../emails/release-digest";
import { digestRenderStats, personaliseDigest, renderDigest, TOKEN_PLACEHOLDER, webVersion } from "../../src/digest/render-digest";

const PUBLIC_URL = "https://digest.example.test";

function releases(count: number, overrides: Partial<DigestRelease> = {}): DigestRelease[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    title: `NATO release number ${i} on defence industrial production and support to Ukraine`,
    link: `https://www.nato.int/cps/en/natohq/news_${230000 + i}.htm`,
    summary:
      "Defence Ministers will meet in Brussels to begin preparations for the NATO Summit. The Secretary General highlighted the ongoing progress in defence spending across the Alliance and the need to go further.",
    publishedAt: new Date(Date.UTC(2026, 10, 27, 12) - i * 3 * 3_600_000).toISOString(),
    ...overrides,
  }));
}

describe("digest template", () => {
  it("renders its PreviewProps to HTML and text", async () => {
    const props = ReleaseDigestEmail.PreviewProps;
    const content = await renderDigest(props.releases, { publicUrl: PUBLIC_URL, digestId: "2025-02-13-abc", date: new Date("2025-02-13T07:00:00Z") });
    expect(content.subject).toBe("NATO digest: 3 new releases, 13 Feb 2025");
    expect(content.html).toContain("NATO Ministers Tackle Spending, Industry, Ukraine Aid");
    expect(content.html).toContain('href="https://www.nato.int/cps/en/natohq/news_232986.htm"');
    expect(content.text).toContain("NATO Ministers Tackle Spending, Industry, Ukraine Aid");
    expect(content.text).toContain("https://www.nato.int/cps/en/natohq/news_232986.htm");
    // Newest first, grouped by day.
    expect(content.html.indexOf("Wednesday 12 Feb 2025")).toBeLessThan(content.html.indexOf("Tuesday 11 Feb 2025"));
    expect(content.html.indexOf("Munich")).toBeLessThan(content.html.indexOf("Prime Minister of Canada"));
    // Footer: why, unsubscribe (placeholder until personalised), view in browser.
    expect(content.html).toContain(`/unsubscribe?token=${TOKEN_PLACEHOLDER}`);
    expect(content.html).toContain(`${PUBLIC_URL}/digests/2025-02-13-abc`);
    expect(content.text).toMatch(/because you subscribed/);
    expect(content.preheader).toMatch(/^NATO Ministers Tackle Spending/);
    expect(content.html).toContain(content.preheader);
  });

  it("subject is one line and counts correctly", () => {
    expect(buildDigestSubject(1, new Date("2026-11-27T07:00:00Z"))).toBe("NATO digest: 1 new release, 27 Nov 2026");
    expect(buildDigestSubject(12, new Date("2026-11-27T07:00:00Z"))).toBe("NATO digest: 12 new releases, 27 Nov 2026");
  });

  it("escapes hostile release data: no markup or script from a feed reaches the email", async () => {
    const hostile = releases(3).map((r, i) => ({
      ...r,
      title: i === 0 ? `Allies & "partners" <b>agree</b> <script>alert(1)</script>` : `Żółć — déjà vu — 北约 — Ελλάδα ${i}`,
      summary: `<img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a> & more`,
      link: i === 1 ? `https://www.nato.int/a?b=1&c="><script>x()</script>` : r.link,
    }));
    const content = await renderDigest(hostile, { publicUrl: PUBLIC_URL, digestId: "d", date: new Date() });
    expect(content.html).not.toMatch(/<script/i);
    expect(content.html).not.toMatch(/<img src=x/i);
    expect(content.html).not.toContain('href="javascript:');
    expect(content.html).toContain("Allies &amp; &quot;partners&quot; &lt;b&gt;agree&lt;/b&gt;");
    expect(content.html).toContain("北约");
    expect(content.text).toContain('Allies & "partners" <b>agree</b>');
  });

  it("shows 30 releases in full and lists the rest by title; 200 releases render", async () => {
    const content = await renderDigest(releases(200), { publicUrl: PUBLIC_URL, digestId: "d", date: new Date() });
    expect(content.html).toContain("170 more releases");
    expect(content.html).toContain("NATO release number 199");
    // Summaries only for the first 30.
    expect(content.html.split("Defence Ministers will meet").length - 1).toBe(30);
  });

  it("keeps a 30-release digest under 60 KB of HTML (Gmail clips at 102 KB)", async () => {
    const content = await renderDigest(releases(30), { publicUrl: PUBLIC_URL, digestId: "2026-11-27-0123456789", date: new Date() });
    const bytes = new TextEncoder().encode(content.html).byteLength;
    console.log(`30-release digest: ${bytes} bytes of HTML, ${content.text.length} chars of text`);
    expect(bytes).toBeLessThan(60 * 1024);
  });

  it("personalises by substitution: the reader's token in the footer, the text and the List-Unsubscribe headers", async () => {
    const before = digestRenderStats.renders;
    const content = await renderDigest(releases(5), { publicUrl: PUBLIC_URL, digestId: "d1", date: new Date() });
    const token = "u.0123456789abcdef0123456789abcdef.SIGNATURE_signature_SIGNATURE_signature_123";
    const emails = Array.from({ length: 50 }, (_, i) =>
      personaliseDigest(content, { token: `${token}${i}`, to: `r${i}@example.test`, from: "D <d@example.test>", publicUrl: PUBLIC_URL, digestId: "d1" }),
    );
    expect(digestRenderStats.renders - before).toBe(1);
    const email = emails[7]!;
    expect(email.html).toContain(`${PUBLIC_URL}/unsubscribe?token=${token}7`);
    expect(email.text).toContain(`${PUBLIC_URL}/unsubscribe?token=${token}7`);
    expect(email.html).not.toContain(TOKEN_PLACEHOLDER);
    expect(email.text).not.toContain(TOKEN_PLACEHOLDER);
    expect(email.headers).toEqual({
      "List-Unsubscribe": `<${PUBLIC_URL}/unsubscribe?token=${token}7>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    });
    expect(email.tags).toEqual([
      { name: "kind", value: "digest" },
      { name: "digest", value: "d1" },
    ]);
  });

  it("the web version carries no personal link", async () => {
    const content = await renderDigest(releases(2), { publicUrl: PUBLIC_URL, digestId: "d2", date: new Date() });
    const web = webVersion(content, PUBLIC_URL);
    expect(web).not.toContain(TOKEN_PLACEHOLDER);
    expect(web).toContain(`href="${PUBLIC_URL}/unsubscribe"`);
  });
});
