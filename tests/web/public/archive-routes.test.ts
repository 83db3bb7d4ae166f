// The web view (/digests/:id) in workerd: a page a phone lays out at its own
// width (viewport, <title>, lang), no personal link, a way to the archive, and
// the other editions of a run; old stored records keep working.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PREVIEW_RELEASES } from "../../../emails/release-digest";
import { saveDigest, saveEditionRecord, type DigestRecord } from "../../../src/digest/digest-store";
import { LEGACY_TOKEN_PLACEHOLDER, renderDigest } from "../../../src/digest/render-digest";
import { readConfig } from "../../../src/config";
import { call } from "../../support/worker";

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

describe("web view", () => {
  it("has a viewport, a title and lang, no token, links to the archive and to each edition", async () => {
    const date = new Date("2026-11-29T07:00:00Z");
    const en = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2026-11-29-web-e0", date });
    const fr = await renderDigest(PREVIEW_RELEASES, { publicUrl: PUBLIC_URL, digestId: "2026-11-29-web-e1", date, lang: "fr", topics: ["cyber"] });
    const summary = (index: number, lang: "en" | "fr", topics: string[]) => ({
      digestId: `2026-11-29-web-e${index}`,
      index,
      lang,
      topics,
      sources: [],
      releaseIds: [],
      recipientCount: 1,
      subject: "s",
    });
    await saveDigest(env.KV, record("2026-11-29-web", en, { editions: [summary(0, "en", []), summary(1, "fr", ["cyber"])] }));
    await saveEditionRecord(env.KV, record("2026-11-29-web-e1", fr));

    const response = await get("/digests/2026-11-29-web");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"');
    expect(page).toMatch(/<html[^>]* lang="en"/);
    expect(page).toMatch(/<title>NATO digest, 29 November 2026<\/title>/);
    expect(page).not.toContain("token=");
    expect(page).toContain('href="/digests"');
    expect(page).toContain('href="/digests/2026-11-29-web-e1"');
    expect(page).toContain("Édition 2 (français, par sujet)");
    expect(page).not.toContain("cyber");

    const edition = await (await get("/digests/2026-11-29-web-e1")).text();
    expect(edition).toMatch(/<html[^>]* lang="fr"/);
    expect(edition).toContain("Gérer mes préférences");
    expect(edition).not.toContain("token=");
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
