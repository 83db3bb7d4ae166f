// Editions at scale, inside workerd with real local KV, against the local
// Resend-compatible server limited to 5 requests/s. Run by `npm run bench`.
//
// 10,000 confirmed readers over 40 editions (20 topic choices × English and
// French; a quarter of the choices weekly), two feeds (English and French).
// The daily run and the weekly run are the real runDigest with a counting
// KV and a recording queue; every message then goes to the real consumer
// function in order (max_concurrency = 1) with the real Resend mailer paced
// at 5 requests/s. Then, on fresh releases, one consumer invocation of 10
// batches of 100 (the real handleSendBatch) is timed with its waits on KV,
// Resend and pacing taken out: what is left is its CPU time.
import { env, reset } from "cloudflare:test";
import { describe, it } from "vitest";
import { getDigests } from "../src/digest/digest-store";
import { type DigestContent, digestRenderStats, personaliseDigest, type StoredDigestContent } from "../src/digest/render-digest";
import { runDigest } from "../src/digest/run-digest";
import { sendDigestBatch } from "../src/digest/send-digest-batch";
import { runIngest } from "../src/feeds";
import type { Mailer } from "../src/mail/mailer";
import { escapeParts, joinBatchBody } from "../src/mail/resend-json";
import { createResendMailer } from "../src/mail/resend-mailer";
import { handleSendBatch } from "../src/queue-consumer";
import type { DigestBatchMessage, SendQueue, SendQueueMessage } from "../src/queue-messages";
import type { Cadence, Lang, Preferences } from "../src/subscribers/preferences";
import { createPersonalToken, createToken } from "../src/subscribers/tokens";
import { benchConfig as testConfig, seedConfirmedReaders } from "./workers-setup";
import { resendServerUrl, resendStats, serveFeed, setResendRules, uniqueDomain, uniqueName } from "./shared/local-servers";
import { natoDate, rss } from "./shared/feed-documents";

const RATE = 5;
const READERS = 10_000;
const TOPIC_SETS: string[][] = [
  [],
  ["cyber"],
  ["ukraine"],
  ["space"],
  ["summit"],
  ["defence"],
  ["maritime"],
  ["arctic"],
  ["training"],
  ["partners"],
  ["energy"],
  ["climate"],
  ["air"],
  ["exercise"],
  ["budget"],
  ["innovation"],
  ["cyber", "space"],
  ["ukraine", "summit"],
  ["otan"],
  ["securite"],
];
const KEYWORDS = [...new Set(TOPIC_SETS.flat())];

/** 40 editions: every topic choice in English and in French; the choices at positions 3, 7, 11, 15, 19 weekly. */
function editionChoices(): Preferences[] {
  const out: Preferences[] = [];
  TOPIC_SETS.forEach((topics, index) => {
    const cadence: Cadence = index % 4 === 3 ? "weekly" : "daily";
    for (const lang of ["en", "fr"] as Lang[]) out.push({ cadence, topics, lang, sources: null });
  });
  return out;
}

interface Timings {
  ops: Record<string, number>;
  waitMs: number;
}

function timedKv(timings: Timings): KVNamespace {
  return new Proxy(env.KV, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const name = String(prop);
        timings.ops[name] = (timings.ops[name] ?? 0) + 1;
        const started = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          timings.waitMs += performance.now() - started;
        }
      };
    },
  }) as KVNamespace;
}

function recordingQueue(sent: DigestBatchMessage[]): SendQueue {
  return {
    async send(body: SendQueueMessage) {
      if (body.kind === "digest-batch") sent.push(body);
    },
    async sendBatch(messages: Iterable<MessageSendRequest<SendQueueMessage>>) {
      for (const message of messages) if (message.body.kind === "digest-batch") sent.push(message.body);
    },
  } as unknown as SendQueue;
}

async function seed(domain: string): Promise<void> {
  const choices = editionChoices();
  await seedConfirmedReaders(domain, READERS, (n) => ({ preferences: choices[n % choices.length]!, withToken: true }));
}

/** Two feeds where every keyword starts a word in some title, so each of the 40 editions has content. */
async function feeds(tag: string): Promise<Record<string, string>> {
  const at = (i: number) => natoDate(new Date(Date.now() - (i + 1) * 600_000));
  const english = KEYWORDS.map((keyword, i) => ({
    title: `Allies discuss ${keyword} at NATO Headquarters`,
    link: `https://www.nato.int/bench/${tag}/en_${i}.htm`,
    description: "Ministers met to discuss defence spending and support to partners.",
    pubDate: at(i),
  }));
  const french = KEYWORDS.map((keyword, i) => ({
    title: `Les Alliés examinent le dossier ${keyword} au siège de l'OTAN`,
    link: `https://www.nato.int/bench/${tag}/fr_${i}.htm`,
    description: "Les ministres se sont réunis pour parler de sécurité et de défense.",
    pubDate: at(i),
  }));
  const en = await serveFeed(`/${uniqueName(`ed-${tag}`)}/en.xml`, { body: rss(english) });
  const fr = await serveFeed(`/${uniqueName(`ed-${tag}`)}/fr.xml`, { body: rss(french) });
  return { FEED_URLS: `${en},${fr}`, FEED_LANGUAGES: `${fr}=fr` };
}

async function runCadence(cadence: Cadence, settings: Record<string, string>, domain: string) {
  const config = testConfig(settings);
  const runTimings: Timings = { ops: {}, waitMs: 0 };
  const enqueued: DigestBatchMessage[] = [];
  const rendersBefore = digestRenderStats.renders;
  const started = Date.now();
  const report = await runDigest(
    {
      kv: timedKv(runTimings),
      queue: recordingQueue(enqueued),
      publicUrl: config.publicUrl,
      maxAgeDays: config.maxAgeDays,
      feeds: config,
      now: () => new Date(),
    },
    { cadence },
  );
  const runMs = Date.now() - started;
  const renders = digestRenderStats.renders - rendersBefore;

  const sendTimings: Timings = { ops: {}, waitMs: 0 };
  const mailer = createResendMailer({ apiKey: "re_bench_key", baseUrl: resendServerUrl(), requestsPerSecond: RATE });
  const deps = {
    kv: timedKv(sendTimings),
    mailer,
    signingSecret: config.signingSecret,
    publicUrl: config.publicUrl,
    emailFrom: config.emailFrom,
    now: () => new Date(),
  };
  const before = await resendStats(domain);
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
  const after = await resendStats(domain);
  return {
    cadence,
    readers: report.recipients,
    editions: report.editions ?? 0,
    readersWithNothing: report.readersWithNothing ?? 0,
    renders,
    batches: enqueued.length,
    resendCalls: after.requests - before.requests,
    resend429: after.rejectedRequests - before.rejectedRequests,
    emails: after.emails - before.emails,
    runKv: runTimings.ops,
    consumerKv: sendTimings.ops,
    runMs,
    totalMs,
    retries,
    messages: enqueued,
  };
}

/** Per reader on the send path, with the edition contents in hand: what one batch costs per email. */
async function perReader(messages: DigestBatchMessage[], secret: string) {
  const message = messages[0]!;
  const runId = message.digestId;
  const editionIds = [...new Set(message.recipients.map((r) => r.edition ?? 0))].map((n) => `${runId}-e${n}`);
  const records = await getDigests(env.KV, editionIds);
  const contents = new Map<number, StoredDigestContent>();
  for (const [id, record] of records) contents.set(Number(id.slice(id.lastIndexOf("-e") + 2)), record.content);
  const recipients = message.recipients;
  const personalise = () =>
    recipients.map((r) =>
      personaliseDigest(contents.get(r.edition ?? 0)!, {
        token: r.token!,
        to: r.email,
        from: "NATO Digest <digest@example.test>",
        publicUrl: "https://digest.example.test",
        digestId: `${runId}-e${r.edition ?? 0}`,
      }),
    );
  for (let i = 0; i < 50; i++) personalise(); // warm up
  const rounds = 500;
  let t = performance.now();
  let checksum = 0;
  for (let i = 0; i < rounds; i++) checksum += personalise().length;
  const sendPathUs = ((performance.now() - t) * 1000) / (rounds * recipients.length);

  // Readers from before personal tokens: the token computed at send time.
  t = performance.now();
  for (let i = 0; i < rounds; i++) for (const r of recipients) checksum += createPersonalToken(secret, r.id).length;
  const lazyTokenUs = ((performance.now() - t) * 1000) / (rounds * recipients.length);

  // What the send path did before: an HMAC signature per reader per digest (Web Crypto).
  t = performance.now();
  for (let i = 0; i < 20; i++) for (const r of recipients) checksum += (await createToken(secret, "unsubscribe", r.id, new Date())).length;
  const oldTokenUs = ((performance.now() - t) * 1000) / (20 * recipients.length);

  // Before: the SDK's request body (JSON.stringify of 100 emails), and its UTF-8 encoding by fetch.
  const emails = personalise();
  const encoder = new TextEncoder();
  t = performance.now();
  for (let i = 0; i < 20; i++) checksum += JSON.stringify(emails).length;
  const serialiseUs = ((performance.now() - t) * 1000) / (20 * recipients.length);
  t = performance.now();
  for (let i = 0; i < 20; i++) checksum += encoder.encode(JSON.stringify(emails)).length;
  const serialiseAndEncodeUs = ((performance.now() - t) * 1000) / (20 * recipients.length);

  // Now: each edition's parts escaped once (per isolate), then per reader the
  // real personaliseDigest with its prebuilt JSON, the mailer's join into one
  // body, and the UTF-8 encoding fetch does: the whole send path per reader.
  t = performance.now();
  for (let i = 0; i < 20; i++) for (const content of contents.values()) checksum += escapeParts(content as DigestContent).htmlParts.length;
  const escapeEditionUs = ((performance.now() - t) * 1000) / (20 * contents.size);
  const escaped = new Map([...contents].map(([index, content]) => [index, escapeParts(content as DigestContent)] as const));
  const personalisePrebuilt = () =>
    recipients.map((r) =>
      personaliseDigest(contents.get(r.edition ?? 0)!, {
        token: r.token!,
        to: r.email,
        from: "NATO Digest <digest@example.test>",
        publicUrl: "https://digest.example.test",
        digestId: `${runId}-e${r.edition ?? 0}`,
        escaped: escaped.get(r.edition ?? 0),
      }),
    );
  // The mailer's body: the emails' UTF-8 chunks copied into one buffer, sent by fetch as is.
  const sendPathWithPayload = () => joinBatchBody(personalisePrebuilt().map((email) => email.resendJson!)).length;
  for (let i = 0; i < 20; i++) checksum += sendPathWithPayload(); // warm up
  t = performance.now();
  for (let i = 0; i < rounds; i++) checksum += sendPathWithPayload();
  const sendPathWithPayloadUs = ((performance.now() - t) * 1000) / (rounds * recipients.length);
  // Where the per-reader time goes: building the emails with their chunks, without the body's copy.
  t = performance.now();
  for (let i = 0; i < rounds; i++) checksum += personalisePrebuilt().length;
  const chunksOnlyUs = ((performance.now() - t) * 1000) / (rounds * recipients.length);
  const prebuiltBody = new TextDecoder().decode(joinBatchBody(personalisePrebuilt().map((email) => email.resendJson!)));
  // What the SDK sends for the same emails (its field names; key order aside).
  const sdkShape = emails.map((e) => ({ from: e.from, to: [e.to], subject: e.subject, html: e.html, text: e.text, headers: e.headers, tags: e.tags }));
  const canonical = (value: unknown): string =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
    );
  const sameJson = canonical(JSON.parse(prebuiltBody)) === canonical(sdkShape);
  const editionsInBatch = contents.size;
  return {
    sendPathUs,
    lazyTokenUs,
    oldTokenUs,
    serialiseUs,
    serialiseAndEncodeUs,
    escapeEditionUs,
    sendPathWithPayloadUs,
    chunksOnlyUs,
    sameJson,
    editionsInBatch,
    bodyBytesPerEmail: JSON.stringify(emails).length / emails.length,
    checksum,
  };
}

/**
 * One consumer invocation of 10 batches of 100 (the real handleSendBatch), its waits on KV, Resend and pacing subtracted.
 * path "sdk": the path before prebuilt bodies, kept measurable: the consumer builds Resend JSON only for a
 * mailer of kind "resend", so the real Resend mailer is handed over under another kind and every batch goes
 * through the SDK's JSON.stringify.
 */
async function consumerInvocation(domain: string, path: "prebuilt" | "sdk", round: number) {
  // Fresh releases for each invocation, so each digest run has something new to send.
  const settings = await feeds(`cpu-${path}-${round}`);
  const config = testConfig(settings);
  await runIngest(config, env.KV, fetch);
  await setResendRules(domain, {});
  const enqueued: DigestBatchMessage[] = [];
  await runDigest(
    { kv: env.KV, queue: recordingQueue(enqueued), publicUrl: config.publicUrl, maxAgeDays: config.maxAgeDays, feeds: config, now: () => new Date() },
    { cadence: "daily" },
  );
  const timings: Timings = { ops: {}, waitMs: 0 };
  let fetchWaitMs = 0;
  let sleepMs = 0;
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
    const started = performance.now();
    try {
      return await realFetch(...args);
    } finally {
      fetchWaitMs += performance.now() - started;
    }
  }) as typeof fetch;
  const acked: string[] = [];
  const batch = {
    queue: "nato-digest-send",
    messages: enqueued.slice(0, 10).map((body, i) => ({
      id: String(i),
      timestamp: new Date(),
      attempts: 1,
      body,
      ack: () => acked.push(String(i)),
      retry: () => {},
    })),
    ackAll() {},
    retryAll() {},
  } as unknown as MessageBatch<SendQueueMessage>;
  const resendMailer = createResendMailer({
    apiKey: "re_bench_key",
    baseUrl: resendServerUrl(),
    requestsPerSecond: 1000,
    sleep: async (ms) => {
      sleepMs += ms;
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  const mailer: Mailer = path === "prebuilt" ? resendMailer : { kind: "outbox", sendBatch: (emails, options) => resendMailer.sendBatch(emails, options) };
  const started = performance.now();
  try {
    await handleSendBatch(batch, { kv: timedKv(timings), queue: recordingQueue([]), mailer, config, now: () => new Date() });
  } finally {
    globalThis.fetch = realFetch;
  }
  const wallMs = performance.now() - started;
  const result = {
    path,
    batches: batch.messages.length,
    emails: enqueued.slice(0, 10).reduce((n, m) => n + m.recipients.length, 0),
    acked: acked.length,
    wallMs,
    kvWaitMs: timings.waitMs,
    resendWaitMs: fetchWaitMs,
    pacingMs: sleepMs,
    cpuMs: wallMs - timings.waitMs - fetchWaitMs - sleepMs,
    kvOps: timings.ops,
  }; // The rest of the digest's batches, untimed: the next digest run waits for this one to finish.
  for (let from = 10; from < enqueued.length; from += 10) {
    const rest = {
      queue: "nato-digest-send",
      messages: enqueued.slice(from, from + 10).map((body, i) => ({ id: `r${from + i}`, timestamp: new Date(), attempts: 1, body, ack() {}, retry() {} })),
      ackAll() {},
      retryAll() {},
    } as unknown as MessageBatch<SendQueueMessage>;
    await handleSendBatch(rest, { kv: env.KV, queue: recordingQueue([]), mailer, config, now: () => new Date() });
  }
  return result;
}

describe("editions at scale", () => {
  it("10,000 readers over 40 editions, daily and weekly", async () => {
    await reset();
    const domain = uniqueDomain("editions10k");
    await setResendRules(domain, { requestsPerSecond: RATE });
    const seedStarted = Date.now();
    await seed(domain);
    const seedMs = Date.now() - seedStarted;
    const settings = await feeds("main");
    await runIngest(testConfig(settings), env.KV, fetch);

    const daily = await runCadence("daily", settings, domain);
    const weekly = await runCadence("weekly", settings, domain);
    const secret = testConfig().signingSecret;
    const perReaderCost = await perReader(daily.messages, secret);
    // Both paths twice, alternating, each on a fresh digest run (fresh edition caches); the faster of each pair is kept.
    const invocations = [];
    for (let round = 0; round < 2; round++) for (const path of ["sdk", "prebuilt"] as const) invocations.push(await consumerInvocation(domain, path, round));
    const fastest = (path: string) => invocations.filter((i) => i.path === path).sort((a, b) => a.cpuMs - b.cpuMs)[0]!;
    const consumer = fastest("prebuilt");
    const consumerSdk = fastest("sdk");
    const strip = ({ messages: _messages, ...rest }: typeof daily) => rest;
    console.log(
      `BENCH_EDITIONS ${JSON.stringify({
        readers: READERS,
        editionsConfigured: editionChoices().length,
        seedMs,
        runs: [strip(daily), strip(weekly)],
        perReader: perReaderCost,
        consumer,
        consumerSdk,
        consumerRuns: invocations.map((i) => ({ path: i.path, cpuMs: i.cpuMs, acked: i.acked })),
        rate: RATE,
      })}`,
    );
  }, 900_000);
});
