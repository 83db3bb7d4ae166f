// Editions end to end in workerd: the daily and weekly crons mail only their
// own readers; topics, feeds and language pick each reader's releases; one
// render per edition; Resend calls stay ⌈N/100⌉ with batches that mix
// editions; each edition has its own web view without personal data; and a
// failed state write is repaired by the resume path (issue 13's duplicate).
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigest, getDigestState } from "../../src/digest/digest-store";
import { digestRenderStats } from "../../src/digest/render-digest";
import { runDigest } from "../../src/digest/run-digest";
import type { SendQueue } from "../../src/queue-messages";
import { feedIdFor } from "../../src/subscribers/preferences";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { createPersonalToken } from "../../src/subscribers/tokens";
import { ADMIN_AUTH, call, cron, SIGNING_SECRET as SECRET, testConfig } from "../support/worker";
import { receivedEmails, resendStats, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { natoDate, rss, type TestItem } from "../support/feeds";
import { seedReaders } from "../support/seed";
import { waitFor } from "../support/kv";
const HOUR = 3_600_000;

beforeEach(async () => {
  await reset();
});

function items(prefix: string, titles: string[]): TestItem[] {
  return titles.map((title, i) => ({
    title,
    link: `https://www.nato.int/${prefix}/news_${i}.htm`,
    description: `Summary ${i}`,
    pubDate: natoDate(new Date(Date.now() - (2 + i) * HOUR)),
  }));
}

async function waitForEmails(domain: string, count: number) {
  return waitFor(
    async () => {
      const received = await receivedEmails(domain);
      return received.length >= count ? received : null;
    },
    60_000,
    `${count} emails to ${domain}`,
  );
}

async function waitSent(id: string, overrides: Record<string, string>) {
  return waitFor(async () => ((await getDigest(env.KV, id))?.status === "sent" ? true : null), 60_000, `digest ${id} sent`);
}

describe("daily and weekly editions", () => {
  it("the daily cron mails daily readers only, the Monday cron weekly readers only; nothing new sends nothing", async () => {
    const domain = uniqueDomain("cadence");
    const feedUrl = await serveFeed(`/${uniqueName("cadence")}/news.xml`, { body: rss(items("cad", ["Allies meet", "Cyber defence pledge"])) });
    const settings = { FEED_URLS: feedUrl };
    const daily = await seedReaders(domain, "daily", 120, null, false);
    const weekly = await seedReaders(domain, "weekly", 30, { cadence: "weekly", topics: [], lang: "en", sources: null });

    await cron("0 7 * * *", settings);
    const dailyState = await getDigestState(env.KV, "daily");
    expect(dailyState.lastDigestId).toBeTruthy();
    await waitSent(dailyState.lastDigestId!, settings);
    let received = await waitForEmails(domain, 120);
    expect(new Set(received.map((e) => e.to[0]))).toEqual(new Set(daily));
    expect((await getDigestState(env.KV, "weekly")).lastDigestId).toBeNull();
    // Readers from before personal tokens get one computed at send time, in the new format.
    expect(received[0]!.headers?.["List-Unsubscribe"] ?? received[0]!.text).toMatch(/unsubscribe\?token=p\./);

    await cron("0 7 * * 1", settings);
    const weeklyState = await getDigestState(env.KV, "weekly");
    expect(weeklyState.lastDigestId).toMatch(/-w[0-9a-f]{10}$/);
    await waitSent(weeklyState.lastDigestId!, settings);
    received = await waitForEmails(domain, 150);
    const weeklyMail = received.filter((e) => e.to[0]!.startsWith("weekly"));
    expect(new Set(weeklyMail.map((e) => e.to[0]))).toEqual(new Set(weekly));
    expect(weeklyMail).toHaveLength(30);
    expect(received).toHaveLength(150);
    expect((await resendStats(domain)).requests).toBe(2 + 1);

    // Both again, nothing new: nothing sent, recorded as skipped.
    await cron("0 7 * * *", settings);
    await cron("0 7 * * 1", settings);
    expect((await getDigestState(env.KV, "daily")).lastRun?.result).toBe("skipped");
    expect((await getDigestState(env.KV, "weekly")).lastRun?.result).toBe("skipped");
    expect(await receivedEmails(domain)).toHaveLength(150);
  });

  it("POST /admin/digest {cadence: weekly} runs the weekly edition; a bad cadence is refused", async () => {
    const domain = uniqueDomain("admin-weekly");
    const feedUrl = await serveFeed(`/${uniqueName("adminw")}/news.xml`, { body: rss(items("adw", ["Weekly item"])) });
    await seedReaders(domain, "w", 3, { cadence: "weekly", topics: [], lang: "en", sources: null });
    await seedReaders(domain, "d", 2, null);
    const bad = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH, body: JSON.stringify({ cadence: "monthly" }) }, { FEED_URLS: feedUrl });
    expect(bad.status).toBe(400);
    const dry = await call(
      "/admin/digest",
      { method: "POST", headers: ADMIN_AUTH, body: JSON.stringify({ cadence: "weekly", dryRun: true }) },
      { FEED_URLS: feedUrl },
    );
    expect((await dry.json()) as object).toMatchObject({ digest: { dryRun: true, recipients: 3, cadence: "weekly" } });
    const run = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH, body: JSON.stringify({ cadence: "weekly" }) }, { FEED_URLS: feedUrl });
    const report = (await run.json()) as { digest: { digestId: string; recipients: number } };
    expect(report.digest.recipients).toBe(3);
    await waitSent(report.digest.digestId, {});
    expect((await waitForEmails(domain, 3)).every((e) => e.to[0]!.startsWith("w"))).toBe(true);
  });
});

describe("topics, feeds and language", () => {
  it("each reader gets only their releases, in their language; one render per edition (and one for the run's page); ⌈N/100⌉ calls; no email when nothing matches", async () => {
    const domain = uniqueDomain("topics");
    const enUrl = await serveFeed(`/${uniqueName("en")}/news.xml`, {
      body: rss(items("en", ["Cyber defence pledge agreed", "Allies discuss cyberattacks", "Defence ministers meet in Brussels"])),
    });
    const frUrl = await serveFeed(`/${uniqueName("fr")}/actualites.xml`, {
      body: rss(items("fr", ["Réunion des ministres de l'OTAN", "Sécurité en mer Baltique", "Exercice de cyberdéfense"])),
    });
    const settings = { FEED_URLS: `${enUrl},${frUrl}`, FEED_LANGUAGES: `${frUrl}=fr`, FEED_TITLES: `${enUrl}=NATO News|${frUrl}=Actualités de l'OTAN` };
    const everything = await seedReaders(domain, "en-all", 90, null);
    const cyber = await seedReaders(domain, "en-cyber", 60, { cadence: "daily", topics: ["cyber"], lang: "en", sources: null });
    const frAll = await seedReaders(domain, "fr-all", 40, { cadence: "daily", topics: [], lang: "fr", sources: null });
    const frTopics = await seedReaders(domain, "fr-topics", 20, { cadence: "daily", topics: ["otan", "securite"], lang: "fr", sources: null });
    const both = await seedReaders(domain, "both", 10, {
      cadence: "daily",
      topics: ["cyber"],
      lang: "en",
      sources: [feedIdFor(enUrl), feedIdFor(frUrl)].sort(),
    });
    const nothing = await seedReaders(domain, "none", 5, { cadence: "daily", topics: ["space"], lang: "en", sources: null });
    const total = everything.length + cyber.length + frAll.length + frTopics.length + both.length;

    const rendersBefore = digestRenderStats.renders;
    const response = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH, body: "" }, settings);
    const report = (await response.json()) as { digest: { digestId: string; recipients: number; editions: number; readersWithNothing: number } };
    expect(report.digest).toMatchObject({ recipients: total, editions: 5, readersWithNothing: 5 });
    // Five editions, and the run's own page: no edition has every release of the run (the default readers get the English feed only).
    expect(digestRenderStats.renders - rendersBefore).toBe(5 + 1);
    await waitSent(report.digest.digestId, settings);
    const received = await waitForEmails(domain, total);
    expect(received).toHaveLength(total);
    expect((await resendStats(domain)).requests).toBe(Math.ceil(total / 100));

    const byReader = new Map(received.map((e) => [e.to[0]!, e]));
    for (const address of nothing) expect(byReader.has(address)).toBe(false);
    const titlesIn = (address: string) => byReader.get(address)!.text ?? "";
    expect(titlesIn(everything[0]!)).toContain("Defence ministers meet in Brussels");
    expect(titlesIn(everything[0]!)).not.toContain("Baltique");
    expect(titlesIn(cyber[0]!)).toContain("Cyber defence pledge agreed");
    expect(titlesIn(cyber[0]!)).toContain("Allies discuss cyberattacks");
    expect(titlesIn(cyber[0]!)).not.toContain("Defence ministers");
    expect(titlesIn(both[0]!)).toContain("Exercice de cyberdéfense");
    expect(titlesIn(both[0]!)).toContain("Cyber defence pledge agreed");
    expect(titlesIn(frTopics[0]!)).toContain("Réunion des ministres de l'OTAN");
    expect(titlesIn(frTopics[0]!)).toContain("Sécurité en mer Baltique");
    expect(titlesIn(frTopics[0]!)).not.toContain("cyberdéfense");

    // French readers get French emails: lang, subject and a different body from the English edition.
    const french = byReader.get(frAll[0]!)!;
    expect(french.html).toContain('lang="fr"');
    expect(french.text).toContain("Exercice de cyberdéfense");
    expect(french.text).not.toContain("Cyber defence pledge");

    // Every email carries its reader's own token (from the metadata) in its links and headers.
    for (const address of [everything[0]!, frAll[0]!]) {
      const token = createPersonalToken(SECRET, await subscriberIdFor(address));
      expect(byReader.get(address)!.html).toContain(`/unsubscribe?token=${token}`);
      expect(byReader.get(address)!.html).toContain(`/preferences?token=${token}`);
    }

    // One web view per edition, with no personal link in it.
    const record = (await getDigest(env.KV, report.digest.digestId))!;
    expect(record.editions).toHaveLength(5);
    for (const edition of record.editions!) {
      const page = await call(`/digests/${edition.digestId}`, {}, settings);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).not.toMatch(/token=p\./);
      expect(french.html!.includes(`/digests/${edition.digestId}`) === (edition.lang === "fr" && edition.topics.length === 0)).toBe(true);
    }
    // The archive lists the run once (read in two languages: by its unfiltered English edition), never a topic edition.
    const archive = await (await call("/digests", {}, settings)).text();
    const listed = [...archive.matchAll(new RegExp(`href="/digests/(${report.digest.digestId}(?:-e\\d+)?)"`, "g"))].map((m) => m[1]!);
    expect(listed).toHaveLength(1);
    const listedEdition = record.editions!.find((edition) => edition.digestId === listed[0]);
    expect(listedEdition === undefined || (listedEdition.topics.length === 0 && listedEdition.lang === "en")).toBe(true);
  });
});

describe("the state write after the digest record (issue 13)", () => {
  it("the write after the record fails once: the same-day retry resumes, writes the state, and the next day mails nobody twice", async () => {
    const domain = uniqueDomain("state");
    const feedUrl = await serveFeed(`/${uniqueName("state")}/news.xml`, { body: rss(items("st", ["Only once"])) });
    await call("/admin/ingest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl });
    await seedReaders(domain, "r", 20, null);
    const config = testConfig({ FEED_URLS: feedUrl });
    // The run writes the state twice: pointing at the new digest before its
    // record (with the old watermark), then with the new watermark once the
    // record is claimed. Fail the second: the record exists, the state is stale.
    let stateWrites = 0;
    const failingKv = new Proxy(env.KV, {
      get(target, property) {
        if (property === "put") {
          return (key: string, ...rest: unknown[]) => {
            if (key === "v1:state:digest" && ++stateWrites === 2) {
              return Promise.reject(new Error("KV write failed"));
            }
            return (target.put as (...args: unknown[]) => Promise<void>)(key, ...rest);
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const deps = { kv: failingKv, queue: env.SEND_QUEUE as SendQueue, publicUrl: config.publicUrl, maxAgeDays: config.maxAgeDays, feeds: config };
    await expect(runDigest({ ...deps, now: () => new Date() })).rejects.toThrow(/KV write failed/);
    const stale = await getDigestState(env.KV);
    expect(stale.watermark).toBeNull();

    // The state already points at the digest, so the retry finishes it (it was never enqueued) instead of starting another.
    const id = stale.lastDigestId!;
    expect(await getDigest(env.KV, id)).toMatchObject({ status: "sending" });
    const retry = await runDigest({ ...deps, now: () => new Date() });
    expect(retry.resumed?.digestId).toBe(id);
    expect((await getDigestState(env.KV)).lastDigestId).toBe(id);
    await waitSent(id, {});
    await waitForEmails(domain, 20);

    const tomorrow = await runDigest({ ...deps, now: () => new Date(Date.now() + 24 * HOUR) });
    expect(tomorrow.skipped).toBe("nothing new since the last digest");
    expect(await receivedEmails(domain)).toHaveLength(20);
  });
});
