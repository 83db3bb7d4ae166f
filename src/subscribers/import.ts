// List import for operators moving from another tool. The upload is parsed
// and validated at once (import-parse.ts); the writes fan out through the
// send queue in chunks of at most 20 addresses and 48 KB, sent within Queues'
// limits per call (lib/queue-batches.ts), so each consumer invocation stays
// within 450 KV operations however long the list is (see IMPORT_CHUNK).
// Imported addresses become confirmed with consent source "import" (the
// operator vouches for consent), or get the double opt-in email with
// ?optin=1. Suppressed and unsubscribed addresses are left as they are: an
// import never overrides a reader's own choice or a bounce.
// Keys owned here: v1:import:<id> (the job) and v1:import-chunk:<id>:<n>.
import { sendInBatches } from "../lib/queue-batches";
import type { ImportChunkMessage, SendQueue } from "../queue-messages";
import type { ParsedImport } from "./import-parse";
import type { Preferences } from "./preferences";
import { withPersonalToken } from "./service";
import { newSubscriber, requestSubscription, type Subscriber } from "./subscriber";
import { newTokenGeneration } from "./tokens";
import { getSubscribersByIds, saveEditionPreferencesOf, saveSubscriber, subscriberIdFor } from "./subscriber-store";

/**
 * KV operations per chunk message, at worst: 1 read (chunk done?) + 1 bulk
 * read (the records) + 1 bulk read (their unsubscribe/suppression stop keys)
 * + 1 bulk read (edition keys) + 20 edition writes (every row with choices of
 * its own) + 20 record writes + 1 write (chunk done) = 45; the consumer takes
 * 10 messages an invocation (wrangler.toml), so ≤ 450.
 */
export const IMPORT_CHUNK = 20;
/** A chunk's JSON stays far under Queues' 128 KB a message (the longest rows the import accepts are about 2.4 KB each). */
export const IMPORT_CHUNK_MAX_BYTES = 48_000;
const JOB = "v1:import:";
const CHUNK = "v1:import-chunk:";

export interface ImportJob {
  id: string;
  createdAt: string;
  optIn: boolean;
  rows: number;
  valid: number;
  duplicates: number;
  invalid: number;
  invalidRows: ParsedImport["invalidRows"];
  chunks: number;
}

export interface ChunkCounts {
  added: number;
  confirmed: number;
  alreadySubscribed: number;
  keptUnsubscribed: number;
  keptSuppressed: number;
  optInSent: number;
}

export type ImportOutcome = keyof ChunkCounts;

/** What importing one address does to its record. Pure. */
export function planImport(
  existing: Subscriber | null,
  input: { id: string; email: string; preferences?: Preferences },
  optIn: boolean,
  now: Date,
  confirmationIntervalMs: number,
): { subscriber: Subscriber | null; outcome: ImportOutcome; sendConfirmation: boolean } {
  if (existing?.status === "suppressed") return { subscriber: null, outcome: "keptSuppressed", sendConfirmation: false };
  if (existing?.status === "unsubscribed") return { subscriber: null, outcome: "keptUnsubscribed", sendConfirmation: false };
  if (existing?.status === "confirmed") return { subscriber: null, outcome: "alreadySubscribed", sendConfirmation: false };
  const at = now.toISOString();
  if (optIn) {
    const outcome = requestSubscription(existing, { ...input, source: "import" }, now, confirmationIntervalMs);
    if (!outcome.sendConfirmation) return { subscriber: outcome.changed ? outcome.subscriber : null, outcome: "optInSent", sendConfirmation: false };
    return { subscriber: { ...outcome.subscriber, lastConfirmationSentAt: at }, outcome: "optInSent", sendConfirmation: true };
  }
  const base: Subscriber = existing ?? newSubscriber({ id: input.id, email: input.email, source: "import", status: "unconfirmed" }, now);
  const chosen = input.preferences ? { preferences: input.preferences } : {};
  return {
    subscriber: { ...base, ...chosen, email: input.email, status: "confirmed", consentAt: at, consentSource: "import", updatedAt: at },
    outcome: existing ? "confirmed" : "added",
    sendConfirmation: false,
  };
}

/**
 * A reader the import confirms gets a generation of their own (new records
 * too: after an erasure, links from before must not come back) and its
 * personal token in the list metadata, as a confirmation through the web does.
 */
function withImportedToken(subscriber: Subscriber, secret: string): Subscriber {
  if (subscriber.status !== "confirmed" || subscriber.personalToken) return subscriber;
  return withPersonalToken({ ...subscriber, tokenGeneration: subscriber.tokenGeneration ?? newTokenGeneration() }, secret);
}

/**
 * Cuts the list into chunk messages of at most IMPORT_CHUNK addresses and
 * IMPORT_CHUNK_MAX_BYTES of JSON each (UTF-8, as Queues counts). Pure.
 */
export function buildImportChunks(importId: string, parsed: Pick<ParsedImport, "addresses" | "preferences">, optIn: boolean): ImportChunkMessage[] {
  const chunks: ImportChunkMessage[] = [];
  let start = 0;
  let bytes = 0;
  const close = (end: number) => {
    chunks.push({
      kind: "import-chunk",
      importId,
      chunkIndex: chunks.length,
      addresses: parsed.addresses.slice(start, end),
      optIn,
      ...(parsed.preferences ? { preferences: parsed.preferences.slice(start, end) } : {}),
    });
    start = end;
    bytes = 0;
  };
  for (let index = 0; index < parsed.addresses.length; index++) {
    // An address and its choices, with the commas around them in the arrays.
    const row =
      utf8Bytes(JSON.stringify(parsed.addresses[index])) + (parsed.preferences ? utf8Bytes(JSON.stringify(parsed.preferences[index] ?? null)) + 1 : 0) + 1;
    if (index > start && (index - start === IMPORT_CHUNK || bytes + row > IMPORT_CHUNK_MAX_BYTES)) close(index);
    bytes += row;
  }
  if (start < parsed.addresses.length) close(parsed.addresses.length);
  return chunks;
}

const encoder = new TextEncoder();
function utf8Bytes(text: string): number {
  return encoder.encode(text).byteLength;
}

export async function startImport(kv: KVNamespace, queue: SendQueue, parsed: ParsedImport, optIn: boolean, now: Date): Promise<ImportJob> {
  const id = `${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${crypto.randomUUID().slice(0, 8)}`;
  const chunks = buildImportChunks(id, parsed, optIn);
  const job: ImportJob = {
    id,
    createdAt: now.toISOString(),
    optIn,
    rows: parsed.rows,
    valid: parsed.addresses.length,
    duplicates: parsed.duplicates,
    invalid: parsed.invalid,
    invalidRows: parsed.invalidRows,
    chunks: chunks.length,
  };
  await kv.put(JOB + id, JSON.stringify(job), { expirationTtl: 30 * 86_400 });
  // Split by count and by bytes: 100 chunks with their choices can pass 256 KB.
  await sendInBatches(queue, chunks);
  return job;
}

export interface ImportDeps {
  kv: KVNamespace;
  queue: SendQueue;
  now: () => Date;
  confirmationIntervalMs: number;
  /** Makes the personal token of a reader the import confirms (of the record's generation). */
  signingSecret: string;
}

export async function importChunk(deps: ImportDeps, message: ImportChunkMessage): Promise<ChunkCounts | "duplicate"> {
  const chunkKey = `${CHUNK}${message.importId}:${String(message.chunkIndex).padStart(6, "0")}`;
  if ((await deps.kv.get(chunkKey)) !== null) return "duplicate";
  const now = deps.now();
  const ids = await Promise.all(message.addresses.map(subscriberIdFor));
  const existing = new Map((await getSubscribersByIds(deps.kv, ids)).map((s) => [s.id, s]));
  const counts: ChunkCounts = { added: 0, confirmed: 0, alreadySubscribed: 0, keptUnsubscribed: 0, keptSuppressed: 0, optInSent: 0 };
  const confirmations: { subscriberId: string }[] = [];
  const toSave: Subscriber[] = [];
  for (const [index, email] of message.addresses.entries()) {
    const id = ids[index]!;
    const preferences = message.preferences?.[index] ?? undefined;
    const plan = planImport(existing.get(id) ?? null, { id, email, preferences }, message.optIn, now, deps.confirmationIntervalMs);
    counts[plan.outcome]++;
    if (plan.subscriber) toSave.push(withImportedToken(plan.subscriber, deps.signingSecret));
    if (plan.sendConfirmation) confirmations.push({ subscriberId: id });
  }
  // The chunk's editions in one bulk read (not one read per row), before any record names them.
  await saveEditionPreferencesOf(deps.kv, toSave);
  for (const subscriber of toSave) await saveSubscriber(deps.kv, subscriber, { editionSaved: true });
  if (confirmations.length) {
    await sendInBatches(
      deps.queue,
      confirmations.map(({ subscriberId }) => ({ kind: "confirmation" as const, subscriberId, requestedAt: now.toISOString() })),
    );
  }
  await deps.kv.put(chunkKey, JSON.stringify(counts), { metadata: counts, expirationTtl: 30 * 86_400 });
  return counts;
}

export async function getImportProgress(kv: KVNamespace, id: string): Promise<(ImportJob & { done: number; pending: number; totals: ChunkCounts }) | null> {
  if (!/^[0-9a-f-]{1,40}$/.test(id)) return null;
  const job = await kv.get<ImportJob>(JOB + id, "json");
  if (!job) return null;
  const totals: ChunkCounts = { added: 0, confirmed: 0, alreadySubscribed: 0, keptUnsubscribed: 0, keptSuppressed: 0, optInSent: 0 };
  let done = 0;
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<ChunkCounts> = await kv.list<ChunkCounts>({ prefix: `${CHUNK}${id}:`, cursor });
    for (const key of page.keys) {
      if (!key.metadata) continue;
      done++;
      for (const name of Object.keys(totals) as (keyof ChunkCounts)[]) totals[name] += key.metadata[name] ?? 0;
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return { ...job, done, pending: job.chunks - done, totals };
}
