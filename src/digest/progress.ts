// Progress of a digest from its batch records (list metadata only), and
// finishing the record once every batch is settled.
import { type BatchRecord, type DigestRecord, type DigestTotals, listBatches, saveDigest } from "./digest-store";

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
}

export function summarise(record: Pick<DigestRecord, "batchCount">, batches: Map<number, BatchRecord>): DigestProgress {
  const totals: DigestTotals = { sent: 0, failed: 0, skipped: 0, rejected: 0 };
  let sentBatches = 0;
  let failedBatches = 0;
  const deferredBatches: number[] = [];
  const pendingIndexes: number[] = [];
  for (let index = 0; index < record.batchCount; index++) {
    const batch = batches.get(index);
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
  };
}

export async function getDigestProgress(kv: KVNamespace, record: DigestRecord): Promise<DigestProgress> {
  if (record.status === "sent" && record.totals) {
    return {
      batches: record.batchCount,
      sentBatches: record.batchCount,
      failedBatches: 0,
      deferredBatches: [],
      pendingBatches: 0,
      pendingIndexes: [],
      totals: record.totals,
      complete: true,
    };
  }
  return summarise(record, await listBatches(kv, record.id));
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
