// The "finish previous" step of a digest run, and the resume of a digest
// met again: enqueue what is missing of an unfinished digest (everything,
// when it was never marked enqueued; batches deferred by a quota stop, or
// lost on the way), and say why the run must wait. The consumer skips
// settled batches and sends with idempotency keys, so enqueueing a batch
// twice never mails a reader twice: every part of this is safe to repeat.
import { getQuotaPause } from "../mail/quota-store";
import type { DigestBatchMessage } from "../queue-messages";
import { buildBatches, enqueueBatches } from "./batches";
import { type DigestRecord, type DigestState, getDigest, getRecipients, isEnqueued, markEnqueued } from "./digest-store";
import { finishIfComplete } from "./progress";
import type { DigestDeps, DigestReport } from "./run-types";

/** Queue retries with backoff and the dead-letter queue settle every batch within hours; past this, a batch with no record is lost. */
const STALLED_AFTER_MS = 12 * 3_600_000;

export interface ResumeOutcome {
  /** Why a new digest must not start yet; null when this one is sent. */
  waiting: string | null;
  /** What was done for it; null when it was already sent. */
  resumed: DigestReport["resumed"];
}

/**
 * Step "finish previous": the cadence's last digest, when it is unfinished.
 * Crash right after: the batches it enqueued are in the queue; the next run
 * finds the same digest through the state and does this again (the
 * consumer skips what is settled).
 */
export async function finishPrevious(deps: DigestDeps, state: DigestState): Promise<ResumeOutcome> {
  if (!state.lastDigestId) return { waiting: null, resumed: null };
  const record = await getDigest(deps.kv, state.lastDigestId);
  if (!record || record.status === "sent") return { waiting: null, resumed: null };
  return resumeDigest(deps, record);
}

/** Marks the digest sent when it is, or enqueues what is missing of it. */
export async function resumeDigest(deps: DigestDeps, record: DigestRecord): Promise<ResumeOutcome> {
  const now = deps.now();
  const { record: current, progress } = await finishIfComplete(deps.kv, record, now);
  if (current.status === "sent") return { waiting: null, resumed: null };

  let toEnqueue: DigestBatchMessage[] = [];
  const enqueued = await isEnqueued(deps.kv, record.id);
  const quota = await getQuotaPause(deps.kv, now);
  // Batches still unsettled long after the digest started were lost on the
  // way (the dead-letter consumer failed too, say): send them again rather
  // than leave the digest, and every digest after it, waiting forever.
  const stalled = now.getTime() - Date.parse(record.createdAt) > STALLED_AFTER_MS ? progress.pendingIndexes : [];
  const again = new Set(quota ? stalled : [...progress.deferredBatches, ...stalled]);
  if (!enqueued || again.size > 0) {
    const all = buildBatches(record.id, await getRecipients(deps.kv, record));
    // Not fully enqueued: enqueue everything again (the consumer skips settled batches).
    toEnqueue = enqueued ? all.filter((batch) => again.has(batch.batchIndex)) : all;
  }
  const count = await enqueueBatches(deps.queue, toEnqueue);
  if (!enqueued) await markEnqueued(deps.kv, record.id, now);
  const resumed = { digestId: record.id, batchesEnqueued: count, status: quota ? "waiting for the mail quota to reset" : "sending" };
  if (quota && progress.deferredBatches.length > 0) return { waiting: `digest ${record.id} is paused by the mail quota until ${quota.until}`, resumed };
  return {
    waiting: `digest ${record.id} is still sending (${progress.pendingBatches + progress.deferredBatches.length} of ${progress.batches} batches left)`,
    resumed,
  };
}
