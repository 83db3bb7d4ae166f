// What the console pages show, gathered from the same stores and functions
// the JSON API reads (digest records and progress, source health, quota
// pause, subscriber list metadata). Reads only, except that a digest whose
// batches are all settled is marked sent, as GET /admin/digests/:id does.
import { isTurnstileEnabled, type Config } from "../config";
import { type DigestRecord, type EditionSummary, getDigest, listDigests } from "../digest/digest-store";
import { type DigestProgress, type EditionProgress, finishIfComplete, getDigestProgress, getRunProgress } from "../digest/progress";
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

export type { EditionProgress };

/** The totals are the progress's reader counts: on a run's own page, the sum of its editions' rows (src/digest/progress.ts). */
export function summariseDigest(record: DigestRecord, progress: DigestProgress): DigestSummary {
  const readers = progress.readers;
  return {
    id: record.id,
    subject: record.subject,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    status: record.status,
    recipients: record.recipientCount,
    batches: record.batchCount,
    sent: readers.sent,
    failed: readers.failed,
    skipped: readers.skipped,
    pending: readers.pending,
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
): Promise<{ record: DigestRecord; progress: DigestProgress; editions: EditionProgress[] | null; summary: DigestSummary } | null> {
  const stored = await getDigest(kv, id);
  if (!stored) return null;
  const { record } = await finishIfComplete(kv, stored, now);
  const { progress, editions } = await getRunProgress(kv, record);
  return { record, progress, editions, summary: summariseDigest(record, progress) };
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
