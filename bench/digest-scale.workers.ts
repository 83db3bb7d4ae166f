// Digest at scale, inside workerd with real local KV, against the local
// Resend-compatible server limited to 5 requests/s. Run by `npm run bench`
// (vitest.bench.config.ts), never by `npm test`.
//
// For each list size: seed N confirmed readers, ingest a local feed, run the
// digest (the real runDigest) with a counting KV and a queue that records
// what is enqueued, then hand each message to the real consumer function
// (sendDigestBatch) in order, as the queue does with max_concurrency = 1,
// with the real Resend mailer paced at 5 requests/s. Counting wrappers let
// the bench report KV operations per phase; a second run for 1,000 readers
// goes through the real Cloudflare queue for comparison.
import { env, reset, SELF } from "cloudflare:test";
import { describe, it } from "vitest";
import { getDigest } from "../src/digest/digest-store";
import { digestRenderStats } from "../src/digest/render-digest";
import { runDigest } from "../src/digest/run-digest";
import { sendDigestBatch } from "../src/digest/send-digest-batch";
import { runIngest } from "../src/feeds";
import { createResendMailer } from "../src/mail/resend-mailer";
import type { DigestBatchMessage, SendQueue, SendQueueMessage } from "../src/queue-messages";
import { benchConfig as testConfig, seedConfirmedReaders } from "./workers-setup";
import { resendServerUrl, resendStats, serveFeed, setResendRules, uniqueDomain, uniqueName, waitFor } from "./shared/local-servers";
import { natoDate, rss } from "./shared/feed-documents";

const RATE = 5;

function countingKv(counts: Record<string, number>): KVNamespace {
  return new Proxy(env.KV, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const name = String(prop);
        // A bulk read (array of keys) is one operation.
        counts[name] = (counts[name] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as KVNamespace;
}

function recordingQueue(sent: DigestBatchMessage[], calls: { sendBatch: number }): SendQueue {
  return {
    async send(body: SendQueueMessage) {
      if (body.kind === "digest-batch") sent.push(body);
    },
    async sendBatch(messages: Iterable<MessageSendRequest<SendQueueMessage>>) {
      calls.sendBatch++;
      for (const message of messages) if (message.body.kind === "digest-batch") sent.push(message.body);
    },
  } as unknown as SendQueue;
}

async function prepare(readers: number) {
  await reset();
  const domain = uniqueDomain(`scale${readers}`);
  await setResendRules(domain, { requestsPerSecond: RATE });
  const seedStarted = Date.now();
  await seedConfirmedReaders(domain, readers);
  const seedMs = Date.now() - seedStarted;
  const items = Array.from({ length: 12 }, (_, i) => ({
    title: `Scale release ${i}`,
    link: `https://www.nato.int/cps/en/natohq/news_scale_${readers}_${i}.htm`,
    description: "&lt;p&gt;On Wednesday the NATO Secretary General met the Prime Minister to discuss defence spending and support to Ukraine.&lt;/p&gt;",
    pubDate: natoDate(new Date(Date.now() - (i + 1) * 3_600_000)),
  }));
  const feedUrl = await serveFeed(`/${uniqueName("scale")}/news.xml`, { body: rss(items) });
  await runIngest(testConfig({ FEED_URLS: feedUrl }), env.KV, fetch);
  return { domain, seedMs };
}

async function measure(readers: number) {
  const { domain, seedMs } = await prepare(readers);
  const runKv: Record<string, number> = {};
  const sendKv: Record<string, number> = {};
  const enqueued: DigestBatchMessage[] = [];
  const queueCalls = { sendBatch: 0 };
  const rendersBefore = digestRenderStats.renders;
  const config = testConfig();

  const started = Date.now();
  const report = await runDigest({
    kv: countingKv(runKv),
    queue: recordingQueue(enqueued, queueCalls),
    publicUrl: config.publicUrl,
    maxAgeDays: config.maxAgeDays,
    now: () => new Date(),
  });
  const runMs = Date.now() - started;

  const mailer = createResendMailer({ apiKey: "re_bench_key", baseUrl: resendServerUrl(), requestsPerSecond: RATE });
  const deps = {
    kv: countingKv(sendKv),
    mailer,
    signingSecret: config.signingSecret,
    publicUrl: config.publicUrl,
    emailFrom: config.emailFrom,
    now: () => new Date(),
  };
  let retries = 0;
  for (const message of enqueued) {
    for (;;) {
      const outcome = await sendDigestBatch(deps, message);
      if (outcome.status !== "retry") break;
      retries++;
      await new Promise((resolve) => setTimeout(resolve, outcome.retryAfterSeconds * 1000));
    }
  }
  const totalMs = Date.now() - started;
  const stats = await resendStats(domain);
  const record = await getDigest(env.KV, report.digestId!);
  return {
    readers,
    seedMs,
    batches: enqueued.length,
    queueSendBatchCalls: queueCalls.sendBatch,
    renders: digestRenderStats.renders - rendersBefore,
    resendCalls: stats.requests,
    resendCallsMinimum: Math.ceil(readers / 100),
    resend429: stats.rejectedRequests,
    emailsReceived: stats.emails,
    recordSent: record?.totals?.sent ?? null,
    runKv,
    sendKv,
    listCalls: runKv.list ?? 0,
    listCallsMinimum: Math.ceil(readers / 1000),
    runMs,
    totalMs,
    floorMs: (Math.ceil(readers / 100) / RATE) * 1000,
    retries,
  };
}

async function measureThroughQueue(readers: number) {
  const { domain } = await prepare(readers);
  const config = testConfig();
  const started = Date.now();
  const report = await runDigest({
    kv: env.KV,
    queue: env.SEND_QUEUE as SendQueue,
    publicUrl: config.publicUrl,
    maxAgeDays: config.maxAgeDays,
    now: () => new Date(),
  });
  await waitFor(async () => (await resendStats(domain)).emails >= readers, 600_000, "every email at the Resend server");
  const totalMs = Date.now() - started;
  const stats = await resendStats(domain);
  return {
    readers,
    digestId: report.digestId,
    resendCalls: stats.requests,
    resend429: stats.rejectedRequests,
    emailsReceived: stats.emails,
    totalMs,
    floorMs: (Math.ceil(readers / 100) / RATE) * 1000,
  };
}

describe("digest at scale", () => {
  it("measures 1,000 and 10,000 readers", async () => {
    const results = [await measure(1000), await measure(10_000)];
    const queued = await measureThroughQueue(1000);
    console.log(`BENCH_DIGEST ${JSON.stringify({ results, queued })}`);
  }, 900_000);

  it("imports 100,000 rows", async () => {
    await reset();
    const domain = uniqueDomain("import100k");
    const csv = ["email,name", ...Array.from({ length: 100_000 }, (_, i) => `reader${i}@${domain},Reader ${i}`)].join("\n");
    const started = Date.now();
    const response = await SELF.fetch("https://digest.example.test/admin/subscribers/import", {
      method: "POST",
      headers: { Authorization: "Bearer bench-admin-token-0123456789", "Content-Type": "text/csv" },
      body: csv,
    });
    const job = (await response.json()) as { id: string; rows: number; valid: number; chunks: number };
    const acceptedMs = Date.now() - started;
    const progress = await waitFor(
      async () => {
        const p = (await (
          await SELF.fetch(`https://digest.example.test/admin/imports/${job.id}`, { headers: { Authorization: "Bearer bench-admin-token-0123456789" } })
        ).json()) as {
          pending: number;
          totals: { added: number };
        };
        return p.pending === 0 ? p : null;
      },
      900_000,
      "the import",
    );
    console.log(
      `BENCH_IMPORT ${JSON.stringify({ rows: job.rows, valid: job.valid, chunks: job.chunks, added: progress.totals.added, acceptedMs, totalMs: Date.now() - started, csvBytes: csv.length })}`,
    );
  }, 900_000);
});
