import { describe, expect, it } from "vitest";
import { buildDigestModel, buildDigestSubject, cleanSummary, cutAtWord, sortNewestFirst, type DigestRelease } from "../../emails/digest-model";
import { PREVIEW_RELEASES } from "../../emails/release-digest";
import { stringsFor } from "../../src/i18n";
import { digestRenderStats, LEGACY_TOKEN_PLACEHOLDER, personaliseDigest, renderDigest, webVersion, type DigestContent } from "../../src/digest/render-digest";

const PUBLIC_URL = "https://digest.example.test";
const DATE = new Date("2025-02-13T07:00:00Z");

function releases(count: number, overrides: Partial<DigestRelease> = {}): DigestRelease[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    title: `NATO release number ${i} on defence industrial production and support to Ukraine`,
    link: `https://www.nato.int/cps/en/natohq/news_${230000 + i}.htm`,
    summary:
      "Defence Ministers will meet in Brussels to begin preparations for the NATO Summit. The Secretary General highlighted the ongoing progress in defence spending across the Alliance and the need to go further.",
    publishedAt: new Date(Date.UTC(2026, 10, 27, 12) - i * 3 * 3_600_000).toISOString(),
    source: "NATO News",
    ...overrides,
  }));
}

const html = (content: DigestContent) => content.htmlParts.join("?token=T");
const text = (content: DigestContent) => content.textParts.join("?token=T");
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

function personalise(content: DigestContent, token: string, extra: { inboundAddress?: string } = {}) {
  return personaliseDigest(content, { token, to: "reader@example.test", from: "D <d@example.test>", publicUrl: PUBLIC_URL, digestId: "d1", ...extra });
}

describe("digest template", () => {
  it("renders the preview releases: date in the heading, newest first by day, time · source, footer links", async () => {
    const content = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2025-02-13-abc", date: DATE });
    const page = html(content);
    expect(content.subject).toBe("NATO Ministers Tackle Spending, Industry, Ukraine Aid + 2 more");
    expect(content.lang).toBe("en");
    expect(page).toMatch(/<html[^>]* lang="en"/);
    expect(page).toMatch(/<title>NATO digest, 13 February 2025<\/title>/);
    expect(page).toContain("NATO news, 13 February 2025");
    expect(page).toContain('href="https://www.nato.int/cps/en/natohq/news_232986.htm"');
    expect(page.indexOf("Wednesday 12 February 2025")).toBeLessThan(page.indexOf("Tuesday 11 February 2025"));
    expect(page.indexOf("Munich")).toBeLessThan(page.indexOf("Prime Minister of Canada"));
    expect(page).toContain("15:30 UTC · NATO News");
    // The feed's "Read more" remnant is gone.
    expect(page).toContain("Mr Justin Trudeau.</p>");
    expect(page).not.toMatch(/Read more/);
    // Footer: manage preferences, unsubscribe (each with the reader's slot), view in browser.
    expect(page).toContain(`${PUBLIC_URL}/unsubscribe?token=T`);
    expect(page).toContain(`${PUBLIC_URL}/preferences?token=T`);
    expect(page).toContain(`${PUBLIC_URL}/digests/2025-02-13-abc`);
    expect(text(content)).toMatch(/because you subscribed/);
    expect(content.preheader).toBe(
      "NATO Secretary General to attend the Munich Security Conference · NATO Secretary General meets the Prime Minister of Canada",
    );
    expect(page).toContain(content.preheader);
    // Three releases: no "In this digest" list.
    expect(page).not.toContain("In this digest");
  });

  it("subject leads with the top release and a count, at most 100 characters, cut at a word", () => {
    const t = stringsFor("en");
    const sorted = sortNewestFirst(releases(12, { title: "Allies agree new defence investment plans" }));
    expect(buildDigestSubject(sorted, t)).toBe("Allies agree new defence investment plans + 11 more");
    expect(buildDigestSubject(sorted.slice(0, 1), t)).toBe("Allies agree new defence investment plans");
    const long = sortNewestFirst(
      releases(30, { title: "Secretary General welcomes the decision of Allies to strengthen deterrence and defence across the whole Euro-Atlantic area" }),
    );
    const subject = buildDigestSubject(long, t);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^Secretary General welcomes the decision of Allies to strengthen deterrence[a-z ]*[a-z]… \+ 29 more$/);
    // Cut at a word: what precedes the ellipsis is whole words of the title.
    expect(long[0]!.title.startsWith(`${subject.split("…")[0]} `)).toBe(true);
    expect(buildDigestSubject(sorted, stringsFor("fr"))).toBe("Allies agree new defence investment plans + 11 autres");
  });

  it("summaries are cut near 200 characters at a word, with the feed's 'Read more' removed", () => {
    const long = "The Alliance ".repeat(40);
    const cut = cleanSummary(long);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/[a-z]…$/);
    expect(long.startsWith(`${cut.slice(0, -1)} `)).toBe(true);
    expect(cleanSummary("Ministers met today. Read more…")).toBe("Ministers met today.");
    expect(cleanSummary("Les ministres se réunissent. Lire la suite »")).toBe("Les ministres se réunissent.");
    expect(cleanSummary("Ministers met today [...]")).toBe("Ministers met today");
    expect(cutAtWord("short", 200)).toBe("short");
  });

  it('opens with "In this digest" when more than five releases', async () => {
    const six = html(await renderDigest(releases(6), { publicUrl: PUBLIC_URL, digestId: "d", date: DATE }));
    const five = html(await renderDigest(releases(5), { publicUrl: PUBLIC_URL, digestId: "d", date: DATE }));
    expect(six).toContain("In this digest");
    expect(five).not.toContain("In this digest");
    const twelve = buildDigestModel(releases(12), { lang: "en", cadence: "daily", date: DATE, topics: [] });
    expect(twelve.headlines).toHaveLength(10);
    expect(twelve.headlinesMore).toBe(2);
  });

  it("the intro counts new releases only; a digest of late translations and revisions says what it holds", () => {
    const [a, b, c] = releases(3);
    const options = { lang: "fr" as const, cadence: "daily" as const, date: DATE, topics: [] };
    const mixed = buildDigestModel([a!, { ...b!, section: "translated" }, { ...c!, section: "updated", previousTitle: "Old" }], options);
    expect(mixed.intro).toBe("1 nouveau communiqué depuis la dernière édition, du plus récent au plus ancien.");
    expect(mixed.sections.map((section) => section.heading)).toEqual(["Maintenant en français", "Mis à jour depuis notre envoi"]);
    const followUps = buildDigestModel([{ ...b!, section: "translated" }], options);
    expect(followUps.intro).toBe(stringsFor("fr").digest.introFollowUps);
    expect(buildDigestModel([{ ...b!, section: "updated" }], { ...options, lang: "en" }).intro).toBe(stringsFor("en").digest.introFollowUps);
  });

  it("escapes hostile release data: no markup or script from a feed reaches the email", async () => {
    const hostile = releases(3).map((r, i) => ({
      ...r,
      title: i === 0 ? `Allies & "partners" <b>agree</b> <script>alert(1)</script>` : `Żółć — déjà vu — 北约 — Ελλάδα ${i}`,
      summary: `<img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a> & more`,
      link: i === 1 ? `https://www.nato.int/a?b=1&c="><script>x()</script>` : r.link,
      source: `<i>feed</i>`,
    }));
    const content = await renderDigest(hostile, { publicUrl: PUBLIC_URL, digestId: "d", date: DATE });
    const page = html(content);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img src=x/i);
    expect(page).not.toMatch(/<i>feed/);
    expect(page).not.toContain('href="javascript:');
    expect(page).toContain("Allies &amp; &quot;partners&quot; &lt;b&gt;agree&lt;/b&gt;");
    expect(page).toContain("北约");
    expect(text(content)).toContain('Allies & "partners" <b>agree</b>');
  });

  it("feed text never receives a reader's token, whatever placeholder-like string it holds", async () => {
    const trap = releases(3).map((r, i) => ({
      ...r,
      link: [
        `https://evil.example/r/${LEGACY_TOKEN_PLACEHOLDER}`,
        `https://evil.example/r/?token=tk00112233445566778899aabbccddeeff`,
        `${PUBLIC_URL}/unsubscribe?token=${LEGACY_TOKEN_PLACEHOLDER}`,
      ][i]!,
      summary: `Send ${LEGACY_TOKEN_PLACEHOLDER} and ?token= to evil.example`,
    }));
    const content = await renderDigest(trap, { publicUrl: PUBLIC_URL, digestId: "d", date: DATE });
    const token = "p.SECRETTOKEN1234567.SIGNATURE12345678";
    const email = personalise(content, token);
    // Exactly where the template put it: "Manage preferences" and "Unsubscribe".
    expect(count(email.html, token)).toBe(2);
    expect(count(email.text, token)).toBe(2);
    expect(email.html).toContain(`https://evil.example/r/${LEGACY_TOKEN_PLACEHOLDER}`);
    expect(email.html).toContain("https://evil.example/r/?token=tk00112233445566778899aabbccddeeff");
    expect(email.html).not.toMatch(/evil\.example[^"]*SECRETTOKEN/);
  });

  it("a render whose placeholder count differs from the template's slots is refused", async () => {
    // Two renders never share a placeholder: the slot is random per render.
    const a = await renderDigest(releases(1), { publicUrl: PUBLIC_URL, digestId: "d", date: DATE });
    const b = await renderDigest(releases(1), { publicUrl: PUBLIC_URL, digestId: "d", date: DATE });
    expect(a.htmlParts[0]!.slice(-10)).toBe(b.htmlParts[0]!.slice(-10)); // same template…
    expect(a.htmlParts).toHaveLength(3);
    expect(a.textParts).toHaveLength(3);
  });

  it("personalises by joining parts: one render for 50 readers, token in links and headers, List-Id, mailto when an inbound address is set", async () => {
    const before = digestRenderStats.renders;
    const content = await renderDigest(releases(5), { publicUrl: PUBLIC_URL, digestId: "d1", date: DATE });
    const token = "p.0123456789abcdefghi.SIGNATURE_signature";
    const emails = Array.from({ length: 50 }, (_, i) => personalise(content, `${token}${i}`));
    expect(digestRenderStats.renders - before).toBe(1);
    const email = emails[7]!;
    expect(email.html).toContain(`href="${PUBLIC_URL}/unsubscribe?token=${token}7"`);
    expect(email.html).toContain(`href="${PUBLIC_URL}/preferences?token=${token}7"`);
    expect(email.text).toContain(`\n${PUBLIC_URL}/unsubscribe?token=${token}7\n`);
    expect(email.text).toContain(`\n${PUBLIC_URL}/preferences?token=${token}7\n`);
    expect(email.headers).toEqual({
      "List-Unsubscribe": `<${PUBLIC_URL}/unsubscribe?token=${token}7>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "List-Id": "NATO Digest <nato-digest.digest.example.test>",
    });
    expect(email.tags).toEqual([
      { name: "kind", value: "digest" },
      { name: "digest", value: "d1" },
    ]);
    const withInbound = personalise(content, token, { inboundAddress: "digest@example.test" });
    expect(withInbound.headers!["List-Unsubscribe"]).toBe(`<${PUBLIC_URL}/unsubscribe?token=${token}>, <mailto:digest@example.test?subject=unsubscribe>`);
  });

  it("the web version carries no personal link and lays out on a phone", async () => {
    const content = await renderDigest(releases(2), { publicUrl: PUBLIC_URL, digestId: "d2", date: DATE });
    const web = webVersion(content, PUBLIC_URL);
    expect(web).not.toContain("token=");
    expect(web).toContain(`href="${PUBLIC_URL}/unsubscribe"`);
    expect(web).toContain(`href="${PUBLIC_URL}/preferences"`);
    expect(web).toContain('name="viewport"');
    expect(web).toMatch(/<title>[^<]+<\/title>/);
  });

  it("old stored records ({subject, preheader, html, text}) still personalise and show on the web", () => {
    const legacy = {
      subject: "NATO digest: 1 new release, 27 Nov 2026",
      preheader: "x",
      html: `<html lang="en"><head><meta charset="utf-8"></head><body><a href="${PUBLIC_URL}/unsubscribe?token=${LEGACY_TOKEN_PLACEHOLDER}">Unsubscribe</a> <a href="https://evil.example/${LEGACY_TOKEN_PLACEHOLDER}">x</a></body></html>`,
      text: `Unsubscribe [${PUBLIC_URL}/unsubscribe?token=${LEGACY_TOKEN_PLACEHOLDER}]`,
    };
    const email = personaliseDigest(legacy, { token: "u.abc", to: "a@example.test", from: "d@example.test", publicUrl: PUBLIC_URL, digestId: "old" });
    expect(email.html).toContain(`${PUBLIC_URL}/unsubscribe?token=u.abc"`);
    expect(email.html).toContain(`https://evil.example/${LEGACY_TOKEN_PLACEHOLDER}`);
    expect(email.text).toContain(`${PUBLIC_URL}/unsubscribe?token=u.abc]`);
    const web = webVersion(legacy, PUBLIC_URL);
    expect(web).toContain(`href="${PUBLIC_URL}/unsubscribe"`);
    expect(web).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"><title>NATO digest: 1 new release, 27 Nov 2026</title>');
  });

  it("renders the French edition: lang, heading, dates, footer and text part in French", async () => {
    const content = await renderDigest(releases(7), {
      publicUrl: PUBLIC_URL,
      digestId: "d3",
      date: DATE,
      lang: "fr",
      cadence: "weekly",
      topics: ["cyber", "Ukraine"],
    });
    const page = html(content);
    expect(content.lang).toBe("fr");
    expect(content.subject).toMatch(/ \+ 6 autres$/);
    expect(page).toMatch(/<html[^>]* lang="fr"/);
    expect(page).toContain("La semaine de l&#x27;OTAN, jusqu&#x27;au 13 février 2025");
    expect(page).toContain("Vendredi 27 novembre 2026");
    expect(page).toContain("Dans cette édition");
    expect(page).toContain("Gérer mes préférences");
    expect(page).toContain("Se désabonner");
    expect(page).toContain("Seulement les communiqués sur\u00a0: cyber, Ukraine.");
    expect(text(content)).toContain("Vous recevez cet e-mail parce que vous vous êtes abonné à l'édition hebdomadaire");
    expect(page).toContain(`${PUBLIC_URL}/?lang=fr`);
  });
});
