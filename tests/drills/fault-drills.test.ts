// Fault drills against the local Resend-compatible server, each with 1,000
// confirmed readers. Whatever breaks, every reader ends with the digest
// exactly once, the digest record's counts match what the server got, and
// the server saw exactly one accepted call per batch (replays of the
// idempotency store must not hide a repeated send: Resend forgets keys after
// 24 hours). The quota stop and two triggers at once are in
// audience-drills.test.ts, run on this audience and on the mixed editions.
import { env, reset } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { ingestAndRunDigest } from "../../src/digest";
import { type DigestBatchMessage } from "../../src/queue-messages";
import { getBatch, getDigest, getDigestState } from "../../src/digest/digest-store";
import { getDigestProgress } from "../../src/digest/progress";
import { buildBatches, runDigest } from "../../src/digest/run-digest";
import { sendDigestBatch } from "../../src/digest/send-digest-batch";
import { createMailer } from "../../src/mail/create-mailer";
import { createResendMailer } from "../../src/mail/resend-mailer";
import type { SendQueue } from "../../src/queue-messages";
import { unsubscribeAddress } from "../../src/subscribers/service";
import { subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, SIGNING_SECRET, testConfig } from "../support/worker";
import { drainSendQueue } from "../support/queue";
import { natoDate, rss } from "../support/feeds";
import { receivedEmails, resendServerUrl, resendStats, serveFeed, setResendRules, uniqueDomain, uniqueName } from "../support/servers";
import { seedSubscribers } from "../support/seed";
import { call, expectExactlyOnce, failingKv, READERS, setupPlain, triggerPlain, waitUntilSent } from "./drill-audiences";

beforeEach(async () => {
  await reset();
});

describe("fault drills with 1,000 readers", () => {
  it("a 429 storm (server limited to 3 requests/s): paced, retried, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("storm");
    await setResendRules(domain, { requestsPerSecond: 3 });
    const report = (await (await triggerPlain(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
    const stats = await resendStats(domain);
    console.log(
      `429 storm: ${stats.requests} requests, ${stats.rejectedRequests} answered 429, at ms ${stats.requestTimes.map((t) => t - stats.requestTimes[0]!).join(",")}`,
    );
    // The consumer learnt the limit from the first answer's ratelimit-* headers:
    // at most one call meets a 429, and from the second call on they are
    // spaced by ≥ 1/3 s on average (at 50/s without headers: 429s all along).
    expect(stats.rejectedRequests).toBeLessThanOrEqual(1);
    const times = stats.requestTimes.slice(1);
    expect((times.at(-1)! - times[0]!) / (times.length - 1)).toBeGreaterThanOrEqual(300);
  });

  it("a 5xx on every 3rd call: retried with the same key, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("5xx");
    await setResendRules(domain, { failEvery: 3 });
    const report = (await (await triggerPlain(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
  });

  it("timeouts and lost answers: the send happened, the retry is replayed, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("timeout");
    // Two calls answer after the client gave up (3 s), two more lose their answer after sending.
    await setResendRules(domain, { delayNext: 2, delayMs: 4000, dropAnswerNext: 2 });
    const report = (await (await triggerPlain(feedUrl)).json()) as { digest: { digestId: string } };
    await waitUntilSent(report.digest.digestId);
    await expectExactlyOnce(domain, addresses, report.digest.digestId);
  });

  it("a KV write failure mid-run: the run fails loudly, the next run resumes, exactly once", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("kvfail");
    // Fail the write that marks every batch as enqueued: the batches are in the queue already.
    const failed = await triggerPlain(feedUrl, { KV: failingKv((key) => key.startsWith("v1:digest-enqueued:")) });
    expect(failed.status).toBe(500);
    expect(((await failed.json()) as { error: string }).error).toMatch(/internal error/);
    const id = (await getDigestState(env.KV)).lastDigestId!;
    const again = (await (await triggerPlain(feedUrl)).json()) as { digest: { resumed: { digestId: string } } };
    expect(again.digest.resumed.digestId).toBe(id);
    await waitUntilSent(id);
    await expectExactlyOnce(domain, addresses, id);
    // Every batch went out twice through the queue; the consumer skipped the
    // settled copies without calling Resend.
    expect((await resendStats(domain)).requests).toBe(10);
  });

  it("batch messages lost for good: a run 12 hours later sends them again, exactly once, instead of waiting forever", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("lost");
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
    const report = (await (await triggerPlain(feedUrl)).json()) as { digest: { digestId: string } };
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
      signingSecret: SIGNING_SECRET,
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

  it("readers who unsubscribe after enqueueing are not sent to (the real queue and consumer)", async () => {
    const { domain, feedUrl, addresses } = await setupPlain("late", 200);
    await call("/admin/ingest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl });
    // Hold the run's messages: the recipient list is frozen and the batches
    // are built; two readers leave; then the same messages go through the
    // real send queue to the real consumer and Resend server.
    const held: MessageSendRequest<DigestBatchMessage>[] = [];
    const holdingQueue = { sendBatch: async (messages: MessageSendRequest<DigestBatchMessage>[]) => void held.push(...messages) } as unknown as SendQueue;
    const report = await runDigest({ kv: env.KV, queue: holdingQueue, publicUrl: "https://digest.example.test", maxAgeDays: 7, now: () => new Date() });
    expect(report).toMatchObject({ recipients: 200, batchesEnqueued: 2 });
    await unsubscribeAddress({ kv: env.KV, now: () => new Date() }, addresses[3]!);
    await unsubscribeAddress({ kv: env.KV, now: () => new Date() }, addresses[142]!);
    await env.SEND_QUEUE.sendBatch(held);
    await waitUntilSent(report.digestId!);
    await drainSendQueue();
    const received = (await receivedEmails(domain)).map((e) => e.to[0]);
    expect(received).toHaveLength(198);
    expect(received).not.toContain(addresses[3]);
    expect(received).not.toContain(addresses[142]);
    expect((await getDigest(env.KV, report.digestId!))!.totals).toMatchObject({ sent: 198, skipped: 2 });
  });
});

describe("each KV write of a digest run failing in turn", () => {
  const DAY = 86_400_000;
  const readersPerRun = 150; // two batches

  /** Release A is there from day 0, release B from day 2. The runs' clock is simulated; the consumer's is real. */
  async function scenario(name: string) {
    const domain = uniqueDomain(name);
    const path = `/${uniqueName(name)}/news.xml`;
    const published = natoDate(new Date(Date.now() - 3_600_000));
    const a = { title: `${name} release A`, link: `https://www.nato.int/cps/en/natohq/news_${name}_a.htm`, pubDate: published };
    const b = { title: `${name} release B`, link: `https://www.nato.int/cps/en/natohq/news_${name}_b.htm`, pubDate: published };
    const feedUrl = await serveFeed(path, { body: rss([a]) });
    const addresses = await seedSubscribers(domain, readersPerRun);
    const config = testConfig({ FEED_URLS: feedUrl });
    // Day 0 starts at 01:00 UTC tomorrow, so a retry minutes later is always the same UTC day.
    const start = new Date().setUTCHours(25, 0, 0, 0);
    const run = (day: number, kv: KVNamespace = env.KV) =>
      ingestAndRunDigest(config, { kv, queue: env.SEND_QUEUE as SendQueue, mailer: createMailer(config, env.KV) }, {}, () => new Date(start + day * DAY));
    const addReleaseB = () => serveFeed(path, { body: rss([a, b]) });
    return { domain, addresses, run, addReleaseB, titles: [a.title, b.title] };
  }

  /** Lets whatever the last run enqueued settle: the queue drained, and the current digest (if any) finished by the consumer. */
  async function settle() {
    await drainSendQueue();
    const { lastDigestId } = await getDigestState(env.KV);
    const record = lastDigestId ? await getDigest(env.KV, lastDigestId) : null;
    if (record && record.status !== "sent") {
      const p = await getDigestProgress(env.KV, record);
      // Enqueued batches are all settled by now; unsettled ones were never enqueued (the failed run), and the next run sends them.
      if (p.pendingBatches === 0) await waitUntilSent(record.id);
    }
  }

  it("counts the writes of one run, then fails write 1, 2, … N in turn: every reader gets each release exactly once over the following days", async () => {
    // How many writes a successful run makes (ingest included).
    const counter = { writes: 0 };
    const probe = await scenario("kvcount");
    await probe.run(
      0,
      failingKv(() => false, counter),
    );
    await settle();
    const writes = counter.writes;
    expect(writes).toBeGreaterThanOrEqual(6);
    console.log(`a digest run (ingest included) makes ${writes} KV writes; failing each in turn`);

    const failures: string[] = [];
    for (let n = 1; n <= writes; n++) {
      await drainSendQueue();
      await reset();
      const s = await scenario(`kv${n}`);
      let failedWith = "no error";
      try {
        await s.run(
          0,
          failingKv((_, writeNumber) => writeNumber === n),
        );
      } catch (error) {
        failedWith = String(error);
      }
      // Someone retries the failed run a quarter of an hour later (the same
      // UTC day); then the cron runs each morning; release B appears on day 2.
      await settle();
      await s.run(0.01);
      await settle();
      await s.run(1);
      await settle();
      await s.addReleaseB();
      await s.run(2);
      await settle();
      await s.run(3);
      await settle();

      const received = await receivedEmails(s.domain);
      const perReaderAndRelease = new Map<string, number>();
      for (const email of received) {
        for (const title of s.titles) {
          if (email.text?.includes(title)) perReaderAndRelease.set(`${email.to[0]} ${title}`, (perReaderAndRelease.get(`${email.to[0]} ${title}`) ?? 0) + 1);
        }
      }
      const expected = s.addresses.flatMap((address) => s.titles.map((title) => `${address} ${title}`));
      const twice = [...perReaderAndRelease].filter(([, count]) => count > 1).map(([key]) => key);
      const never = expected.filter((key) => !perReaderAndRelease.has(key));
      if (twice.length || never.length) {
        failures.push(`write ${n} failing (${failedWith.slice(0, 120)}): ${twice.length} reader-releases twice, ${never.length} never`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
