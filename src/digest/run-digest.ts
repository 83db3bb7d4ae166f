// A digest run (daily cron or POST /admin/digest). In order:
//   1. finish the previous digest if it is unfinished (enqueue what is
//      missing, re-enqueue batches deferred by a quota stop); while it is
//      still sending, no new digest starts;
//   2. select releases first seen since the last digest; none: skip;
//   3. render ONCE, freeze the recipient list (KV list pages with metadata,
//      no read per subscriber), store the record, move the watermark;
//   4. enqueue one message per batch of <= 100 recipients.
// Every step is safe to repeat: the digest id is derived from its releases,
// batches from the frozen list, and the consumer skips settled batches and
// sends with idempotency keys, so a retried cron or two triggers at once
// never mail a reader twice.
import type { DigestRelease } from "../../emails/release-digest";
import { sha256Hex } from "../lib/crypto";
import { getQuotaPause } from "../mail/quota-store";
import type { DigestBatchMessage, SendQueue } from "../queue-messages";
import { getReleases, listReleaseKeys } from "../releases/release-store";
import { listSubscriberPage } from "../subscribers/subscriber-store";
import {
  BATCH_SIZE,
  type DigestRecord,
  type DigestState,
  getDigest,
  getDigestState,
  getRecipients,
  isEnqueued,
  markEnqueued,
  type Recipient,
  saveDigest,
  saveDigestState,
  saveRecipients,
} from "./digest-store";
import { finishIfComplete } from "./progress";
import { renderDigest } from "./render-digest";
import { selectReleaseKeys } from "./select-releases";

export interface DigestDeps {
  kv: KVNamespace;
  queue: SendQueue;
  publicUrl: string;
  maxAgeDays: number;
  now: () => Date;
}

export interface DigestReport {
  digestId: string | null;
  releases: number;
  recipients: number;
  batchesEnqueued: number;
  skipped: string | null;
  resumed: { digestId: string; batchesEnqueued: number; status: string } | null;
  dryRun?: boolean;
  subject?: string;
}

/** Queue retries with backoff and the dead-letter queue settle every batch within hours; past this, a batch with no record is lost. */
const STALLED_AFTER_MS = 12 * 3_600_000;

/** How long a new digest's run waits before checking that its record was not overwritten by a concurrent run. */
const CLAIM_SETTLE_MS = 100;

/** Queue sendBatch limits: 100 messages and 256 KB per call; stay well under. */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200 * 1024;

export async function digestIdFor(releaseIds: string[], now: Date): Promise<string> {
  const hash = await sha256Hex([...releaseIds].sort().join(","));
  return `${now.toISOString().slice(0, 10)}-${hash.slice(0, 10)}`;
}

export function toDigestRelease(release: { id: string; title: string; link: string; summary: string; publishedAt: string }): DigestRelease {
  return { id: release.id, title: release.title, link: release.link, summary: release.summary, publishedAt: release.publishedAt };
}

export function buildBatches(digestId: string, recipients: Recipient[]): DigestBatchMessage[] {
  const batches: DigestBatchMessage[] = [];
  for (let index = 0; index * BATCH_SIZE < recipients.length; index++) {
    batches.push({
      kind: "digest-batch",
      digestId,
      batchIndex: index,
      batchCount: Math.ceil(recipients.length / BATCH_SIZE),
      recipients: recipients.slice(index * BATCH_SIZE, (index + 1) * BATCH_SIZE),
    });
  }
  return batches;
}

export async function enqueueBatches(queue: SendQueue, batches: DigestBatchMessage[]): Promise<number> {
  let group: MessageSendRequest<DigestBatchMessage>[] = [];
  let bytes = 0;
  let sent = 0;
  const flush = async () => {
    if (group.length === 0) return;
    await queue.sendBatch(group);
    sent += group.length;
    group = [];
    bytes = 0;
  };
  for (const batch of batches) {
    const size = JSON.stringify(batch).length + 100;
    if (group.length >= MAX_MESSAGES_PER_SEND || bytes + size > MAX_BYTES_PER_SEND) await flush();
    group.push({ body: batch, contentType: "json" });
    bytes += size;
  }
  await flush();
  return sent;
}

/** Confirmed subscribers, in key order, from list pages: ⌈N/1000⌉ KV calls. */
export async function listConfirmedRecipients(kv: KVNamespace): Promise<Recipient[]> {
  const recipients: Recipient[] = [];
  let cursor: string | null = null;
  do {
    const page = await listSubscriberPage(kv, cursor);
    for (const { id, meta } of page.subscribers) if (meta.status === "confirmed" && meta.email) recipients.push({ id, email: meta.email });
    cursor = page.cursor;
  } while (cursor);
  return recipients;
}

/** Step 1: returns a reason to wait, or null when the previous digest is done. */
async function finishPrevious(deps: DigestDeps, state: DigestState, report: DigestReport): Promise<string | null> {
  if (!state.lastDigestId) return null;
  const record = await getDigest(deps.kv, state.lastDigestId);
  if (!record || record.status === "sent") return null;
  return resumeDigest(deps, record, report);
}

async function resumeDigest(deps: DigestDeps, record: DigestRecord, report: DigestReport): Promise<string | null> {
  const now = deps.now();
  const { record: current, progress } = await finishIfComplete(deps.kv, record, now);
  if (current.status === "sent") return null;

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
  report.resumed = { digestId: record.id, batchesEnqueued: count, status: quota ? "waiting for the mail quota to reset" : "sending" };
  if (quota && progress.deferredBatches.length > 0) return `digest ${record.id} is paused by the mail quota until ${quota.until}`;
  return `digest ${record.id} is still sending (${progress.pendingBatches + progress.deferredBatches.length} of ${progress.batches} batches left)`;
}

export async function runDigest(deps: DigestDeps, options: { dryRun?: boolean } = {}): Promise<DigestReport> {
  const now = deps.now();
  const report: DigestReport = { digestId: null, releases: 0, recipients: 0, batchesEnqueued: 0, skipped: null, resumed: null };
  const state = await getDigestState(deps.kv);

  if (!options.dryRun) {
    const waiting = await finishPrevious(deps, state, report);
    if (waiting) {
      report.skipped = waiting;
      await saveDigestState(deps.kv, {
        ...state,
        lastRun: { at: now.toISOString(), result: "waiting", digestId: state.lastDigestId ?? undefined, reason: waiting },
      });
      return report;
    }
  }

  const selection = await selectForDigest(deps, state, now);
  if (selection.length === 0) {
    report.skipped = "nothing new since the last digest";
    if (!options.dryRun) await saveDigestState(deps.kv, { ...state, lastRun: { at: now.toISOString(), result: "skipped", reason: report.skipped } });
    return report;
  }
  const releases = selection.map(toDigestRelease);
  const digestId = await digestIdFor(
    releases.map((r) => r.id),
    now,
  );
  report.digestId = digestId;
  report.releases = releases.length;

  if (options.dryRun) {
    const content = await renderDigest(releases, { publicUrl: deps.publicUrl, digestId, date: now });
    report.recipients = (await listConfirmedRecipients(deps.kv)).length;
    return { ...report, dryRun: true, subject: content.subject };
  }

  // The same releases again (a retried cron, a concurrent trigger): resume, never repeat.
  const existing = await getDigest(deps.kv, digestId);
  if (existing) {
    report.recipients = existing.recipientCount;
    report.subject = existing.subject;
    // RELIABILITY FIX (issue 13): a run that saved this record but failed
    // before writing the state left the state pointing elsewhere; point it
    // here now, or tomorrow's run would build a new digest of the same
    // releases and mail every reader again.
    if (state.lastDigestId !== digestId) {
      await saveDigestState(deps.kv, {
        lastDigestId: digestId,
        watermark: existing.createdAt,
        lastRun: { at: now.toISOString(), result: "created", digestId },
      });
    }
    await resumeDigest(deps, existing, report);
    return report;
  }

  const content = await renderDigest(releases, { publicUrl: deps.publicUrl, digestId, date: now });
  const recipients = await listConfirmedRecipients(deps.kv);
  const batches = buildBatches(digestId, recipients);
  const runToken = crypto.randomUUID().slice(0, 8);
  const record: DigestRecord = {
    id: digestId,
    runToken,
    createdAt: now.toISOString(),
    status: recipients.length === 0 ? "sent" : "sending",
    subject: content.subject,
    preheader: content.preheader,
    releases,
    recipientCount: recipients.length,
    batchCount: batches.length,
    content,
    finishedAt: recipients.length === 0 ? now.toISOString() : null,
    totals: recipients.length === 0 ? { sent: 0, failed: 0, skipped: 0, rejected: 0 } : null,
  };
  // RELIABILITY FIX (issue 13): the state points at the digest BEFORE its
  // record is written, with the old watermark. Whichever later write fails,
  // the next run (the same day or any day after) finds this digest through
  // the state: it finishes it first, and its releases are never selected
  // again. (A state without a record is treated as no digest: nothing was
  // enqueued yet, so the releases are selected again and sent once.)
  // The previous digest is sent by now (step 1), so its releases are all
  // older than its createdAt: carry that forward as the watermark, so they
  // stay out even if this digest's final state write fails too.
  const previous = state.lastDigestId ? await getDigest(deps.kv, state.lastDigestId) : null;
  const watermark = previous && (!state.watermark || previous.createdAt > state.watermark) ? previous.createdAt : state.watermark;
  await saveDigestState(deps.kv, { lastDigestId: digestId, watermark, lastRun: { at: now.toISOString(), result: "created", digestId } });
  await saveRecipients(deps.kv, digestId, runToken, recipients);
  await saveDigest(deps.kv, record);
  report.recipients = recipients.length;
  report.subject = content.subject;
  // Two runs creating the same digest at once (two triggers, a retried
  // cron): the last record written wins, and only its run enqueues. A run
  // that finds another's token stops here; the consumer and the idempotency
  // keys cover what the remaining window lets through.
  await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
  const stored = await getDigest(deps.kv, digestId);
  if (stored && stored.runToken !== runToken) {
    report.resumed = { digestId, batchesEnqueued: 0, status: "created by a concurrent run; that run sends it" };
    return report;
  }
  await saveDigestState(deps.kv, { lastDigestId: digestId, watermark: now.toISOString(), lastRun: { at: now.toISOString(), result: "created", digestId } });
  report.batchesEnqueued = await enqueueBatches(deps.queue, batches);
  await markEnqueued(deps.kv, digestId, now);
  return report;
}

/** Releases first seen since the watermark, eligible, at most maxAgeDays old, not in the last digest. */
export async function selectForDigest(deps: Pick<DigestDeps, "kv" | "maxAgeDays">, state: DigestState, now: Date) {
  const since = state.watermark ? new Date(state.watermark) : new Date(now.getTime() - deps.maxAgeDays * 86_400_000);
  // Never look further back than the age limit: older releases are never sent anyway.
  const from = new Date(Math.max(since.getTime(), now.getTime() - deps.maxAgeDays * 86_400_000));
  const listed = await listReleaseKeys(deps.kv, from, now);
  const last = state.lastDigestId ? await getDigest(deps.kv, state.lastDigestId) : null;
  const alreadySent = new Set(last?.releases.map((r) => r.id) ?? []);
  const keys = selectReleaseKeys(listed, { since, now, maxAgeDays: deps.maxAgeDays }, alreadySent);
  return getReleases(deps.kv, keys);
}
