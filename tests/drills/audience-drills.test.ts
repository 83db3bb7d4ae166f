// The drills every audience goes through: 1,000 readers of the default
// edition, and 600 readers of six choices (languages, topics, two feeds, both
// cadences) whose batches mix editions. Two triggers at the same moment make
// one digest per cadence; a quota stop mid-list leaves the rest waiting for
// the reset, and the next run finishes the same digest first. Every reader
// gets their own edition exactly once, in one accepted call per batch.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigestState } from "../../src/digest/digest-store";
import { clearQuotaPause, getQuotaPause } from "../../src/mail/quota-store";
import { ADMIN_AUTH } from "../support/worker";
import { type ReceivedEmail, receivedEmails, resendStats, setResendRules } from "../support/servers";
import { waitFor } from "../support/kv";
import { call, dailyCron, expectEachOwnEditionOnce, expectExactlyOnce, progress, setupMixed, setupPlain, waitUntilSent } from "./drill-audiences";

beforeEach(async () => {
  await reset();
});

type Cadence = "daily" | "weekly";

interface Audience {
  /** The settings of every request (the feeds). */
  settings: Record<string, string>;
  domain: string;
  readers: Record<Cadence, string[]>;
  /** Each of `expected` exactly once with their own edition, among the emails `filter` keeps. */
  expectEachOnce(expected: string[], filter?: (email: ReceivedEmail) => boolean): Promise<void>;
}

const AUDIENCES: { name: string; cadences: Cadence[]; quotaRemaining: number; setup(name: string): Promise<Audience> }[] = [
  {
    name: "1,000 readers, one edition",
    cadences: ["daily"],
    quotaRemaining: 450,
    async setup(name) {
      const { domain, feedUrl, addresses } = await setupPlain(name);
      return {
        settings: { FEED_URLS: feedUrl },
        domain,
        readers: { daily: addresses, weekly: [] },
        expectEachOnce: async (expected) => expectExactlyOnce(domain, expected, (await getDigestState(env.KV, "daily")).lastDigestId!),
      };
    },
  },
  {
    name: "600 readers, 6 editions, 2 cadences",
    cadences: ["daily", "weekly"],
    quotaRemaining: 250,
    async setup(name) {
      const { domain, settings, groupOf, daily, weekly } = await setupMixed(name);
      return {
        settings,
        domain,
        readers: { daily, weekly },
        expectEachOnce: async (expected, filter) => {
          await expectEachOwnEditionOnce(domain, expected, groupOf, filter);
        },
      };
    },
  },
];

async function trigger(settings: Record<string, string>, cadence: Cadence = "daily") {
  const response = await call(
    "/admin/digest",
    { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body: JSON.stringify({ cadence }) },
    settings,
  );
  expect(response.status).toBe(200);
  return ((await response.json()) as { digest: { digestId: string | null; recipients: number; resumed: { digestId: string; batchesEnqueued: number } | null } })
    .digest;
}

const tagOf = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, "_");

describe.each(AUDIENCES)("$name", (audience) => {
  it("two daily triggers (and a weekly one, when there are weekly readers) at the same moment: one digest per cadence, each reader their own edition exactly once", async () => {
    const { settings, domain, readers, expectEachOnce } = await audience.setup("twice");
    const reports = await Promise.all([
      trigger(settings),
      trigger(settings),
      ...audience.cadences.filter((c) => c === "weekly").map((c) => trigger(settings, c)),
    ]);
    // The second daily trigger either meets the same digest or waits for it (the state already points at it): never a second one.
    const daily = reports[0]!.digestId ?? reports[1]!.digestId;
    expect(daily).toBeTruthy();
    expect(reports[1]!.digestId ?? reports[1]!.resumed?.digestId).toBe(daily);
    await waitUntilSent(daily!);
    const weekly = reports[2]?.digestId;
    if (weekly) {
      expect(weekly).not.toBe(daily);
      expect(reports[2]!.recipients).toBe(readers.weekly.length);
      await waitUntilSent(weekly);
      const isWeekly = (e: ReceivedEmail) => e.tags?.some((t) => t.name === "digest" && t.value.startsWith(tagOf(weekly))) ?? false;
      await expectEachOnce(readers.weekly, isWeekly);
      await expectEachOnce(readers.daily, (e) => !isWeekly(e));
    } else await expectEachOnce(readers.daily);
    expect((await resendStats(domain)).emails).toBe(readers.daily.length + (weekly ? readers.weekly.length : 0));
    console.log(`two triggers (${audience.name}): Resend calls ${(await resendStats(domain)).requests}`);
  });

  it("a quota stop mid-list: the rest waits for the reset (the cron and a manual send meet it again), the next run finishes the same digest first, exactly once each", async () => {
    const { settings, domain, readers, expectEachOnce } = await audience.setup("quota");
    const batches = Math.ceil(readers.daily.length / 100);
    const accepted = Math.floor(audience.quotaRemaining / 100);
    await setResendRules(domain, { quotaRemaining: audience.quotaRemaining });
    const id = (await trigger(settings)).digestId!;
    const stopped = await waitForProgress(id, (p) => p.progress.pendingBatches === 0 && p.progress.deferredBatches.length > 0, "the quota stop");
    expect(stopped.status).toBe("sending");
    expect(stopped.progress.totals.sent).toBe(accepted * 100);
    expect(stopped.progress.deferredBatches).toHaveLength(batches - accepted);
    // One call met the quota; the other deferred batches never called Resend.
    expect((await resendStats(domain)).requests).toBe(accepted + 1);
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect((await getQuotaPause(env.KV, new Date()))?.until).toBe(midnight.toISOString());
    // Still paused: the daily cron waits and sends nothing more.
    await dailyCron(settings);
    expect((await getDigestState(env.KV)).lastRun?.reason).toMatch(/paused by the mail quota/);
    expect(await receivedEmails(domain)).toHaveLength(accepted * 100);

    // A manual send lifts the pause and tries again; the quota is still
    // spent, so the first call meets it and the pause is set again.
    const retried = await trigger(settings);
    expect(retried.resumed).toMatchObject({ digestId: id, batchesEnqueued: batches - accepted });
    await waitForProgress(
      id,
      async (p) =>
        p.progress.pendingBatches === 0 && p.progress.deferredBatches.length === batches - accepted && (await getQuotaPause(env.KV, new Date())) !== null,
      "the quota stop after the manual retry",
    );
    expect((await resendStats(domain)).requests).toBe(accepted + 2);
    expect(await receivedEmails(domain)).toHaveLength(accepted * 100);

    // The quota resets (the pause ending at midnight is tested in
    // tests/promises/queue-and-quota.test.ts): the consumer runs on the real
    // clock, so the day change is played by lifting the pause.
    await setResendRules(domain, {});
    await clearQuotaPause(env.KV);
    const resumed = await trigger(settings);
    expect(resumed.resumed).toMatchObject({ digestId: id, batchesEnqueued: batches - accepted });
    await waitUntilSent(id);
    await expectEachOnce(readers.daily);
  });
});

/** Waits until the digest's progress (from KV) passes `check`. */
async function waitForProgress(id: string, check: (p: Awaited<ReturnType<typeof progress>>) => boolean | Promise<boolean>, what: string) {
  return waitFor(
    async () => {
      const p = await progress(id);
      return (await check(p)) ? p : null;
    },
    30_000,
    what,
  ).catch(async (error) => {
    console.log(`${what}: progress`, JSON.stringify(await progress(id)));
    throw error;
  });
}
