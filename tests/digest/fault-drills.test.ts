// Fault drills against the local Resend-compatible server, each with 1,000
// confirmed readers. Whatever breaks, every reader ends with the digest
// exactly once, and the digest record's counts match what the server got.
import { createExecutionContext, createScheduledController, env, reset, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getBatch, getDigest, getDigestState } from "../../src/digest/digest-store";
import { buildBatches, runDigest } from "../../src/digest/run-digest";
import { sendDigestBatch } from "../../src/digest/send-digest-batch";
import worker from "../../src/index";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { clearQuotaPause, getQuotaPause } from "../../src/mail/quota-store";
import type { SendQueue } from "../../src/queue-messages";
import { unsubscribeAddress } from "../../src/subscribers/service";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import {
  ADMIN_AUTH,
  natoDate,
  receivedEmails,
  resendServerUrl,
  resendStats,
  rss,
  seedSubscribers,
  serveFeed,
  setResendRules,
  uniqueDomain,
  uniqueName,
  waitFor,
} from "../helpers";

const READERS = 1000;

async function call(path: string, init: RequestInit, overrides: Partial<Env> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`https://digest.example.test${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** The daily cron, as Cloudflare fires it. */
async function dailyCron(feedUrl: string) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 7 * * *", scheduledTime: Date.now() }), { ...env, FEED_URLS: feedUrl } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

async function setup(name: string, readers = READERS) {
  const domain = uniqueDomain(name);
  const feedUrl = await serveFeed(`/${uniqueName(name)}/news.xml`, {
    body: rss([{ title: `${name} release`, link: `https://www.nato.int/cps/en/natohq/news_${name}.htm`, pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
  });
  const addresses = await seedSubscribers(domain, readers);
  return { domain, feedUrl, addresses };
}

async function trigger(feedUrl: string, overrides: Partial<Env> = {}) {
  return call("/admin/digest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl, ...overrides });
}

async function progress(id: string) {
  return (await (await call(`/admin/digests/${id}`, { headers: ADMIN_AUTH })).json()) as {
    status: string;
    progress: { sent: number; failed: number; pending: number; pendingBatches: number; deferredBatches: number[]; totals: { sent: number } };
  };
}

async function waitUntilSent(id: string) {
  return waitFor(
    async () => {
      const p = await progress(id);
      return p.status === "sent" ? p : null;
    },
    90_000,
    `digest ${id} sent`,
  );
}

/** Exactly once: as many emails as readers, each reader once, and the record agrees. */
async function expectExactlyOnce(domain: string, addresses: string[], digestId: string) {
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let stragglers land, if any
  const received = await receivedEmails(domain);
  const counts = new Map<string, number>();
  for (const email of received) counts.set(email.to[0]!, (counts.get(email.to[0]!) ?? 0) + 1);
  expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
  expect(new Set(counts.keys())).toEqual(new Set(addresses));
  const record = await getDigest(env.KV, digestId);
  expect(record!.totals!.sent).toBe(received.length);
}

beforeEach(async () => {
  await reset();
});

describe("fault drills with 1,000 readers", () => {
  it("a 429 storm (server limited to 3 requests/s): paced, retried, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setup("storm");
    await setResendRules(domain, { requestsPerSecond: 3 });
    const report = (await (await trigger(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
    const stats = await resendStats(domain);
    console.log(
      `429 storm: ${stats.requests} requests, ${stats.rejectedRequests} answered 429, at ms ${stats.requestTimes.map((t) => t - stats.requestTimes[0]!).join(",")}`,
    );
  });

  it("a 5xx on every 3rd call: retried with the same key, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setup("5xx");
    await setResendRules(domain, { failEvery: 3 });
    const report = (await (await trigger(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
  });

  it("timeouts and lost answers: the send happened, the retry is replayed, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setup("timeout");
    // Two calls answer after the client gave up (3 s), two more lose their answer after sending.
    await setResendRules(domain, { delayNext: 2, delayMs: 4000, dropAnswerNext: 2 });
    const report = (await (await trigger(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
  });

  it("quota exhausted mid-list: the rest waits for the reset, the next run finishes it first", async () => {
    const { domain, feedUrl, addresses } = await setup("quota");
    await setResendRules(domain, { quotaRemaining: 450 });
    const report = (await (await trigger(feedUrl)).json()) as { digest: { digestId: string } };
    const id = report.digest.digestId;
    const stopped = await waitFor(
      async () => {
        const p = await progress(id);
        return p.progress.pendingBatches === 0 && p.progress.deferredBatches.length > 0 ? p : null;
      },
      30_000,
      "the quota stop",
    ).catch(async (error) => {
      console.log("quota drill progress:", JSON.stringify(await progress(id)), JSON.stringify(await resendStats(domain)));
      throw error;
    });
    expect(stopped.status).toBe("sending");
    expect(stopped.progress.sent).toBe(400);
    expect(stopped.progress.pending).toBe(600);
    // One call met the quota; the other deferred batches never called Resend.
    expect((await resendStats(domain)).requests).toBe(5);
    expect(await getQuotaPause(env.KV, new Date())).not.toBeNull();
    // Still paused: the daily cron waits and sends nothing more.
    await dailyCron(feedUrl);
    expect((await getDigestState(env.KV)).lastRun?.reason).toMatch(/paused by the mail quota/);
    expect(await receivedEmails(domain)).toHaveLength(400);
    expect((await resendStats(domain)).requests).toBe(5);

    // A manual send lifts the pause and tries again; the quota is still
    // spent, so the first call meets it and the pause is set again.
    const retried = (await (await trigger(feedUrl)).json()) as { digest: { resumed: { digestId: string; batchesEnqueued: number } } };
    expect(retried.digest.resumed).toMatchObject({ digestId: id, batchesEnqueued: 6 });
    await waitFor(
      async () => {
        const p = await progress(id);
        return p.progress.pendingBatches === 0 && p.progress.deferredBatches.length === 6 && (await getQuotaPause(env.KV, new Date())) ? p : null;
      },
      30_000,
      "the quota stop after the manual retry",
    );
    expect((await resendStats(domain)).requests).toBe(6);
    expect(await receivedEmails(domain)).toHaveLength(400);

    // The quota resets (a new day): the next run finishes this digest before anything else.
    await setResendRules(domain, {});
    await clearQuotaPause(env.KV);
    const resumed = (await (await trigger(feedUrl)).json()) as { digest: { resumed: { digestId: string; batchesEnqueued: number } } };
    expect(resumed.digest.resumed).toMatchObject({ digestId: id, batchesEnqueued: 6 });
    await waitUntilSent(id);
    await expectExactlyOnce(domain, addresses, id);
  });

  it("a KV write failure mid-run: the run fails loudly, the next run resumes, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setup("kvfail");
    let puts = 0;
    const failingKv = new Proxy(env.KV, {
      get(target, prop, receiver) {
        if (prop === "put") {
          return async (...args: Parameters<KVNamespace["put"]>) => {
            // Fail on the write that would mark every batch as enqueued.
            if (String(args[0]).startsWith("v1:digest-enqueued:") && puts++ === 0) throw new Error("KV PUT failed: 500 injected");
            return target.put(...args);
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const failed = await trigger(feedUrl, { KV: failingKv });
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: string }).error).toMatch(/internal error/);
    const state = (await (await call("/admin/status", { headers: ADMIN_AUTH })).json()) as { digest: { lastDigestId: string } };
    const id = state.digest.lastDigestId;
    const again = (await (await trigger(feedUrl)).json()) as { digest: { resumed: { digestId: string } } };
    expect(again.digest.resumed.digestId).toBe(id);
    await waitUntilSent(id);
    await expectExactlyOnce(domain, addresses, id);
  });

  it("two triggers at the same moment: one digest, every reader exactly once", async () => {
    const { domain, feedUrl, addresses } = await setup("twice");
    const responses = await Promise.all([trigger(feedUrl), trigger(feedUrl)]);
    const reports = (await Promise.all(responses.map((r) => r.json()))) as { digest: { digestId: string | null; batchesEnqueued: number } }[];
    const ids = new Set(reports.map((r) => r.digest.digestId).filter(Boolean));
    expect(ids.size).toBe(1);
    const id = [...ids][0]!;
    await waitUntilSent(id);
    await expectExactlyOnce(domain, addresses, id);
    console.log(
      `two triggers: batches enqueued ${reports.map((r) => r.digest.batchesEnqueued).join(" + ")}, Resend calls ${(await resendStats(domain)).requests}`,
    );
  });

  it("batch messages lost for good: a run 12 hours later sends them again, exactly once, instead of waiting forever", async () => {
    const { domain, feedUrl, addresses } = await setup("lost");
    await call("/admin/ingest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl });
    const lostQueue = { send: async () => {}, sendBatch: async () => {} } as unknown as SendQueue;
    const config = { kv: env.KV, publicUrl: "https://digest.example.test", maxAgeDays: 7 };
    const first = await runDigest({ ...config, queue: lostQueue, now: () => new Date() });
    expect(first).toMatchObject({ recipients: READERS, batchesEnqueued: 10 });

    // An hour on, the batches may still be in the queue: the run waits and re-sends nothing.
    const soon = await runDigest({ ...config, queue: env.SEND_QUEUE as SendQueue, now: () => new Date(Date.now() + 3_600_000) });
    expect(soon.resumed).toMatchObject({ digestId: first.digestId, batchesEnqueued: 0 });
    expect(soon.skipped).toMatch(/still sending \(10 of 10 batches left\)/);

    const later = await runDigest({ ...config, queue: env.SEND_QUEUE as SendQueue, now: () => new Date(Date.now() + 13 * 3_600_000) });
    expect(later.resumed).toMatchObject({ digestId: first.digestId, batchesEnqueued: 10 });
    await waitUntilSent(first.digestId!);
    await expectExactlyOnce(domain, addresses, first.digestId!);
  });

  it("a consumer killed between Resend's answer and the ack: the redelivered batch is replayed, not resent", async () => {
    const domain = uniqueDomain("crash");
    const addresses = await seedSubscribers(domain, 100);
    const ids = await Promise.all(addresses.map(subscriberIdFor));
    const feedUrl = await serveFeed(`/${uniqueName("crash")}/news.xml`, {
      body: rss([{ title: "Crash drill", link: "https://www.nato.int/crash.htm", pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
    });
    // A digest record to send from; its own batches go through the real queue.
    const report = (await (await trigger(feedUrl)).json()) as { digest: { digestId: string } };
    const digestId = report.digest.digestId;
    await waitUntilSent(digestId);
    expect(await receivedEmails(domain)).toHaveLength(100);

    // Replay batch 0 as a redelivery after a crash that lost the batch record:
    // the consumer dies right after Resend answered, before recording it.
    const [message] = buildBatches(
      digestId,
      addresses.map((email, i) => ({ id: ids[i]!, email })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    await env.KV.delete(`v1:digest-batch:${digestId}:000000`);
    const crashingKv = new Proxy(env.KV, {
      get(target, prop, receiver) {
        if (prop === "put")
          return async () => {
            throw new Error("isolate killed");
          };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const deps = {
      mailer,
      signingSecret: "test-signing-secret-0123456789abcdef",
      publicUrl: "https://digest.example.test",
      emailFrom: "NATO Digest <digest@example.test>",
      now: () => new Date(),
    };
    await expect(sendDigestBatch({ ...deps, kv: crashingKv }, message!)).rejects.toThrow(/isolate killed/);
    const redelivered = await sendDigestBatch({ ...deps, kv: env.KV }, message!);
    expect(redelivered.status).toBe("done");
    expect(await getBatch(env.KV, digestId, 0)).toMatchObject({ status: "sent", sent: 100 });
    expect(await receivedEmails(domain)).toHaveLength(100);
  });

  it("readers who unsubscribe after enqueueing are not sent to", async () => {
    const domain = uniqueDomain("late");
    const addresses = await seedSubscribers(domain, 100);
    const ids = await Promise.all(addresses.map(subscriberIdFor));
    const feedUrl = await serveFeed(`/${uniqueName("late")}/news.xml`, {
      body: rss([{ title: "Late drill", link: "https://www.nato.int/late.htm", pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
    });
    const report = (await (await trigger(feedUrl, { RESEND_API_KEY: "" } as Partial<Env>)).json()) as { digest: { digestId: string } };
    // (The digest above went to the outbox; now send its batch by hand after two readers left.)
    const digestId = report.digest.digestId;
    await unsubscribeAddress({ kv: env.KV, now: () => new Date() }, addresses[3]!);
    await unsubscribeAddress({ kv: env.KV, now: () => new Date() }, addresses[42]!);
    const [message] = buildBatches(
      `${digestId}`,
      addresses.map((email, i) => ({ id: ids[i]!, email })),
    );
    await env.KV.delete(`v1:digest-batch:${digestId}:000000`);
    const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const outcome = await sendDigestBatch(
      {
        kv: env.KV,
        mailer,
        signingSecret: "test-signing-secret-0123456789abcdef",
        publicUrl: "https://digest.example.test",
        emailFrom: "NATO Digest <digest@example.test>",
        now: () => new Date(),
      },
      message!,
    );
    expect(outcome).toMatchObject({ status: "done", record: { sent: 98, skipped: 2 } });
    const received = (await receivedEmails(domain)).map((e) => e.to[0]);
    expect(received).toHaveLength(98);
    expect(received).not.toContain(addresses[3]);
    expect(received).not.toContain(addresses[42]);
  });
});
