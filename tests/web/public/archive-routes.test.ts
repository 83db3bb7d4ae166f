// The web view (/digests/:id) in workerd: a page a phone lays out at its own
// width (viewport, <title>, lang), no personal link, a way to the archive, and
// the other editions of a run; old stored records keep working.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PREVIEW_RELEASES } from "../../../emails/release-digest";
import { getDigest, saveDigest, type DigestRecord } from "../../../src/digest/digest-store";
import { saveEdition, type EditionRecord } from "../../../src/digest/edition-store";
import { LEGACY_TOKEN_PLACEHOLDER, renderDigest } from "../../../src/digest/render-digest";
import { readConfig } from "../../../src/config";
import { ADMIN_AUTH, call } from "../../support/worker";
import { natoDate, rss } from "../../support/feeds";
import { receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../../support/servers";
import { seedReaders } from "../../support/seed";
import { waitFor } from "../../support/kv";

const get = (path: string) => call(`http://localhost${path}`);

const PUBLIC_URL = readConfig(env).publicUrl;

function record(id: string, content: DigestRecord["content"], extra: Partial<DigestRecord> = {}): DigestRecord {
  return {
    id,
    runToken: "t",
    createdAt: "2026-11-29T07:00:00.000Z",
    status: "sent",
    subject: content.subject,
    preheader: content.preheader,
    releases: PREVIEW_RELEASES,
    recipientCount: 2,
    batchCount: 1,
    content,
    finishedAt: "2026-11-29T07:01:00.000Z",
    totals: { sent: 2, failed: 0, skipped: 0, rejected: 0 },
    ...extra,
  };
}

function edition(id: string, index: number, content: EditionRecord["content"], lang: "en" | "fr", topics: string[]): EditionRecord {
  return {
    kind: "edition",
    id,
    runId: id.replace(/-e\d+$/, ""),
    index,
    createdAt: "2026-11-29T07:00:00.000Z",
    cadence: "daily",
    lang,
    topics,
    sources: [],
    releases: PREVIEW_RELEASES,
    recipientCount: 1,
    subject: content.subject,
    preheader: content.preheader,
    content,
  };
}

describe("web view", () => {
  it("has a viewport, a title and lang, no token, links to the archive and to the run's other unfiltered edition, never to a topic edition", async () => {
    const date = new Date("2026-11-29T07:00:00Z");
    const en = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2026-11-29-web-e0", date });
    const frTopics = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2026-11-29-web-e1", date, lang: "fr", topics: ["cyber"] });
    const fr = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2026-11-29-web-e2", date, lang: "fr" });
    const all = PREVIEW_RELEASES.map((r) => r.id);
    const summary = (index: number, lang: "en" | "fr", topics: string[]) => ({
      digestId: `2026-11-29-web-e${index}`,
      index,
      lang,
      topics,
      sources: [],
      releaseIds: all,
      recipientCount: 1,
      subject: "s",
    });
    await saveDigest(env.KV, record("2026-11-29-web", en, { editions: [summary(0, "en", []), summary(1, "fr", ["cyber"]), summary(2, "fr", [])] }));
    await saveEdition(env.KV, edition("2026-11-29-web-e1", 1, frTopics, "fr", ["cyber"]));
    await saveEdition(env.KV, edition("2026-11-29-web-e2", 2, fr, "fr", []));

    const response = await get("/digests/2026-11-29-web");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"');
    expect(page).toMatch(/<html[^>]* lang="en"/);
    expect(page).toMatch(/<title>NATO digest, 29 November 2026<\/title>/);
    expect(page).not.toContain("token=");
    expect(page).toContain('href="/digests"');
    expect(page).toContain('href="/digests/2026-11-29-web-e2"');
    expect(page).toContain("En français");
    expect(page).not.toContain("web-e1");
    expect(page).not.toContain("cyber");

    const topicPage = await (await get("/digests/2026-11-29-web-e1")).text();
    expect(topicPage).toMatch(/<html[^>]* lang="fr"/);
    expect(topicPage).toContain("Gérer mes préférences");
    expect(topicPage).not.toContain("token=");
    // The readers' topics are in their email, never on the public page.
    expect(frTopics.htmlParts[0]).toContain("Seulement les communiqués sur\u00a0: cyber.");
    expect(topicPage).not.toContain("cyber");
    expect(topicPage).not.toContain("Seulement les communiqués sur");
  });

  it("shows a record stored before this template with a viewport and its subject as title", async () => {
    const legacy = {
      subject: "NATO digest: 1 new release, 27 Nov 2026",
      preheader: "p",
      html: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body><p>Old</p><a href="${PUBLIC_URL}/unsubscribe?token=${LEGACY_TOKEN_PLACEHOLDER}">Unsubscribe</a></body></html>`,
      text: "Old",
    };
    await saveDigest(env.KV, record("2026-11-27-old", legacy));
    const page = await (await get("/digests/2026-11-27-old")).text();
    expect(page).toContain('name="viewport"');
    expect(page).toContain("<title>NATO digest: 1 new release, 27 Nov 2026</title>");
    expect(page).toContain(`href="${PUBLIC_URL}/unsubscribe"`);
    expect(page).not.toContain(LEGACY_TOKEN_PLACEHOLDER);
  });
});

describe("readers' topics stay private (issue 20, item 3)", () => {
  it("a run whose only edition is one reader's topic edition: /digests, the Atom feed and the run's page show the unfiltered run; no page shows or links the topics", async () => {
    const domain = uniqueDomain("topics");
    const hour = 3_600_000;
    const feedUrl = await serveFeed(`/${uniqueName("topics")}/news.xml`, {
      body: rss(
        ["Nuclear planning group meets", "Allies agree on air defence"].map((title, i) => ({
          title,
          link: `https://www.nato.int/topics/news_${i}.htm`,
          description: `Summary ${i}`,
          pubDate: natoDate(new Date(Date.now() - (2 + i) * hour)),
        })),
      ),
    });
    const secret = "Visit evil.example now";
    const [reader] = await seedReaders(domain, "only", 1, { cadence: "daily", lang: "en", topics: ["nuclear", secret], sources: null });
    const settings = { FEED_URLS: feedUrl };
    const started = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH }, settings);
    expect(started.status).toBe(200);
    const { digest } = (await started.json()) as { digest: { digestId: string; editions: number } };
    expect(digest.editions).toBe(1);
    await waitFor(async () => ((await getDigest(env.KV, digest.digestId))?.status === "sent" ? true : null), 60_000, `digest ${digest.digestId} sent`);

    // The reader's own email has their topics and only their release.
    const [email] = await waitFor(async () => ((await receivedEmails(domain)).length > 0 ? receivedEmails(domain) : null), 30_000, `the email to ${reader}`);
    expect(email!.html).toContain(secret);
    expect(email!.html).not.toContain("Allies agree on air defence");
    const editionPath = `/digests/${digest.digestId}-e0`;
    expect(email!.html).toContain(editionPath);

    const pages = {
      archive: await (await call("/digests", {}, settings)).text(),
      atom: await (await call("/digests.xml", {}, settings)).text(),
      run: await (await call(`/digests/${digest.digestId}`, {}, settings)).text(),
      edition: await (await call(editionPath, {}, settings)).text(),
    };
    for (const [name, page] of Object.entries(pages)) {
      expect(page, name).not.toContain("evil.example");
      expect(page, name).not.toContain("Only releases about");
    }
    // The run's page is every release of the run; its subject is the one listed.
    expect(pages.run).toContain("Nuclear planning group meets");
    expect(pages.run).toContain("Allies agree on air defence");
    const subject = (await getDigest(env.KV, digest.digestId))!.subject;
    expect(pages.archive).toContain(`>${subject.replace(/&/g, "&amp;")}<`);
    expect(pages.atom).toContain(`<title>${subject.replace(/&/g, "&#38;")}</title>`);
    // Not the topic edition's subject (one release): the run's, with both.
    expect(subject).not.toBe(email!.subject);
    // No public link to the topic edition; its own page still shows its release, for its reader.
    for (const page of [pages.archive, pages.atom, pages.run]) expect(page).not.toContain(`${digest.digestId}-e0`);
    expect(pages.edition).toContain("Nuclear planning group meets");
  });
});
