// Digests in KV. Prefixes owned here:
//   v1:digest:<id>                  the record: releases, subject, rendered
//                                   content (with the token placeholder), counts
//   v1:digest-recipients:<id>:<run>:<n>  the frozen recipient list of the run
//                                   that owns the digest, in chunks, so a
//                                   resumed run rebuilds exactly the same batches
//   v1:digest-enqueued:<id>         marker: every batch was enqueued
//   v1:digest-batch:<id>:<index>    one per batch handled by the consumer
//                                   (sent | failed | deferred), listed for progress
//   v1:state:digest                 the last daily digest and its selection watermark
//   v1:state:digest:weekly          the same for the weekly edition (each cadence has its own)
// A record is one run of a cadence. Its editions (readers with the same
// choices) are EditionRecords of their own under v1:digest:<runId>-e<n>
// (edition-store.ts), written without list metadata: the archive lists runs.
// Records that change are written rarely and under separate keys, because
// KV allows one write per second per key.
import type { DigestRelease } from "../../emails/release-digest";
import type { DigestRecipient } from "../queue-messages";
import type { Cadence, Lang } from "../subscribers/preferences";
import type { StoredDigestContent } from "./render-digest";

const DIGEST = "v1:digest:";
const RECIPIENTS = "v1:digest-recipients:";
const ENQUEUED = "v1:digest-enqueued:";
const BATCH = "v1:digest-batch:";
const STATE = "v1:state:digest";
const STATE_KEYS: Record<Cadence, string> = { daily: STATE, weekly: `${STATE}:weekly` };

export const BATCH_SIZE = 100;
export const RECIPIENT_CHUNK = 5000;

export type DigestStatus = "sending" | "sent";

export interface DigestRecord {
  id: string;
  /** The run that created the record; its frozen recipient list is keyed by it. */
  runToken: string;
  createdAt: string;
  status: DigestStatus;
  subject: string;
  preheader: string;
  releases: DigestRelease[];
  recipientCount: number;
  batchCount: number;
  content: StoredDigestContent;
  finishedAt: string | null;
  totals: DigestTotals | null;
  /** Absent on records from before cadences: daily. */
  cadence?: Cadence;
  /** The editions of this run (absent on records from before editions: one edition, `content`). */
  editions?: EditionSummary[];
}

export interface EditionSummary {
  /** The edition's own record and web view: v1:digest:<runId>-e<index>. */
  digestId: string;
  index: number;
  lang: Lang;
  topics: string[];
  /** Feed ids this edition draws from. */
  sources: string[];
  releaseIds: string[];
  recipientCount: number;
  subject: string;
}

export interface DigestMeta {
  createdAt: string;
  status: DigestStatus;
  subject: string;
  releaseCount: number;
  recipientCount: number;
  /** Per language, the edition the archive shows (unfiltered if there is one, else the largest); absent in older records (English). */
  langs?: Partial<Record<"en" | "fr", { id: string; subject: string; releaseCount: number }>>;
}

export interface DigestTotals {
  sent: number;
  failed: number;
  skipped: number;
  rejected: number;
}

export type Recipient = DigestRecipient;

export type BatchStatus = "sent" | "failed" | "deferred";

export interface BatchRecord {
  status: BatchStatus;
  /** Emails the provider accepted. */
  sent: number;
  /** Recipients dropped because they unsubscribed or were suppressed after enqueueing. */
  skipped: number;
  /** Emails the provider refused individually, or the whole batch when failed. */
  rejected: number;
  at: string;
  error?: string;
  /**
   * Per edition, the readers dropped (skipped or refused), when the batch had
   * any: in the value only, never in the list metadata (1 KB at most).
   */
  drops?: EditionDrop[];
  /** In list metadata only: the value holds `drops`. */
  dropped?: true;
}

export interface EditionDrop {
  edition: number;
  skipped: number;
  rejected: number;
}

export interface DigestState {
  lastDigestId: string | null;
  /** Releases first seen after this go into the next digest. */
  watermark: string | null;
  lastRun: { at: string; result: "created" | "resumed" | "skipped" | "waiting"; digestId?: string; reason?: string } | null;
}

/** A run's record; null when there is none, or when the id is an edition's (getEdition reads those). */
export async function getDigest(kv: KVNamespace, id: string): Promise<DigestRecord | null> {
  if (!/^[0-9a-z-]{1,64}$/.test(id)) return null;
  const value = await kv.get<DigestRecord | { kind: "edition" }>(DIGEST + id, "json");
  return value && (value as { kind?: string }).kind !== "edition" ? (value as DigestRecord) : null;
}

export async function saveDigest(kv: KVNamespace, record: DigestRecord): Promise<void> {
  const metadata: DigestMeta = {
    createdAt: record.createdAt,
    status: record.status,
    subject: record.subject.slice(0, 200),
    releaseCount: record.releases.length,
    recipientCount: record.recipientCount,
  };
  const langs = archiveEditions(record.editions ?? []);
  if (langs) metadata.langs = langs;
  await kv.put(DIGEST + record.id, JSON.stringify(record), { metadata });
}

/** Newest first. */
/**
 * Per language, the edition the archive lists for a run: the most read one
 * without topics. A topic edition is a group of readers' choices, never
 * listed: a language with only topic editions has none here.
 */
function archiveEditions(editions: EditionSummary[]): DigestMeta["langs"] | null {
  const out: NonNullable<DigestMeta["langs"]> = {};
  const rank = (e: EditionSummary) => e.recipientCount;
  for (const edition of editions) {
    if (edition.topics.length > 0) continue;
    const current = out[edition.lang];
    const best = current ? editions.find((e) => e.digestId === current.id) : undefined;
    if (!best || rank(edition) > rank(best)) {
      out[edition.lang] = { id: edition.digestId, subject: edition.subject.slice(0, 120), releaseCount: edition.releaseIds.length };
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

export async function listDigests(kv: KVNamespace, limit: number): Promise<{ id: string; meta: DigestMeta }[]> {
  const out: { id: string; meta: DigestMeta }[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<DigestMeta> = await kv.list<DigestMeta>({ prefix: DIGEST, cursor });
    for (const key of page.keys) if (key.metadata) out.push({ id: key.name.slice(DIGEST.length), meta: key.metadata });
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  out.sort((a, b) => (a.meta.createdAt < b.meta.createdAt ? 1 : -1));
  return out.slice(0, limit);
}

export async function saveRecipients(kv: KVNamespace, digestId: string, runToken: string, recipients: Recipient[]): Promise<void> {
  for (let chunk = 0; chunk * RECIPIENT_CHUNK < recipients.length; chunk++) {
    await kv.put(`${RECIPIENTS}${digestId}:${runToken}:${chunk}`, JSON.stringify(recipients.slice(chunk * RECIPIENT_CHUNK, (chunk + 1) * RECIPIENT_CHUNK)), {
      expirationTtl: 30 * 86_400,
    });
  }
}

export async function getRecipients(kv: KVNamespace, record: Pick<DigestRecord, "id" | "runToken" | "recipientCount">): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for (let chunk = 0; chunk * RECIPIENT_CHUNK < record.recipientCount; chunk++) {
    const part = await kv.get<Recipient[]>(`${RECIPIENTS}${record.id}:${record.runToken}:${chunk}`, "json");
    if (!part) throw new Error(`recipient chunk ${chunk} of digest ${record.id} is missing`);
    out.push(...part);
  }
  return out;
}

export async function markEnqueued(kv: KVNamespace, digestId: string, at: Date): Promise<void> {
  await kv.put(ENQUEUED + digestId, at.toISOString());
}

export async function isEnqueued(kv: KVNamespace, digestId: string): Promise<boolean> {
  return (await kv.get(ENQUEUED + digestId)) !== null;
}

function batchKey(digestId: string, index: number): string {
  return `${BATCH}${digestId}:${String(index).padStart(6, "0")}`;
}

export async function getBatch(kv: KVNamespace, digestId: string, index: number): Promise<BatchRecord | null> {
  return kv.get<BatchRecord>(batchKey(digestId, index), "json");
}

export async function saveBatch(kv: KVNamespace, digestId: string, index: number, record: BatchRecord): Promise<void> {
  const { drops, ...metadata } = record;
  await kv.put(batchKey(digestId, index), JSON.stringify(record), { metadata: drops ? { ...metadata, dropped: true } : metadata });
}

/** Every batch record of a digest, from list metadata only (`drops` is absent there; `dropped` says it is in the value). */
export async function listBatches(kv: KVNamespace, digestId: string): Promise<Map<number, BatchRecord>> {
  const out = new Map<number, BatchRecord>();
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<BatchRecord> = await kv.list<BatchRecord>({ prefix: `${BATCH}${digestId}:`, cursor });
    for (const key of page.keys) if (key.metadata) out.set(Number(key.name.slice(key.name.lastIndexOf(":") + 1)), key.metadata);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

export async function getDigestState(kv: KVNamespace, cadence: Cadence = "daily"): Promise<DigestState> {
  return (await kv.get<DigestState>(STATE_KEYS[cadence], "json")) ?? { lastDigestId: null, watermark: null, lastRun: null };
}

export async function saveDigestState(kv: KVNamespace, state: DigestState, cadence: Cadence = "daily"): Promise<void> {
  await kv.put(STATE_KEYS[cadence], JSON.stringify(state));
}
