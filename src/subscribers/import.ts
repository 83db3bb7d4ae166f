// List import for operators moving from another tool. The upload is parsed
// and validated at once (import-parse.ts); the writes fan out through the
// send queue in chunks of 50 addresses, so each consumer invocation stays
// well inside Workers' per-invocation KV limit however long the list is.
// Imported addresses become confirmed with consent source "import" (the
// operator vouches for consent), or get the double opt-in email with
// ?optin=1. Suppressed and unsubscribed addresses are left as they are: an
// import never overrides a reader's own choice or a bounce.
// Keys owned here: v1:import:<id> (the job) and v1:import-chunk:<id>:<n>.
import type { ImportChunkMessage, SendQueue } from "../queue-messages";
import type { ParsedImport } from "./import-parse";
import type { Preferences } from "./preferences";
import { withPersonalToken } from "./service";
import { newSubscriber, requestSubscription, type Subscriber } from "./subscriber";
import { newTokenGeneration } from "./tokens";
import { getSubscribersByIds, saveSubscriber, subscriberIdFor } from "./subscriber-store";

export const IMPORT_CHUNK = 50;
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

export async function startImport(kv: KVNamespace, queue: SendQueue, parsed: ParsedImport, optIn: boolean, now: Date): Promise<ImportJob> {
  const id = `${now.toISOString().slice(0, 19).replace(/[-:T]/g, "")}-${crypto.randomUUID().slice(0, 8)}`;
  const chunks: ImportChunkMessage[] = [];
  for (let index = 0; index * IMPORT_CHUNK < parsed.addresses.length; index++) {
    chunks.push({
      kind: "import-chunk",
      importId: id,
      chunkIndex: index,
      addresses: parsed.addresses.slice(index * IMPORT_CHUNK, (index + 1) * IMPORT_CHUNK),
      optIn,
      ...(parsed.preferences ? { preferences: parsed.preferences.slice(index * IMPORT_CHUNK, (index + 1) * IMPORT_CHUNK) } : {}),
    });
  }
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
  // Queue sendBatch takes 100 messages per call; 50 addresses make a small message.
  for (let start = 0; start < chunks.length; start += 100) {
    await queue.sendBatch(chunks.slice(start, start + 100).map((body) => ({ body, contentType: "json" as const })));
  }
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
  for (const [index, email] of message.addresses.entries()) {
    const id = ids[index]!;
    const preferences = message.preferences?.[index] ?? undefined;
    const plan = planImport(existing.get(id) ?? null, { id, email, preferences }, message.optIn, now, deps.confirmationIntervalMs);
    counts[plan.outcome]++;
    if (plan.subscriber) await saveSubscriber(deps.kv, withImportedToken(plan.subscriber, deps.signingSecret));
    if (plan.sendConfirmation) confirmations.push({ subscriberId: id });
  }
  if (confirmations.length) {
    await deps.queue.sendBatch(
      confirmations.map(({ subscriberId }) => ({
        body: { kind: "confirmation" as const, subscriberId, requestedAt: now.toISOString() },
        contentType: "json" as const,
      })),
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
