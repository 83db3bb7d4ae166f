// What the README promises about the send queue, the mail quota and the
// Resend timeout, each driven through the worker's real queue handler
// (index.ts `queue()`) or its real modules, against the local Resend server.
import { createExecutionContext, createMessageBatch, env, getQueueResult, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getBatch, getDigest } from "../src/digest/digest-store";
import { buildBatches, runDigest } from "../src/digest/run-digest";
import worker from "../src/index";
import { createMailer } from "../src/mail/create-mailer";
import { clearQuotaPause, getQuotaPause, pauseForQuota } from "../src/mail/quota-store";
import { DEAD_LETTER_QUEUE } from "../src/queue-consumer";
import type { DigestBatchMessage, SendQueue, SendQueueMessage } from "../src/queue-messages";
import { subscriberIdFor } from "../src/subscribers/subscriber-store";
import { testConfig } from "./support/worker";
import { receivedEmails, resendStats, serveFeed, setResendRules, uniqueDomain, uniqueName } from "./support/servers";
import { natoDate, rss } from "./support/feeds";
import { seedSubscribers } from "./support/seed";
import { runIngest } from "../src/feeds";

const SEND_QUEUE = "nato-digest-send";

// Tests in a file share KV: each starts from an empty one (no readers, digests or quota pause of another test).
beforeEach(async () => {
  await reset();
});

/** Runs the worker's queue handler on one batch of messages, as the platform would, and returns what it acked and retried. */
async function deliver(queue: string, bodies: SendQueueMessage[], attempts = 1, overrides: Partial<Env> = {}) {
  const batch = createMessageBatch<SendQueueMessage>(
    queue,
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  // The delay each retry asked for (getQueueResult records the retry, not its delay).
  const retryDelays: (number | undefined)[] = [];
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    Object.defineProperty(message, "retry", {
      value: (options?: QueueRetryOptions) => {
        retryDelays.push(options?.delaySeconds);
        retry(options);
      },
    });
  }
  const ctx = createExecutionContext();
  const queueHandler = worker.queue as unknown as (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) => Promise<void>;
  await queueHandler(batch as MessageBatch<unknown>, { ...env, ...overrides } as Env, ctx);
  return { ...(await getQueueResult(batch, ctx)), retryDelays };
}

/** A digest record with 100 readers at a fresh domain, its batches held back (the test delivers them itself). */
async function heldDigest(name: string, readers = 100) {
  const domain = uniqueDomain(name);
  await seedSubscribers(domain, readers);
  const feedUrl = await serveFeed(`/${uniqueName(name)}/news.xml`, {
    body: rss([{ title: `${name} release`, link: `https://www.nato.int/${name}.htm`, pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
  });
  await runIngest(testConfig({ FEED_URLS: feedUrl }), env.KV);
  const held: DigestBatchMessage[] = [];
  const queue = { sendBatch: async (messages: { body: DigestBatchMessage }[]) => void held.push(...messages.map((m) => m.body)) } as unknown as SendQueue;
  const report = await runDigest({ kv: env.KV, queue, publicUrl: "https://digest.example.test", maxAgeDays: 7, now: () => new Date() });
  return { domain, digestId: report.digestId!, batches: held };
}

describe("the send queue", () => {
  it("the queue retries a batch itself after the mailer gives up (5xx beyond its attempts), and the retry sends it once", async () => {
    const { domain, digestId, batches } = await heldDigest("queue-retry");
    await setResendRules(domain, { failNext: 4 }); // the mailer's 4 attempts all meet a 500
    const first = await deliver(SEND_QUEUE, batches);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.retryDelays[0]).toBeGreaterThanOrEqual(1);
    expect(first.explicitAcks).toHaveLength(0);
    expect(await getBatch(env.KV, digestId, 0)).toBeNull(); // nothing settled
    // The queue delivers it again later (attempt 2): the fault is over.
    const second = await deliver(SEND_QUEUE, batches, 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect(await receivedEmails(domain)).toHaveLength(100);
    expect(await getBatch(env.KV, digestId, 0)).toMatchObject({ status: "sent", sent: 100 });
  });

  it("the dead-letter queue counts a batch that exhausted its retries as failed, and the digest finishes with it", async () => {
    const { domain, digestId, batches } = await heldDigest("dlq", 150);
    expect(batches).toHaveLength(2);
    // Batch 1 is sent; batch 0 exhausted its retries and lands in the dead-letter queue.
    await deliver(SEND_QUEUE, [batches[1]!]);
    expect((await getDigest(env.KV, digestId))!.status).toBe("sending");
    const dead = await deliver(DEAD_LETTER_QUEUE, [batches[0]!], 4);
    expect(dead.explicitAcks).toHaveLength(1);
    expect(await getBatch(env.KV, digestId, 0)).toMatchObject({ status: "failed", rejected: 100, error: expect.stringMatching(/dead-letter/) });
    const record = (await getDigest(env.KV, digestId))!;
    expect(record.status).toBe("sent"); // finished by the consumer, nobody read its progress
    expect(record.totals).toMatchObject({ sent: 50, failed: 100 });
    expect(await receivedEmails(domain)).toHaveLength(50);
  });

  it("a batch sent after all is not counted as failed by the dead-letter queue", async () => {
    const { digestId, batches } = await heldDigest("dlq-sent");
    await deliver(SEND_QUEUE, batches);
    await deliver(DEAD_LETTER_QUEUE, batches, 9);
    expect(await getBatch(env.KV, digestId, 0)).toMatchObject({ status: "sent", sent: 100 });
  });

  it("the digest is finished by the consumer when an earlier batch settles after the last one (no read needed)", async () => {
    const { digestId, batches } = await heldDigest("late-first", 150);
    await deliver(SEND_QUEUE, [batches[1]!]); // the last batch first
    expect((await getDigest(env.KV, digestId))!.status).toBe("sending");
    await deliver(SEND_QUEUE, [batches[0]!]); // then the first, late (a retry)
    expect((await getDigest(env.KV, digestId))!).toMatchObject({ status: "sent", totals: { sent: 150 } });
  });

  it("a redelivered batch that is already settled is skipped without calling Resend", async () => {
    const { domain, batches } = await heldDigest("settled");
    await deliver(SEND_QUEUE, batches);
    await deliver(SEND_QUEUE, batches, 2);
    expect(await resendStats(domain)).toMatchObject({ requests: 1, acceptedRequests: 1 });
  });
});

describe("the mail quota", () => {
  it("the pause after a quota error ends at the start of the next UTC day, not before, not later", async () => {
    const now = new Date("2026-03-10T15:20:00Z");
    const pause = await pauseForQuota(env.KV, now, "429 daily_quota_exceeded");
    expect(pause.until).toBe("2026-03-11T00:00:00.000Z");
    expect(await getQuotaPause(env.KV, new Date("2026-03-10T23:59:59.999Z"))).not.toBeNull();
    expect(await getQuotaPause(env.KV, new Date("2026-03-11T00:00:00.000Z"))).toBeNull();
    await clearQuotaPause(env.KV);
  });

  it("monthly_quota_exceeded defers the batch and pauses sending, like the daily quota", async () => {
    const { domain, digestId, batches } = await heldDigest("monthly");
    await setResendRules(domain, { quotaRemaining: 0, quotaError: "monthly_quota_exceeded" });
    const result = await deliver(SEND_QUEUE, batches);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await getBatch(env.KV, digestId, 0)).toMatchObject({ status: "deferred", error: expect.stringMatching(/monthly_quota_exceeded/) });
    expect((await getQuotaPause(env.KV, new Date()))?.reason).toMatch(/monthly_quota_exceeded/);
    expect(await resendStats(domain)).toMatchObject({ requests: 1 }); // not retried
    await clearQuotaPause(env.KV);
  });

  it("a quota error on a confirmation email: the queue retries it an hour later, nothing is lost", async () => {
    const domain = uniqueDomain("confirm-quota");
    const [address] = await seedSubscribers(domain, 1, "unconfirmed");
    await setResendRules(domain, { quotaRemaining: 0 });
    const message: SendQueueMessage = { kind: "confirmation", subscriberId: await subscriberIdFor(address!), requestedAt: new Date().toISOString() };
    const result = await deliver(SEND_QUEUE, [message]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.retryDelays).toEqual([3600]);
    expect(await receivedEmails(domain)).toHaveLength(0);
    await setResendRules(domain, {}); // the quota reset
    expect((await deliver(SEND_QUEUE, [message], 2)).explicitAcks).toHaveLength(1);
    expect(await receivedEmails(domain)).toHaveLength(1);
  });
});

describe("RESEND_TIMEOUT_MS", () => {
  it("reaches the Resend client: a call with no answer is abandoned after RESEND_TIMEOUT_MS and retried", async () => {
    const domain = uniqueDomain("config-timeout");
    await setResendRules(domain, { delayNext: 1, delayMs: 5000 });
    const mailer = createMailer(testConfig({ RESEND_TIMEOUT_MS: "400" }), env.KV);
    const email = { from: "NATO Digest <digest@example.test>", to: `reader@${domain}`, subject: "s", html: "<p>x</p>", text: "x" };
    await mailer.sendBatch([email], { idempotencyKey: `k-${domain}` });
    const { requestTimes } = await resendStats(domain);
    // The second attempt follows the abandoned first within the timeout plus the backoff, not after the 5 s answer.
    expect(requestTimes.length).toBeGreaterThanOrEqual(2);
    expect(requestTimes[1]! - requestTimes[0]!).toBeLessThan(2500);
  });
});

// Keep the batch builder honest for the late-first test above.
it("batches are built in recipient order, 100 per batch", () => {
  const recipients = Array.from({ length: 150 }, (_, i) => ({ id: String(i).padStart(3, "0"), email: `r${i}@x.test` }));
  expect(buildBatches("d", recipients).map((b) => b.recipients.length)).toEqual([100, 50]);
});
