// Fault drills with mixed editions: 600 readers of six choices (English and
// French, topics, both cadences) over two feeds. Batches mix editions; under
// 429s, 5xx, a quota stop, concurrent triggers and lost messages every
// reader still gets their own edition exactly once, and weekly and daily
// readers never get each other's.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigest, getDigestState } from "../../src/digest/digest-store";
import { runDigest } from "../../src/digest/run-digest";
import { clearQuotaPause } from "../../src/mail/quota-store";
import type { SendQueue } from "../../src/queue-messages";
import type { Preferences } from "../../src/subscribers/preferences";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { createPersonalToken } from "../../src/subscribers/tokens";
import { ADMIN_AUTH, call, SIGNING_SECRET as SECRET, testConfig } from "../support/worker";
import { type ReceivedEmail, receivedEmails, resendStats, serveFeed, setResendRules, uniqueDomain, uniqueName } from "../support/servers";
import { natoDate, rss } from "../support/feeds";
import { seedReaders } from "../support/seed";
import { waitFor } from "../support/kv";

beforeEach(async () => {
  await reset();
});

interface Group {
  prefix: string;
  count: number;
  preferences: Preferences | null;
  /** A title this group's email must contain, and one it must not. */
  has: string;
  hasNot: string;
}

const GROUPS: Group[] = [
  { prefix: "en", count: 200, preferences: null, has: "Defence ministers meet", hasNot: "Baltique" },
  {
    prefix: "cyber",
    count: 120,
    preferences: { cadence: "daily", topics: ["cyber"], lang: "en", sources: null },
    has: "Cyber range opens",
    hasNot: "Defence ministers",
  },
  {
    prefix: "fr",
    count: 100,
    preferences: { cadence: "daily", topics: [], lang: "fr", sources: null },
    has: "Sécurité en mer Baltique",
    hasNot: "Cyber range",
  },
  { prefix: "otan", count: 60, preferences: { cadence: "daily", topics: ["otan"], lang: "fr", sources: null }, has: "Sommet de l'OTAN", hasNot: "Baltique" },
  { prefix: "wk", count: 80, preferences: { cadence: "weekly", topics: [], lang: "en", sources: null }, has: "Defence ministers meet", hasNot: "Baltique" },
  {
    prefix: "wkfr",
    count: 40,
    preferences: { cadence: "weekly", topics: ["securite"], lang: "fr", sources: null },
    has: "Sécurité en mer Baltique",
    hasNot: "Sommet de l'OTAN",
  },
];

async function setup(name: string) {
  const domain = uniqueDomain(name);
  const hour = 3_600_000;
  const item = (path: string, title: string, i: number) => ({
    title,
    link: `https://www.nato.int/${name}/${path}_${i}.htm`,
    pubDate: natoDate(new Date(Date.now() - (i + 1) * hour)),
  });
  const enUrl = await serveFeed(`/${uniqueName(name)}/en.xml`, { body: rss([item("en", "Defence ministers meet", 0), item("en", "Cyber range opens", 1)]) });
  const frUrl = await serveFeed(`/${uniqueName(name)}/fr.xml`, { body: rss([item("fr", "Sécurité en mer Baltique", 0), item("fr", "Sommet de l'OTAN", 1)]) });
  const settings = { FEED_URLS: `${enUrl},${frUrl}`, FEED_LANGUAGES: `${frUrl}=fr` };
  const groupOf = new Map<string, Group>();
  for (const group of GROUPS) {
    // Half the readers predate personal tokens: theirs is computed at send time.
    const addresses = await seedReaders(domain, group.prefix, group.count, group.preferences, (index) => index % 2 === 0);
    for (const address of addresses) groupOf.set(address, group);
  }
  await call("/admin/ingest", { method: "POST", headers: ADMIN_AUTH }, settings);
  const of = (cadence: "daily" | "weekly") => [...groupOf.keys()].filter((a) => (groupOf.get(a)!.preferences?.cadence ?? "daily") === cadence);
  return { domain, settings, groupOf, daily: of("daily"), weekly: of("weekly") };
}

async function trigger(settings: Record<string, unknown>, body: object = {}) {
  const response = await call(
    "/admin/digest",
    { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body: JSON.stringify(body) },
    settings,
  );
  expect(response.status).toBe(200);
  return (
    (await response.json()) as {
      digest: { digestId: string; recipients: number; editions: number; skipped: string | null; resumed: { digestId: string; batchesEnqueued: number } | null };
    }
  ).digest;
}

async function waitUntilSent(id: string) {
  return waitFor(
    async () => {
      const response = await call(`/admin/digests/${id}`, { headers: ADMIN_AUTH }, {});
      const body = (await response.json()) as { status: string };
      return body.status === "sent" ? body : null;
    },
    90_000,
    `digest ${id} sent`,
  );
}

/** Each expected reader exactly once, with their own edition's content and their own token; nobody else. */
async function expectEachOwnEditionOnce(domain: string, expected: string[], groupOf: Map<string, Group>, filter: (e: ReceivedEmail) => boolean = () => true) {
  const received = (await receivedEmails(domain)).filter(filter);
  const counts = new Map<string, number>();
  for (const email of received) counts.set(email.to[0]!, (counts.get(email.to[0]!) ?? 0) + 1);
  expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
  expect(new Set(counts.keys())).toEqual(new Set(expected));
  for (const email of received) {
    const group = groupOf.get(email.to[0]!)!;
    expect(email.text, email.to[0]).toContain(group.has);
    expect(email.text, email.to[0]).not.toContain(group.hasNot);
    const token = createPersonalToken(SECRET, await subscriberIdFor(email.to[0]!));
    expect(email.headers?.["List-Unsubscribe"]).toContain(`token=${token}`);
  }
  return received;
}

describe("mixed-edition fault drills (600 readers, 6 editions, 2 cadences)", () => {
  it("a 429 storm and a 5xx on every 3rd call: each daily reader gets their own edition exactly once, in ⌈N/100⌉ accepted calls", async () => {
    const { domain, settings, groupOf, daily } = await setup("ed-storm");
    await setResendRules(domain, { requestsPerSecond: 3, failEvery: 3 });
    const report = await trigger(settings);
    expect(report).toMatchObject({ recipients: daily.length, editions: 4 });
    await waitUntilSent(report.digestId);
    const received = await expectEachOwnEditionOnce(domain, daily, groupOf);
    // Batches mix editions: the keys of accepted calls are ⌈N/100⌉.
    expect(new Set(received.map((e) => e.idempotencyKey)).size).toBe(Math.ceil(daily.length / 100));
    expect((await getDigest(env.KV, report.digestId))!.totals!.sent).toBe(daily.length);
  });

  it("a quota stop mid-list: the rest waits, the next run finishes the same digest, exactly once each", async () => {
    const { domain, settings, groupOf, daily } = await setup("ed-quota");
    await setResendRules(domain, { quotaRemaining: 250 });
    const report = await trigger(settings);
    await waitFor(
      async () => {
        const body = (await (await call(`/admin/digests/${report.digestId}`, { headers: ADMIN_AUTH }, {})).json()) as {
          progress: { pendingBatches: number; deferredBatches: number[] };
        };
        return body.progress.pendingBatches === 0 && body.progress.deferredBatches.length > 0 ? body : null;
      },
      30_000,
      "the quota stop",
    );
    expect(await receivedEmails(domain)).toHaveLength(200);
    await setResendRules(domain, {});
    await clearQuotaPause(env.KV);
    const resumed = await trigger(settings);
    expect(resumed.resumed?.digestId).toBe(report.digestId);
    await waitUntilSent(report.digestId);
    await expectEachOwnEditionOnce(domain, daily, groupOf);
  });

  it("two daily triggers and a weekly one at the same moment: one digest per cadence, each reader their own edition once", async () => {
    const { domain, settings, groupOf, daily, weekly } = await setup("ed-concurrent");
    const reports = await Promise.all([trigger(settings), trigger(settings), trigger(settings, { cadence: "weekly" })]);
    // The second daily trigger either meets the same digest or waits for it (the state already points at it): never a second one.
    expect(reports[1]!.digestId ?? reports[1]!.resumed?.digestId).toBe(reports[0]!.digestId);
    expect(reports[2]!.digestId).not.toBe(reports[0]!.digestId);
    expect(reports[2]).toMatchObject({ recipients: weekly.length, editions: 2 });
    await waitUntilSent(reports[0]!.digestId);
    await waitUntilSent(reports[2]!.digestId);
    const weeklyTag = (e: ReceivedEmail) =>
      e.tags?.some((t) => t.name === "digest" && t.value.startsWith(reports[2]!.digestId.replace(/[^A-Za-z0-9_-]/g, "_"))) ?? false;
    await expectEachOwnEditionOnce(domain, weekly, groupOf, weeklyTag);
    await expectEachOwnEditionOnce(domain, daily, groupOf, (e) => !weeklyTag(e));
    expect((await resendStats(domain)).emails).toBe(daily.length + weekly.length);
  });

  it("every batch message lost: the run 13 hours later enqueues them again, each reader their own edition once", async () => {
    const { domain, settings, groupOf, weekly } = await setup("ed-lost");
    const config = testConfig(settings as Record<string, string>);
    const lostQueue = { send: async () => {}, sendBatch: async () => {} } as unknown as SendQueue;
    const deps = { kv: env.KV, publicUrl: config.publicUrl, maxAgeDays: config.maxAgeDays, feeds: config };
    const dailyBefore = (await getDigestState(env.KV, "daily")).lastDigestId;
    const first = await runDigest({ ...deps, queue: lostQueue, now: () => new Date() }, { cadence: "weekly" });
    expect(first).toMatchObject({ recipients: weekly.length, batchesEnqueued: 2 });
    const later = await runDigest({ ...deps, queue: env.SEND_QUEUE as SendQueue, now: () => new Date(Date.now() + 13 * 3_600_000) }, { cadence: "weekly" });
    expect(later.resumed).toMatchObject({ digestId: first.digestId, batchesEnqueued: 2 });
    await waitUntilSent(first.digestId!);
    await expectEachOwnEditionOnce(domain, weekly, groupOf);
    // The daily state never moved (storage is shared by the tests of this file): the cadences keep their own.
    expect((await getDigestState(env.KV, "daily")).lastDigestId).toBe(dailyBefore);
  });
});
