// A digest run of one cadence (the daily cron, the weekly cron on Mondays,
// or POST /admin/digest). Each cadence has its own state and watermark and
// only mails its own readers. runDigest is the orchestrator of named steps;
// each step says, where it is done, what holds if the worker dies right
// after it:
//   1. finish previous (resume-digest.ts): while the cadence's last digest is
//      still sending, enqueue what it misses and start nothing new;
//   2. select: releases first seen since the cadence's last digest (weekly:
//      at most 7 days back); none: skip;
//   3. plan editions (plan-run.ts): readers grouped by their choices, one
//      render per edition, and the run's own (unfiltered) page;
//   4. freeze recipients: the list the batches are cut from, saved under
//      this run's token;
//   5. save: the state first, then the editions, then the run's record;
//      then claim it (two runs creating the same digest: one enqueues) and
//      move the watermark;
//   6. enqueue one message per batch of <= 100 recipients (batches mix
//      editions), then mark the digest enqueued.
// Every step is safe to repeat: the digest id is derived from its releases,
// batches from the frozen list, and the consumer skips settled batches and
// sends with idempotency keys, so a retried cron or two triggers at once
// never mail a reader twice.
import type { DigestRelease } from "../../emails/release-digest";
import type { OperatorInfo } from "../../emails/components/email-footer";
import type { Config } from "../config";
import { sha256Hex } from "../lib/crypto";
import type { SendQueue } from "../queue-messages";
import { getReleases, listReleaseKeys } from "../releases/release-store";
import { listFeedChoices, type Cadence, type FeedChoice } from "../subscribers/preferences";
import { buildBatches, enqueueBatches } from "./batches";
import type { DigestDeps, DigestReport } from "./run-types";
import {
  type DigestRecord,
  type DigestState,
  type EditionSummary,
  getDigest,
  getDigestState,
  markEnqueued,
  type Recipient,
  saveDigest,
  saveDigestState,
} from "./digest-store";
import { editionDigestId, saveEdition } from "./edition-store";
import { buildRecipients, planRun, renderEditions, renderRunPage, saveFrozenRecipients, type RenderedEdition, type RunRelease } from "./plan-run";
import type { DigestContent } from "./render-digest";
import { finishPrevious, resumeDigest } from "./resume-digest";
import { selectReleaseKeys } from "./select-releases";
import { withStoryFields } from "./select-stories";
import { listRevisionCandidates } from "./revision-candidates";

export { buildBatches, enqueueBatches } from "./batches";

export type { DigestDeps, DigestReport } from "./run-types";

/** How long a new digest's run waits before checking that its record was not overwritten by a concurrent run. */
const CLAIM_SETTLE_MS = 100;

/** Daily ids keep their old form; weekly ones are marked, so the two cadences never share a record. */
export async function digestIdFor(releaseIds: string[], now: Date, cadence: Cadence = "daily"): Promise<string> {
  const hash = await sha256Hex([...releaseIds].sort().join(","));
  return `${now.toISOString().slice(0, 10)}-${cadence === "weekly" ? "w" : ""}${hash.slice(0, 10)}`;
}

type SelectedRelease = { id: string; title: string; link: string; summary: string; publishedAt: string; sourceUrl?: string } & Parameters<
  typeof withStoryFields
>[1];

export function toDigestRelease(release: SelectedRelease, feeds: FeedChoice[] | null = null): DigestRelease & { sourceUrl?: string } {
  const source = feeds && release.sourceUrl ? feeds.find((feed) => feed.url === release.sourceUrl)?.title : undefined;
  const out: DigestRelease & { sourceUrl?: string } = {
    id: release.id,
    title: release.title,
    link: release.link,
    summary: release.summary,
    publishedAt: release.publishedAt,
  };
  if (source) out.source = source;
  if (release.sourceUrl) out.sourceUrl = release.sourceUrl;
  return withStoryFields(out, release);
}

const withoutSource = ({ sourceUrl: _source, ...release }: RunRelease): DigestRelease => release;

/** What one run decided, before anything is written. */
interface RunPlan {
  runId: string;
  cadence: Cadence;
  now: Date;
  releases: RunRelease[];
  rendered: RenderedEdition[];
  page: DigestContent;
  recipients: Recipient[];
  runToken: string;
}

function buildRecord(plan: RunPlan): DigestRecord {
  const { runId, now, recipients, page } = plan;
  const editions: EditionSummary[] = plan.rendered.map(({ edition, content }) => ({
    digestId: editionDigestId(runId, edition.index),
    index: edition.index,
    lang: edition.choice.lang,
    topics: edition.choice.topics,
    sources: edition.choice.sources ?? [],
    releaseIds: edition.releases.map((r) => r.id),
    recipientCount: edition.readers.length,
    subject: content.subject,
  }));
  const empty = recipients.length === 0;
  return {
    id: runId,
    runToken: plan.runToken,
    createdAt: now.toISOString(),
    status: empty ? "sent" : "sending",
    subject: page.subject,
    preheader: page.preheader,
    releases: plan.releases.map(withoutSource),
    recipientCount: recipients.length,
    batchCount: buildBatches(runId, recipients).length,
    content: page,
    finishedAt: empty ? now.toISOString() : null,
    totals: empty ? { sent: 0, failed: 0, skipped: 0, rejected: 0 } : null,
    cadence: plan.cadence,
    editions,
  };
}

/**
 * Step "save": the state, then the editions, then the run's record.
 * RELIABILITY FIX (issue 13): the state points at the digest BEFORE its
 * record is written, with the old watermark. Crash after any write: the
 * next run (the same day or any day after) finds this digest through the
 * state: it finishes it first, and its releases are never selected again.
 * (A state without a record is treated as no digest: nothing was enqueued
 * yet, so the releases are selected again and sent once.) The previous
 * digest is sent by now (step 1), so its releases are all older than its
 * createdAt: that is carried forward as the watermark, so they stay out
 * even if this digest's final state write fails too. Editions go before the
 * record: a batch may reach the consumer as soon as it is enqueued.
 */
async function saveRun(deps: DigestDeps, state: DigestState, plan: RunPlan, record: DigestRecord): Promise<void> {
  const { runId, now, cadence } = plan;
  const previous = state.lastDigestId ? await getDigest(deps.kv, state.lastDigestId) : null;
  const watermark = previous && (!state.watermark || previous.createdAt > state.watermark) ? previous.createdAt : state.watermark;
  await saveDigestState(deps.kv, { lastDigestId: runId, watermark, lastRun: { at: now.toISOString(), result: "created", digestId: runId } }, cadence);
  for (const { edition, content } of plan.rendered) {
    await saveEdition(deps.kv, {
      kind: "edition",
      id: editionDigestId(runId, edition.index),
      runId,
      index: edition.index,
      createdAt: record.createdAt,
      cadence,
      lang: edition.choice.lang,
      topics: edition.choice.topics,
      sources: edition.choice.sources ?? [],
      releases: edition.releases.map(withoutSource),
      recipientCount: edition.readers.length,
      subject: content.subject,
      preheader: content.preheader,
      content,
    });
  }
  await saveDigest(deps.kv, record);
}

/**
 * Step "claim": two runs creating the same digest at once (two triggers, a
 * retried cron) both save it; the last record written wins, and only its
 * run goes on. Crash right after: the record and the state point at the
 * digest and nothing is enqueued; the next run resumes it (enqueues all).
 */
async function claimRun(deps: DigestDeps, runId: string, runToken: string): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, CLAIM_SETTLE_MS));
  const stored = await getDigest(deps.kv, runId);
  return !stored || stored.runToken === runToken;
}

/**
 * Step "enqueue": the watermark moves past this digest's releases, then the
 * batches go to the queue, then the digest is marked enqueued. Crash before
 * the mark: the next run resumes it and enqueues every batch again; the
 * consumer skips those already settled.
 */
async function enqueueRun(deps: DigestDeps, plan: RunPlan): Promise<number> {
  const { runId, now, cadence } = plan;
  await saveDigestState(
    deps.kv,
    { lastDigestId: runId, watermark: now.toISOString(), lastRun: { at: now.toISOString(), result: "created", digestId: runId } },
    cadence,
  );
  const count = await enqueueBatches(deps.queue, buildBatches(runId, plan.recipients));
  await markEnqueued(deps.kv, runId, now);
  return count;
}

/**
 * The same releases again (a retried cron, a concurrent trigger): resume,
 * never repeat. The state is written when it does not point at the digest:
 * a run that read the state before this digest existed may have written its
 * stale copy back ("skipped", "waiting") after the state write of the run
 * that created it; without this write, the next day would select these
 * releases again under a new id and mail every reader a second time (see
 * tests/digest/run-digest.test.ts).
 */
async function resumeExisting(deps: DigestDeps, state: DigestState, existing: DigestRecord, report: DigestReport): Promise<DigestReport> {
  const now = deps.now();
  report.recipients = existing.recipientCount;
  report.subject = existing.subject;
  report.editions = existing.editions?.length ?? 1;
  if (state.lastDigestId !== existing.id) {
    await saveDigestState(
      deps.kv,
      { lastDigestId: existing.id, watermark: existing.createdAt, lastRun: { at: now.toISOString(), result: "resumed", digestId: existing.id } },
      report.cadence,
    );
  }
  report.resumed = (await resumeDigest(deps, existing)).resumed;
  return report;
}

export async function runDigest(deps: DigestDeps, options: { dryRun?: boolean; cadence?: Cadence } = {}): Promise<DigestReport> {
  const now = deps.now();
  const cadence = options.cadence ?? "daily";
  const report: DigestReport = { digestId: null, releases: 0, recipients: 0, batchesEnqueued: 0, skipped: null, resumed: null, cadence };
  const state = await getDigestState(deps.kv, cadence);
  const lastRun = (result: "waiting" | "skipped", reason: string) => ({ at: now.toISOString(), result, reason });

  // 1. Finish previous.
  if (!options.dryRun) {
    const previous = await finishPrevious(deps, state);
    if (previous.waiting) {
      report.resumed = previous.resumed;
      report.skipped = previous.waiting;
      await saveDigestState(deps.kv, { ...state, lastRun: { ...lastRun("waiting", previous.waiting), digestId: state.lastDigestId ?? undefined } }, cadence);
      return report;
    }
  }

  // 2. Select.
  const selection = await selectForDigest(deps, state, now, cadence);
  if (selection.length === 0) {
    report.skipped = "nothing new since the last digest";
    if (!options.dryRun) await saveDigestState(deps.kv, { ...state, lastRun: lastRun("skipped", report.skipped) }, cadence);
    return report;
  }
  const feeds = deps.feeds ? await listFeedChoices(deps.kv, deps.feeds) : null;
  const releases = selection.map((release) => toDigestRelease(release, feeds));
  const runId = await digestIdFor(
    releases.map((r) => r.id),
    now,
    cadence,
  );
  report.digestId = runId;
  report.releases = releases.length;
  if (!options.dryRun) {
    const existing = await getDigest(deps.kv, runId);
    if (existing) return resumeExisting(deps, state, existing, report);
  }

  // 3. Plan editions (reads and renders only).
  const editionPlan = await planRun(deps, cadence, releases, feeds);
  const rendered = await renderEditions(deps, runId, cadence, editionPlan.editions, now);
  const page = await renderRunPage(deps, runId, cadence, releases, rendered, now);
  const recipients = buildRecipients(editionPlan.editions);
  Object.assign(report, {
    recipients: recipients.length,
    editions: rendered.length,
    readersWithNothing: editionPlan.readersWithNothing,
    subject: page.subject,
  });
  if (options.dryRun) return { ...report, dryRun: true };

  // 4. Freeze recipients.
  const plan: RunPlan = { runId, cadence, now, releases, rendered, page, recipients, runToken: crypto.randomUUID().slice(0, 8) };
  await saveFrozenRecipients(deps.kv, runId, plan.runToken, recipients);

  // 5. Save, then claim.
  await saveRun(deps, state, plan, buildRecord(plan));
  if (!(await claimRun(deps, runId, plan.runToken))) {
    report.resumed = { digestId: runId, batchesEnqueued: 0, status: "created by a concurrent run; that run sends it" };
    return report;
  }

  // 6. Enqueue.
  report.batchesEnqueued = await enqueueRun(deps, plan);
  return report;
}

/** How far back a cadence looks: daily to the age limit, weekly one week (and a release may be a week older). */
export function selectionWindow(cadence: Cadence, maxAgeDays: number): { lookbackDays: number; maxAgeDays: number } {
  return cadence === "weekly" ? { lookbackDays: 7, maxAgeDays: maxAgeDays + 7 } : { lookbackDays: maxAgeDays, maxAgeDays };
}

/** Releases first seen since the watermark (within the cadence's window), eligible, not too old, not in the cadence's last digest. */
export async function selectForDigest(deps: Pick<DigestDeps, "kv" | "maxAgeDays">, state: DigestState, now: Date, cadence: Cadence = "daily") {
  const window = selectionWindow(cadence, deps.maxAgeDays);
  const earliest = now.getTime() - window.lookbackDays * 86_400_000;
  const since = new Date(Math.max(state.watermark ? Date.parse(state.watermark) : earliest, earliest));
  const listed = await listReleaseKeys(deps.kv, since, now);
  const last = state.lastDigestId ? await getDigest(deps.kv, state.lastDigestId) : null;
  const alreadySent = new Set(last?.releases.map((r) => r.id) ?? []);
  const keys = selectReleaseKeys(listed, { since, now, maxAgeDays: window.maxAgeDays }, alreadySent);
  // Plus what NATO revised since the window opened, of releases mailed before it (select-stories.ts decides who gets it).
  return [...(await getReleases(deps.kv, keys)), ...(await listRevisionCandidates(deps.kv, since, now, window.maxAgeDays))];
}
