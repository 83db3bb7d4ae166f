// Fault drills with mixed editions: 600 readers of six choices (English and
// French, topics, both cadences) over two feeds. Batches mix editions; under
// 429s, 5xx and lost messages every reader still gets their own edition
// exactly once, and weekly and daily readers never get each other's. The
// quota stop and concurrent triggers are in audience-drills.test.ts, run on
// this audience and on the fault drills' one.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigest, getDigestState } from "../../src/digest/digest-store";
import { runDigest } from "../../src/digest/run-digest";
import type { SendQueue } from "../../src/queue-messages";
import { setResendRules } from "../support/servers";
import { testConfig } from "../support/worker";
import { call, expectEachOwnEditionOnce, setupMixed, triggerMixed, waitUntilSent } from "./drill-audiences";

beforeEach(async () => {
  await reset();
});

describe("mixed-edition fault drills (600 readers, 6 editions, 2 cadences)", () => {
  it("a 429 storm and a 5xx on every 3rd call: each daily reader gets their own edition exactly once, in ⌈N/100⌉ accepted calls", async () => {
    const { domain, settings, groupOf, daily } = await setupMixed("ed-storm");
    await setResendRules(domain, { requestsPerSecond: 3, failEvery: 3 });
    const report = await triggerMixed(settings);
    expect(report).toMatchObject({ recipients: daily.length, editions: 4 });
    await waitUntilSent(report.digestId);
    const received = await expectEachOwnEditionOnce(domain, daily, groupOf);
    // Batches mix editions: the keys of accepted calls are ⌈N/100⌉.
    expect(new Set(received.map((e) => e.idempotencyKey)).size).toBe(Math.ceil(daily.length / 100));
    expect((await getDigest(env.KV, report.digestId))!.totals!.sent).toBe(daily.length);
  });

  it("every batch message lost: the run 13 hours later enqueues them again, each reader their own edition once", async () => {
    const { domain, settings, groupOf, weekly } = await setupMixed("ed-lost");
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
