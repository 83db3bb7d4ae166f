// A digest run of one cadence (the daily cron, the weekly cron on Mondays,
// or POST /admin/digest). Each cadence has its own state and watermark and
// only mails its own readers. In order:
//   1. finish the cadence's previous digest if it is unfinished (enqueue what
//      is missing, re-enqueue batches deferred by a quota stop); while it is
//      still sending, no new digest starts;
//   2. select releases first seen since the cadence's last digest (weekly:
//      at most 7 days back); none: skip;
//   3. list the cadence's confirmed readers (KV list pages with metadata, no
//      read per reader), group them into editions (same feeds, topics and
//      language), render ONCE per edition that has readers and releases,
//      freeze the recipient list, store the record, move the watermark;
//   4. enqueue one message per batch of <= 100 recipients (batches mix
//      editions: each email carries its own body, so ⌈N/100⌉ Resend calls).
// Every step is safe to repeat: the digest id is derived from its releases,
// batches from the frozen list, and the consumer skips settled batches and
// sends with idempotency keys, so a retried cron or two triggers at once
// never mail a reader twice.
import type { DigestRelease } from "../../emails/release-digest";
import { sha256Hex } from "../lib/crypto";
import { getQuotaPause } from "../mail/quota-store";
import type { DigestBatchMessage, SendQueue } from "../queue-messages";
import { getReleases, listReleaseKeys } from "../releases/release-store";
import type { OperatorInfo } from "../../emails/components/email-footer";
import type { Config } from "../config";
import { listFeedChoices, type Cadence, type FeedChoice } from "../subscribers/preferences";
import { getEditionPreferences, listSubscriberPage } from "../subscribers/subscriber-store";
import {
  BATCH_SIZE,
  type DigestRecord,
  type DigestState,
  getDigest,
  editionDigestId,
  type EditionSummary,
  getDigestState,
  getRecipients,
  isEnqueued,
  markEnqueued,
  type Recipient,
  saveDigest,
  saveDigestState,
  saveEditionRecord,
  saveRecipients,
} from "./digest-store";
import { finishIfComplete } from "./progress";
import { planEditions, type ListedReader, type PlannedEdition } from "./editions";
import { renderDigest, type DigestContent } from "./render-digest";
import { selectReleaseKeys } from "./select-releases";
import { withStoryFields } from "./select-stories";
import { listRevisionCandidates } from "./revision-candidates";

export interface DigestDeps {
  kv: KVNamespace;
  queue: SendQueue;
  publicUrl: string;
  maxAgeDays: number;
  now: () => Date;
  /** The configured feeds (titles, languages) editions filter on; absent: every release goes to every edition. */
  feeds?: Pick<Config, "feedUrls" | "feedLanguages" | "feedTitles">;
  /** Who runs the service, for the footer (OPERATOR_NAME, OPERATOR_ADDRESS, INBOUND_ADDRESS). */
  operator?: OperatorInfo;
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
  cadence?: Cadence;
  /** Editions that got an email (rendered once each). */
  editions?: number;
  /** Readers of this cadence whose choices matched nothing this time. */
  readersWithNothing?: number;
}

/** Queue retries with backoff and the dead-letter queue settle every batch within hours; past this, a batch with no record is lost. */
const STALLED_AFTER_MS = 12 * 3_600_000;

/** How long a new digest's run waits before checking that its record was not overwritten by a concurrent run. */
const CLAIM_SETTLE_MS = 100;

/** Queue sendBatch limits: 100 messages and 256 KB per call; stay well under. */
const MAX_MESSAGES_PER_SEND = 100;
const MAX_BYTES_PER_SEND = 200 * 1024;

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

/** Batches of up to 100 from the frozen list, in its order: editions mix within a batch. */
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

/** Confirmed readers of one cadence, in key order, from list pages: ⌈N/1000⌉ KV calls, no read per reader. */
export async function listReaders(kv: KVNamespace, cadence: Cadence): Promise<ListedReader[]> {
  const readers: ListedReader[] = [];
  let cursor: string | null = null;
  do {
    const page = await listSubscriberPage(kv, cursor);
    for (const { id, meta } of page.subscribers) {
      if (meta.status !== "confirmed" || !meta.email || (meta.cadence ?? "daily") !== cadence) continue;
      const reader: ListedReader = { id, email: meta.email, cadence, edition: meta.edition ?? null };
      if (meta.token) reader.token = meta.token;
      readers.push(reader);
    }
    cursor = page.cursor;
  } while (cursor);
  return readers;
}

/** Confirmed daily readers (kept for callers from before cadences). */
export async function listConfirmedRecipients(kv: KVNamespace): Promise<Recipient[]> {
  return (await listReaders(kv, "daily")).map(({ id, email }) => ({ id, email }));
}

/** The editions of this run: readers grouped by their choices, each with its releases. */
async function planRun(deps: DigestDeps, cadence: Cadence, releases: (DigestRelease & { sourceUrl?: string })[], feeds: FeedChoice[] | null) {
  const readers = await listReaders(deps.kv, cadence);
  const keys = [...new Set(readers.map((reader) => reader.edition).filter((key): key is string => key !== null))];
  const preferences = await getEditionPreferences(deps.kv, keys);
  const plan = planEditions(readers, preferences, releases, feeds);
  if (plan.unknownEditionKeys.length > 0)
    console.error(`editions without stored preferences (readers get the defaults): ${plan.unknownEditionKeys.join(", ")}`);
  return plan;
}

/** The frozen recipient list: readers in key order, each with their edition and token. */
function recipientsOf(editions: PlannedEdition[]): Recipient[] {
  const recipients: Recipient[] = [];
  for (const edition of editions) {
    for (const reader of edition.readers) {
      const recipient: Recipient = { id: reader.id, email: reader.email, edition: edition.index };
      if (reader.token) recipient.token = reader.token;
      recipients.push(recipient);
    }
  }
  // Key order, as the list returned them, so batches are stable whatever the editions.
  return recipients.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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

export async function runDigest(deps: DigestDeps, options: { dryRun?: boolean; cadence?: Cadence } = {}): Promise<DigestReport> {
  const now = deps.now();
  const cadence = options.cadence ?? "daily";
  const report: DigestReport = { digestId: null, releases: 0, recipients: 0, batchesEnqueued: 0, skipped: null, resumed: null, cadence };
  const state = await getDigestState(deps.kv, cadence);

  if (!options.dryRun) {
    const waiting = await finishPrevious(deps, state, report);
    if (waiting) {
      report.skipped = waiting;
      await saveDigestState(
        deps.kv,
        { ...state, lastRun: { at: now.toISOString(), result: "waiting", digestId: state.lastDigestId ?? undefined, reason: waiting } },
        cadence,
      );
      return report;
    }
  }

  const selection = await selectForDigest(deps, state, now, cadence);
  if (selection.length === 0) {
    report.skipped = "nothing new since the last digest";
    if (!options.dryRun) {
      await saveDigestState(deps.kv, { ...state, lastRun: { at: now.toISOString(), result: "skipped", reason: report.skipped } }, cadence);
    }
    return report;
  }
  const feeds = deps.feeds ? await listFeedChoices(deps.kv, deps.feeds) : null;
  const releases = selection.map((release) => toDigestRelease(release, feeds));
  const digestId = await digestIdFor(
    releases.map((r) => r.id),
    now,
    cadence,
  );
  report.digestId = digestId;
  report.releases = releases.length;

  if (!options.dryRun) {
    // The same releases again (a retried cron, a concurrent trigger): resume, never repeat.
    const existing = await getDigest(deps.kv, digestId);
    if (existing) {
      report.recipients = existing.recipientCount;
      report.subject = existing.subject;
      report.editions = existing.editions?.length ?? 1;
      // The run that created it may have died before writing the state (a KV
      // fault): write it here, or the next run would select these releases
      // again under a new id and mail every reader a second time.
      if (state.lastDigestId !== existing.id) {
        await saveDigestState(
          deps.kv,
          { lastDigestId: existing.id, watermark: existing.createdAt, lastRun: { at: now.toISOString(), result: "resumed", digestId: existing.id } },
          cadence,
        );
      }
      await resumeDigest(deps, existing, report);
      return report;
    }
  }

  const plan = await planRun(deps, cadence, releases, feeds);
  const rendered: { edition: PlannedEdition; content: DigestContent }[] = [];
  for (const edition of plan.editions) {
    const content = await renderDigest(edition.releases, {
      publicUrl: deps.publicUrl,
      digestId: editionDigestId(digestId, edition.index),
      date: now,
      cadence,
      lang: edition.choice.lang,
      topics: edition.choice.topics,
      operator: deps.operator,
    });
    rendered.push({ edition, content });
  }
  const recipients = recipientsOf(plan.editions);
  report.recipients = recipients.length;
  report.editions = rendered.length;
  report.readersWithNothing = plan.readersWithNothing;
  // The archive shows the run as its largest edition.
  const main = [...rendered].sort((a, b) => b.edition.readers.length - a.edition.readers.length)[0];
  const mainContent = main?.content ?? (await renderDigest(releases, { publicUrl: deps.publicUrl, digestId, date: now, cadence, operator: deps.operator }));
  report.subject = mainContent.subject;
  if (options.dryRun) return { ...report, dryRun: true };

  const batches = buildBatches(digestId, recipients);
  const runToken = crypto.randomUUID().slice(0, 8);
  const editions: EditionSummary[] = rendered.map(({ edition, content }) => ({
    digestId: editionDigestId(digestId, edition.index),
    index: edition.index,
    lang: edition.choice.lang,
    topics: edition.choice.topics,
    sources: edition.choice.sources ?? [],
    releaseIds: edition.releases.map((r) => r.id),
    recipientCount: edition.readers.length,
    subject: content.subject,
  }));
  const record: DigestRecord = {
    id: digestId,
    runToken,
    createdAt: now.toISOString(),
    status: recipients.length === 0 ? "sent" : "sending",
    subject: mainContent.subject,
    preheader: mainContent.preheader,
    releases: releases.map(({ sourceUrl: _source, ...release }) => release),
    recipientCount: recipients.length,
    batchCount: batches.length,
    content: mainContent,
    finishedAt: recipients.length === 0 ? now.toISOString() : null,
    totals: recipients.length === 0 ? { sent: 0, failed: 0, skipped: 0, rejected: 0 } : null,
    cadence,
    editions,
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
  await saveDigestState(deps.kv, { lastDigestId: digestId, watermark, lastRun: { at: now.toISOString(), result: "created", digestId } }, cadence);
  // Editions first: a batch may reach the consumer as soon as it is enqueued.
  for (const { edition, content } of rendered) {
    await saveEditionRecord(deps.kv, {
      id: editionDigestId(digestId, edition.index),
      runToken,
      createdAt: record.createdAt,
      status: "sent",
      subject: content.subject,
      preheader: content.preheader,
      releases: edition.releases.map(({ sourceUrl: _source, ...release }: DigestRelease & { sourceUrl?: string }) => release),
      recipientCount: edition.readers.length,
      batchCount: 0,
      content,
      finishedAt: record.createdAt,
      totals: null,
      cadence,
    });
  }
  await saveRecipients(deps.kv, digestId, runToken, recipients);
  await saveDigest(deps.kv, record);
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
  await saveDigestState(
    deps.kv,
    { lastDigestId: digestId, watermark: now.toISOString(), lastRun: { at: now.toISOString(), result: "created", digestId } },
    cadence,
  );
  report.batchesEnqueued = await enqueueBatches(deps.queue, batches);
  await markEnqueued(deps.kv, digestId, now);
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
