// What the console pages show, gathered from the same stores and functions
// the JSON API reads (digest records and progress, source health, quota
// pause, subscriber list metadata). Reads only, except that a digest whose
// batches are all settled is marked sent, as GET /admin/digests/:id does.
import { isTurnstileEnabled, type Config } from "../config";
import { type DigestRecord, type EditionSummary, getDigest, getRecipients, listBatches, listDigests } from "../digest/digest-store";
import { buildBatches } from "../digest/run-digest";
import { type DigestProgress, finishIfComplete, getDigestProgress } from "../digest/progress";
import { getLastIngest, type IngestReport } from "../feeds";
import { flagReason } from "../feeds/source-health";
import { listSources, type SourceState } from "../feeds/source-store";
import { getQuotaPause, type QuotaPause } from "../mail/quota-store";
import { countSubscribers, dayOf, listDailyCounts, type StatusCounts } from "../subscribers/daily-counts";
import { listWaitingReleases, type WaitingReleases } from "./digest-actions";
import { isLocalMode, isSampleFeedOn } from "../feeds/sample-feed";

export interface DigestSummary {
  id: string;
  subject: string;
  createdAt: string;
  finishedAt: string | null;
  status: DigestRecord["status"];
  recipients: number;
  batches: number;
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
  /** Batches held back by a mail-quota pause. */
  deferredBatches: number;
  cadence: "daily" | "weekly";
  /** The run's editions (one per set of reader choices); records from before editions have none listed. */
  editions: EditionSummary[];
}

export function summariseDigest(record: DigestRecord, progress: DigestProgress): DigestSummary {
  const failed = progress.totals.failed + progress.totals.rejected;
  return {
    id: record.id,
    subject: record.subject,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    status: record.status,
    recipients: record.recipientCount,
    batches: record.batchCount,
    sent: progress.totals.sent,
    failed,
    skipped: progress.totals.skipped,
    pending: Math.max(0, record.recipientCount - progress.totals.sent - failed - progress.totals.skipped),
    deferredBatches: progress.deferredBatches.length,
    cadence: record.cadence ?? "daily",
    editions: record.editions ?? [],
  };
}

/** One digest as it stands now (marked sent once every batch is settled). */
export async function getDigestSummary(
  kv: KVNamespace,
  id: string,
  now: Date,
): Promise<{ record: DigestRecord; progress: DigestProgress; summary: DigestSummary } | null> {
  const stored = await getDigest(kv, id);
  if (!stored) return null;
  const { record, progress } = await finishIfComplete(kv, stored, now);
  return { record, progress, summary: summariseDigest(record, progress) };
}

export interface EditionProgress {
  index: number;
  readers: number;
  /** Readers in batches the provider accepted (a reader skipped or refused inside such a batch counts here). */
  sent: number;
  /** Readers in batches that failed as a whole. */
  failed: number;
  /** Readers in batches not settled yet (queued, or held back by a quota pause). */
  pending: number;
}

/**
 * Progress per edition. Batches mix editions and settle as a whole, so this
 * counts each reader by their batch's outcome, from the frozen recipient list
 * (⌈N/5000⌉ reads) and the batch records (list metadata). Null when the list
 * has expired (30 days) or the run has no editions listed.
 */
export async function getEditionProgress(kv: KVNamespace, record: DigestRecord): Promise<EditionProgress[] | null> {
  if (!record.editions?.length || record.recipientCount === 0) return null;
  let recipients;
  try {
    recipients = await getRecipients(kv, record);
  } catch {
    return null;
  }
  const settled = await listBatches(kv, record.id);
  const byIndex = new Map(record.editions.map((e) => [e.index, { index: e.index, readers: 0, sent: 0, failed: 0, pending: 0 }]));
  for (const batch of buildBatches(record.id, recipients)) {
    const status = settled.get(batch.batchIndex)?.status;
    for (const recipient of batch.recipients) {
      const row = byIndex.get(recipient.edition ?? 0);
      if (!row) continue;
      row.readers++;
      if (status === "sent") row.sent++;
      else if (status === "failed") row.failed++;
      else row.pending++;
    }
  }
  return [...byIndex.values()];
}

/** The newest `limit` digests with their progress, newest first. */
export async function listDigestSummaries(kv: KVNamespace, limit: number): Promise<DigestSummary[]> {
  const listed = await listDigests(kv, limit);
  const summaries = await Promise.all(
    listed.map(async ({ id }) => {
      const record = await getDigest(kv, id);
      return record ? summariseDigest(record, await getDigestProgress(kv, record)) : null;
    }),
  );
  return summaries.filter((s): s is DigestSummary => s !== null);
}

export interface SourceRow {
  state: SourceState;
  flag: string | null;
}

export interface OverviewData {
  now: Date;
  sources: SourceRow[];
  lastIngest: IngestReport | null;
  waiting: WaitingReleases;
  digests: DigestSummary[];
  counts: StatusCounts;
  quotaPause: QuotaPause | null;
  readersPerDay: { day: string; confirmed: number | null }[];
  localMode: boolean;
  sampleFeedOn: boolean;
  mailer: "resend" | "outbox";
  /** Whether Turnstile guards the sign-up form. */
  turnstile: boolean;
}

export const CHART_DAYS = 30;
export const CHART_DIGESTS = 14;

export async function getOverviewData(config: Config, kv: KVNamespace, now: Date): Promise<OverviewData> {
  const [states, lastIngest, waiting, digests, counts, quotaPause, snapshots, sampleFeedOn] = await Promise.all([
    listSources(kv, config.feedUrls),
    getLastIngest(kv),
    listWaitingReleases(config, kv, now),
    listDigestSummaries(kv, CHART_DIGESTS),
    countSubscribers(kv),
    getQuotaPause(kv, now),
    listDailyCounts(kv, now, CHART_DAYS),
    isLocalMode(config) ? isSampleFeedOn(kv) : Promise.resolve(false),
  ]);
  return {
    now,
    sources: states.map((state) => ({ state, flag: flagReason(state, now) })),
    lastIngest,
    waiting,
    digests,
    counts,
    quotaPause,
    readersPerDay: buildReadersPerDay(snapshots, counts, now),
    localMode: isLocalMode(config),
    sampleFeedOn: sampleFeedOn || (isLocalMode(config) && config.feedUrls.some((url) => url.endsWith("/console/sample-feed.xml"))),
    mailer: config.resendApiKey ? "resend" : "outbox",
    turnstile: isTurnstileEnabled(config),
  };
}

/** One point per day over the chart's window; today is the live count when its snapshot is not written yet. Days without a snapshot are null. */
export function buildReadersPerDay(
  snapshots: { day: string; counts: StatusCounts }[],
  live: StatusCounts,
  now: Date,
): { day: string; confirmed: number | null }[] {
  const byDay = new Map(snapshots.map((s) => [s.day, s.counts.confirmed]));
  const today = dayOf(now);
  const out: { day: string; confirmed: number | null }[] = [];
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const day = dayOf(new Date(now.getTime() - i * 86_400_000));
    out.push({ day, confirmed: byDay.get(day) ?? (day === today ? live.confirmed : null) });
  }
  return out;
}
