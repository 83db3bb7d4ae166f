// A digest's progress: the one computation behind the console's digest page
// (totals and editions table), its list pages and GET /admin/digests/:id.
// Batch records (list metadata) say what happened to each batch; a batch's
// readers are its slice of the frozen list, so its size is known without
// reading the list. Per edition, each batch's readers are split by their
// edition (the frozen list), and its dropped readers by the drops the
// consumer recorded; the totals are the sum of those rows. Also finishes the
// record once every batch is settled.
import {
  BATCH_SIZE,
  type BatchRecord,
  type DigestRecord,
  type DigestTotals,
  type EditionDrop,
  getBatch,
  getRecipients,
  listBatches,
  saveDigest,
} from "./digest-store";

/** Readers by outcome. sent + failed + skipped + pending = readers. */
export interface ReaderCounts {
  readers: number;
  /** Accepted by the provider. */
  sent: number;
  /** Refused by the provider, alone or with their whole batch. */
  failed: number;
  /** Unsubscribed or suppressed after the digest started: not sent to. */
  skipped: number;
  /** In batches not settled yet (queued, or held back by a quota pause). */
  pending: number;
}

export interface EditionProgress extends ReaderCounts {
  index: number;
}

export interface DigestProgress {
  batches: number;
  sentBatches: number;
  failedBatches: number;
  deferredBatches: number[];
  pendingBatches: number;
  /** Batches with no record yet: in the queue, or lost. */
  pendingIndexes: number[];
  totals: DigestTotals;
  complete: boolean;
  /** The run's readers by outcome: the sum of the edition rows. */
  readers: ReaderCounts;
}

type ProgressRecord = Pick<DigestRecord, "batchCount" | "recipientCount">;

const zero = (): ReaderCounts => ({ readers: 0, sent: 0, failed: 0, skipped: 0, pending: 0 });

function batchSize(record: ProgressRecord, index: number): number {
  return Math.max(0, Math.min(BATCH_SIZE, record.recipientCount - index * BATCH_SIZE));
}

/** Adds the readers of one batch, `size` of them and `dropped` of those skipped or refused, to `row`. */
function addBatch(row: ReaderCounts, batch: BatchRecord | undefined, size: number, drop: { skipped: number; rejected: number }): void {
  row.readers += size;
  if (!batch || batch.status === "deferred") row.pending += size;
  else if (batch.status === "failed") {
    row.skipped += drop.skipped;
    row.failed += size - drop.skipped;
  } else {
    row.skipped += drop.skipped;
    row.failed += drop.rejected;
    row.sent += size - drop.skipped - drop.rejected;
  }
}

export function summarise(record: ProgressRecord, batches: Map<number, BatchRecord>): DigestProgress {
  const totals: DigestTotals = { sent: 0, failed: 0, skipped: 0, rejected: 0 };
  const readers = zero();
  let sentBatches = 0;
  let failedBatches = 0;
  const deferredBatches: number[] = [];
  const pendingIndexes: number[] = [];
  for (let index = 0; index < record.batchCount; index++) {
    const batch = batches.get(index);
    addBatch(readers, batch, batchSize(record, index), { skipped: batch?.skipped ?? 0, rejected: batch?.rejected ?? 0 });
    if (!batch) {
      pendingIndexes.push(index);
      continue;
    }
    totals.sent += batch.sent;
    totals.skipped += batch.skipped;
    if (batch.status === "sent") {
      sentBatches++;
      totals.rejected += batch.rejected;
    } else if (batch.status === "failed") {
      failedBatches++;
      totals.failed += batch.rejected;
    } else deferredBatches.push(index);
  }
  return {
    batches: record.batchCount,
    sentBatches,
    failedBatches,
    deferredBatches,
    pendingBatches: pendingIndexes.length,
    pendingIndexes,
    totals,
    complete: pendingIndexes.length === 0 && deferredBatches.length === 0,
    readers,
  };
}

/** Progress from a finished record's totals: no list needed. */
function finishedProgress(record: DigestRecord, totals: DigestTotals): DigestProgress {
  return {
    batches: record.batchCount,
    sentBatches: record.batchCount,
    failedBatches: 0,
    deferredBatches: [],
    pendingBatches: 0,
    pendingIndexes: [],
    totals,
    complete: true,
    readers: { readers: record.recipientCount, sent: totals.sent, failed: totals.failed + totals.rejected, skipped: totals.skipped, pending: 0 },
  };
}

export async function getDigestProgress(kv: KVNamespace, record: DigestRecord): Promise<DigestProgress> {
  if (record.status === "sent" && record.totals) return finishedProgress(record, record.totals);
  return summarise(record, await listBatches(kv, record.id));
}

/**
 * Splits each batch's drops by edition: a batch of one edition needs no
 * detail; a mixed one uses the drops the consumer recorded (read from the
 * batch's value, only for such batches). Batches recorded before drops were
 * kept give theirs to the batch's editions in list order.
 */
function dropsByEdition(editionCounts: Map<number, number>, batch: BatchRecord, recorded: EditionDrop[] | undefined): Map<number, EditionDrop> {
  const out = new Map<number, EditionDrop>();
  for (const edition of editionCounts.keys()) out.set(edition, { edition, skipped: 0, rejected: 0 });
  if (editionCounts.size === 1) {
    const [edition] = editionCounts.keys();
    out.set(edition!, { edition: edition!, skipped: batch.skipped, rejected: batch.status === "sent" ? batch.rejected : 0 });
    return out;
  }
  if (recorded) {
    for (const drop of recorded) if (out.has(drop.edition)) out.set(drop.edition, { ...drop, rejected: batch.status === "sent" ? drop.rejected : 0 });
    return out;
  }
  let skipped = batch.skipped;
  let rejected = batch.status === "sent" ? batch.rejected : 0;
  for (const [edition, count] of editionCounts) {
    const s = Math.min(skipped, count);
    const r = Math.min(rejected, count - s);
    out.set(edition, { edition, skipped: s, rejected: r });
    skipped -= s;
    rejected -= r;
  }
  return out;
}

/**
 * The run's progress with a row per edition; the totals (`readers`) are the
 * rows' sum. Editions are null when the frozen list has expired (30 days)
 * or the run lists none: then the totals come from the batch records alone.
 */
export async function getRunProgress(kv: KVNamespace, record: DigestRecord): Promise<{ progress: DigestProgress; editions: EditionProgress[] | null }> {
  const batches = await listBatches(kv, record.id);
  const progress = record.status === "sent" && record.totals && batches.size === 0 ? finishedProgress(record, record.totals) : summarise(record, batches);
  if (!record.editions?.length || record.recipientCount === 0) return { progress, editions: null };
  let recipients;
  try {
    recipients = await getRecipients(kv, record);
  } catch {
    return { progress, editions: null };
  }
  const rows = new Map<number, EditionProgress>(record.editions.map((e) => [e.index, { index: e.index, ...zero() }]));
  for (let index = 0; index < record.batchCount; index++) {
    const counts = new Map<number, number>();
    for (const recipient of recipients.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE)) {
      const edition = recipient.edition ?? 0;
      counts.set(edition, (counts.get(edition) ?? 0) + 1);
    }
    const batch = batches.get(index);
    const recorded = batch?.dropped && counts.size > 1 ? (await getBatch(kv, record.id, index))?.drops : undefined;
    const drops = batch && batch.status !== "deferred" ? dropsByEdition(counts, batch, recorded) : null;
    for (const [edition, count] of counts) {
      const row = rows.get(edition);
      if (row) addBatch(row, batch, count, drops?.get(edition) ?? { skipped: 0, rejected: 0 });
    }
  }
  const editions = [...rows.values()];
  const readers = zero();
  for (const row of editions) for (const field of ["readers", "sent", "failed", "skipped", "pending"] as const) readers[field] += row[field];
  return { progress: { ...progress, readers }, editions };
}

/** Marks the record sent when every batch is settled. Returns the record as it now stands. */
export async function finishIfComplete(kv: KVNamespace, record: DigestRecord, now: Date): Promise<{ record: DigestRecord; progress: DigestProgress }> {
  const progress = await getDigestProgress(kv, record);
  if (record.status === "sending" && progress.complete) {
    const finished: DigestRecord = { ...record, status: "sent", finishedAt: now.toISOString(), totals: progress.totals };
    await saveDigest(kv, finished);
    return { record: finished, progress };
  }
  return { record, progress };
}
