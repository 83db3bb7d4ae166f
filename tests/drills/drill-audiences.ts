// The drills' audiences and their checks, shared by the fault drills
// (fault-drills.test.ts: 1,000 readers of the default edition), the
// mixed-edition drills (edition-drills.test.ts: 600 readers of six choices
// over two feeds and both cadences) and the drills run on both
// (audience-drills.test.ts). Progress is read straight from KV: reading it
// through GET /admin/digests/:id would finish the digest as a side effect.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { getDigest } from "../../src/digest/digest-store";
import { getDigestProgress } from "../../src/digest/progress";
import worker from "../../src/index";
import type { Preferences } from "../../src/subscribers/preferences";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { createPersonalToken } from "../../src/subscribers/tokens";
import { ADMIN_AUTH, call, SIGNING_SECRET } from "../support/worker";
import { drainSendQueue } from "../support/queue";
import { natoDate, rss } from "../support/feeds";
import { receivedEmails, resendStats, serveFeed, uniqueDomain, uniqueName, type ReceivedEmail } from "../support/servers";
import { seedReaders, seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";

export const READERS = 1000;

export { call };

/** The daily cron, as Cloudflare fires it. */
export async function dailyCron(settings: Record<string, string>) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 7 * * *", scheduledTime: Date.now() }), { ...env, ...settings } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

export async function setupPlain(name: string, readers = READERS) {
  const domain = uniqueDomain(name);
  const feedUrl = await serveFeed(`/${uniqueName(name)}/news.xml`, {
    body: rss([{ title: `${name} release`, link: `https://www.nato.int/cps/en/natohq/news_${name}.htm`, pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
  });
  const addresses = await seedSubscribers(domain, readers);
  return { domain, feedUrl, addresses };
}

/** The KV binding, except that the writes (put or delete) matching `fails` throw, as a KV outage would. */
export function failingKv(fails: (key: string, writeNumber: number) => boolean, counter = { writes: 0 }): KVNamespace {
  return new Proxy(env.KV, {
    get(target, prop, receiver) {
      if (prop === "put" || prop === "delete") {
        return async (...args: [string, ...unknown[]]) => {
          const writeNumber = ++counter.writes;
          if (fails(String(args[0]), writeNumber)) throw new Error(`KV ${String(prop).toUpperCase()} failed: 500 injected (write ${writeNumber}, ${args[0]})`);
          return (Reflect.get(target, prop, receiver) as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export async function triggerPlain(feedUrl: string, overrides: Partial<Env> = {}) {
  return call("/admin/digest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl, ...overrides });
}

/** Progress from KV, without finishing anything. */
export async function progress(id: string) {
  const record = (await getDigest(env.KV, id))!;
  return { status: record.status, progress: await getDigestProgress(env.KV, record) };
}

/** Waits until the consumer itself marked the digest sent (nothing reads its progress through the API meanwhile). */
export async function waitUntilSent(id: string) {
  return waitFor(async () => (await getDigest(env.KV, id))?.status === "sent", 90_000, `digest ${id} sent`);
}

/** Exactly once: as many emails as readers, each reader once, the record agrees, one accepted call per batch. */
export async function expectExactlyOnce(domain: string, addresses: string[], digestId: string) {
  await drainSendQueue(); // anything still queued (a duplicate batch, say) has been handled
  const received = await receivedEmails(domain);
  const counts = new Map<string, number>();
  for (const email of received) counts.set(email.to[0]!, (counts.get(email.to[0]!) ?? 0) + 1);
  expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
  expect(new Set(counts.keys())).toEqual(new Set(addresses));
  const record = await getDigest(env.KV, digestId);
  expect(record!.totals!.sent).toBe(received.length);
  expect((await resendStats(domain)).acceptedRequests).toBe(Math.ceil(addresses.length / 100));
}

export interface Group {
  prefix: string;
  count: number;
  preferences: Preferences | null;
  /** A title this group's email must contain, and one it must not. */
  has: string;
  hasNot: string;
}

export const GROUPS: Group[] = [
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

export async function setupMixed(name: string) {
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

export async function triggerMixed(settings: Record<string, unknown>, body: object = {}) {
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

/** Each expected reader exactly once, with their own edition's content and their own token; nobody else. */
export async function expectEachOwnEditionOnce(
  domain: string,
  expected: string[],
  groupOf: Map<string, Group>,
  filter: (e: ReceivedEmail) => boolean = () => true,
) {
  const received = (await receivedEmails(domain)).filter(filter);
  const counts = new Map<string, number>();
  for (const email of received) counts.set(email.to[0]!, (counts.get(email.to[0]!) ?? 0) + 1);
  expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
  expect(new Set(counts.keys())).toEqual(new Set(expected));
  for (const email of received) {
    const group = groupOf.get(email.to[0]!)!;
    expect(email.text, email.to[0]).toContain(group.has);
    expect(email.text, email.to[0]).not.toContain(group.hasNot);
    const token = createPersonalToken(SIGNING_SECRET, await subscriberIdFor(email.to[0]!));
    expect(email.headers?.["List-Unsubscribe"]).toContain(`token=${token}`);
  }
  return received;
}
