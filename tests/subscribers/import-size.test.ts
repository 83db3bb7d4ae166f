// An import of any size, with every column, within Queues' limits (100
// messages and 256 KB a sendBatch call, 128 KB a message) and a consumer
// invocation within 500 KV operations.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { QUEUE_MAX_MESSAGE_BYTES, queueMessageBytes } from "../../src/lib/queue-batches";
import type { SendQueueMessage } from "../../src/queue-messages";
import { buildImportChunks, IMPORT_CHUNK, IMPORT_CHUNK_MAX_BYTES, importChunk } from "../../src/subscribers/import";
import { parseCsvImport } from "../../src/subscribers/import-parse";
import { editionKeyOf, getEditionPreferences, getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, SIGNING_SECRET } from "../support/worker";
import { uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";
import { countingKv } from "../support/kv-counter";

/** The consumer takes this many messages an invocation (wrangler.toml, [[queues.consumers]] max_batch_size). */
const CONSUMER_BATCH = 10;

const utf8 = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).byteLength;

/** The send queue as Cloudflare's producer treats it: throws over 100 messages, 256 KB a call or 128 KB a message; records each call's size. */
function strictQueue(inner: Queue<SendQueueMessage>, calls: { messages: number; bytes: number }[]): Queue<SendQueueMessage> {
  return {
    send: (body, options) => inner.send(body, options),
    async sendBatch(messages, options) {
      const list = [...messages];
      const sizes = list.map((message) => utf8(message.body));
      const bytes = sizes.reduce((sum, size) => sum + size, 0);
      calls.push({ messages: list.length, bytes });
      if (list.length > 100) throw new Error(`Queue sendBatch failed: batch message count of ${list.length} exceeds limit of 100`);
      if (Math.max(...sizes) > 128_000) throw new Error(`Queue sendBatch failed: message of ${Math.max(...sizes)} bytes exceeds 128000`);
      if (bytes > 256_000) throw new Error(`Queue sendBatch failed: batch size of ${bytes} bytes exceeds limit of 256000`);
      return inner.sendBatch(list, options);
    },
  } as Queue<SendQueueMessage>;
}

/** A KV that counts operations as Workers does: a bulk read counts once. */
function stream(text: string): ReadableStream<Uint8Array> {
  return new Response(text).body!;
}

/** The longest row the CSV import accepts: a 254-character address of 3-byte characters, 10 topics of 40 4-byte letters each. */
function longestRow(index: number): { email: string; topics: string } {
  const local = `${index}`.padEnd(64, "中");
  const domain = `${"中".repeat(63)}.${"中".repeat(63)}.${"中".repeat(61)}`;
  const topics = Array.from({ length: 10 }, (_, topic) =>
    [String.fromCodePoint(0x1d400 + topic), ...String(index), ...Array<string>(40).fill("𝐀")].slice(0, 40).join(""),
  );
  return { email: `${local}@${domain}`, topics: topics.join("; ") };
}

describe("import chunks", () => {
  it("stay well under 128 KB a message with the longest address and topics on every row", async () => {
    const rows = Array.from({ length: 60 }, (_, index) => longestRow(index));
    const parsed = await parseCsvImport(stream(["email,cadence,lang,topics", ...rows.map((row) => `${row.email},weekly,fr,"${row.topics}"`)].join("\n")));
    expect(parsed.invalidRows).toEqual([]);
    expect(parsed.addresses).toHaveLength(60);
    const chunks = buildImportChunks("job", parsed, false);
    expect(chunks.flatMap((chunk) => chunk.addresses)).toEqual(parsed.addresses);
    expect(chunks.flatMap((chunk) => chunk.preferences)).toEqual(parsed.preferences);
    expect(chunks.map((chunk) => chunk.chunkIndex)).toEqual(chunks.map((_, index) => index));
    for (const chunk of chunks) {
      expect(chunk.addresses.length).toBeLessThanOrEqual(IMPORT_CHUNK);
      expect(utf8(chunk)).toBeLessThanOrEqual(IMPORT_CHUNK_MAX_BYTES + 200);
      expect(queueMessageBytes(chunk)).toBeLessThan(QUEUE_MAX_MESSAGE_BYTES / 2);
    }
    console.log(
      `longest rows: ${utf8(chunks[0]) / chunks[0]!.addresses.length} bytes a row, ${chunks[0]!.addresses.length} rows (${utf8(chunks[0])} bytes) a chunk`,
    );
  });

  it("cost at most 45 KV operations each, so a consumer invocation of 10 stays within 450", async () => {
    const domain = uniqueDomain("import-kv");
    // Every row its own choices: an edition key of its own to store (the worst case).
    const lines = Array.from({ length: IMPORT_CHUNK }, (_, index) => `reader${index}@${domain},fr,"alpha ${index}; bravo ${index}"`);
    const parsed = await parseCsvImport(stream(["email,lang,topics", ...lines].join("\n")));
    const [chunk] = buildImportChunks("kvcount", parsed, false);
    expect(chunk!.addresses).toHaveLength(IMPORT_CHUNK);
    const { kv, operations } = countingKv(env.KV);
    const counts = await importChunk(
      { kv, queue: env.SEND_QUEUE, now: () => new Date(), confirmationIntervalMs: 60_000, signingSecret: SIGNING_SECRET },
      chunk!,
    );
    expect(counts).toMatchObject({ added: IMPORT_CHUNK });
    console.log(`a worst-case chunk of ${IMPORT_CHUNK} rows: ${operations()} KV operations`);
    expect(operations()).toBeLessThanOrEqual(45);
    expect(operations() * CONSUMER_BATCH).toBeLessThanOrEqual(500);
    const reader = await getSubscriber(env.KV, await subscriberIdFor(`reader7@${domain}`));
    expect(reader).toMatchObject({ preferences: { lang: "fr", topics: ["alpha 7", "bravo 7"] } });
    // Each row's edition is stored, so a digest run can read it.
    const key = editionKeyOf(reader!.preferences!)!;
    expect((await getEditionPreferences(env.KV, [key])).get(key)).toMatchObject({ lang: "fr", topics: ["alpha 7", "bravo 7"] });
  });
});

describe("POST /admin/subscribers/import with lang and topics columns", () => {
  it("answers 202 for a list whose chunks pass 256 KB a call, splits its sendBatch calls within Queues' limits, and imports every row", async () => {
    const domain = uniqueDomain("import-size");
    const topicSets = [
      "cyber defence; maritime security; air policing; hybrid threats; energy security",
      "partnerships; arms control; summit; exercises; innovation",
    ];
    const rows = 6_000;
    const lines = ["email,lang,topics"];
    for (let i = 0; i < rows; i++) lines.push(`reader${i}@${domain},${i % 2 ? "fr" : "en"},"${topicSets[i % 2]}; reader ${i % 500}"`);
    // Before: 100 chunks of 50 rows a call; this list's first 5,000 rows weigh far more than 256 KB.
    const parsed = await parseCsvImport(stream(lines.join("\n")));
    const oldFirstCall = utf8({ addresses: parsed.addresses.slice(0, 5_000), preferences: parsed.preferences!.slice(0, 5_000) });
    expect(oldFirstCall).toBeGreaterThan(256_000);

    const calls: { messages: number; bytes: number }[] = [];
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("https://digest.example.test/admin/subscribers/import", {
        method: "POST",
        headers: { ...ADMIN_AUTH, "Content-Type": "text/csv" },
        body: lines.join("\n"),
      }),
      { ...env, SEND_QUEUE: strictQueue(env.SEND_QUEUE, calls) },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status, await response.clone().text()).toBe(202);
    const job = (await response.json()) as { id: string; valid: number; chunks: number };
    expect(job.valid).toBe(rows);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.reduce((sum, call) => sum + call.messages, 0)).toBe(job.chunks);
    for (const call of calls) expect(call.bytes).toBeLessThanOrEqual(256_000);
    console.log(`${rows} rows: ${job.chunks} chunks in ${calls.length} sendBatch calls, largest ${Math.max(...calls.map((call) => call.bytes))} bytes`);

    const progress = await waitFor(
      async () => {
        const body = (await (await SELF.fetch(`https://digest.example.test/admin/imports/${job.id}`, { headers: ADMIN_AUTH })).json()) as {
          pending: number;
          totals: Record<string, number>;
        };
        return body.pending === 0 ? body : null;
      },
      90_000,
      `import ${job.id} to finish its ${job.chunks} chunks`,
    );
    expect(progress.totals).toMatchObject({ added: rows });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`reader5999@${domain}`))).toMatchObject({
      status: "confirmed",
      preferences: { lang: "fr", topics: ["partnerships", "arms control", "summit", "exercises", "innovation", "reader 499"] },
    });
  });
});
