// Ingest: for every configured source, fetch, parse, normalise and store
// what is new. Each source runs in its own try/catch, so one failing or
// hostile feed never stops the others, and its failure is recorded in its
// health. Releases are written before the source record that marks them
// seen, so a KV fault mid-run loses nothing: the next run retries them.
import type { Release } from "../releases/release";
import { listKnownReleaseIds, saveRelease, type StoredRelease } from "../releases/release-store";
import { fetchFeed, type Fetcher } from "./fetch-feed";
import { buildFeedTitle, buildLanguageTag, buildRelease, buildSiteUrl } from "./normalise-item";
import { flagReason } from "./source-health";
import { parseFeed } from "./parse-feed";
import { createSourceState, getSource, MAX_SEEN_IDS, saveSource, type SourceState } from "./source-store";
import { buildSourceLanguage, pairNewReleases, saveStoryEntries, type StoryCache } from "./stories";
import { buildFingerprints, findRevised, recordRevisions } from "./revisions";

export interface IngestOptions {
  feedUrls: string[];
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  lookbackHours: number;
  maxAgeDays: number;
  /** Feed URL → language (FEED_LANGUAGES); a feed not named here is taken at its word (<language>). */
  feedLanguages?: Record<string, "en" | "fr">;
}

export interface SourceReport {
  url: string;
  status: "ok" | "not-modified" | "error";
  /** Releases stored by this run. */
  new: number;
  /** Of the new ones, how many are queued for the next digest. */
  queued: number;
  /** Releases seen before whose title or summary NATO changed since (listed as updated in the next digest). */
  revised?: number;
  /** Items in the feed document. */
  total: number;
  /** Items dropped as unusable (no link, no title), with the first reason. */
  invalid: number;
  firstRun: boolean;
  warning?: string;
  error?: string;
}

export interface IngestReport {
  startedAt: string;
  finishedAt: string;
  sources: SourceReport[];
  new: number;
}

export interface IngestDeps {
  kv: KVNamespace;
  fetcher: Fetcher;
  now: () => Date;
  /** Called once when a failing source becomes flagged; true when the operator was told. */
  alert?: (state: SourceState, reason: string) => Promise<boolean>;
}

export async function ingestAll(options: IngestOptions, deps: IngestDeps): Promise<IngestReport> {
  const startedAt = deps.now().toISOString();
  const sources: SourceReport[] = [];
  // Sequential on purpose: few sources, and it keeps the KV write rate gentle.
  const stories: StoryCache = new Map();
  for (const url of options.feedUrls) sources.push(await ingestSource(url, options, deps, stories));
  return { startedAt, finishedAt: deps.now().toISOString(), sources, new: sources.reduce((sum, s) => sum + s.new, 0) };
}

/** Whether a newly seen release goes into a digest (see DESIGN: first run and link changes). */
export function isDigestEligible(
  release: { publishedAt: string; hasFeedDate: boolean },
  firstRun: boolean,
  now: Date,
  options: Pick<IngestOptions, "lookbackHours" | "maxAgeDays">,
): boolean {
  const age = now.getTime() - Date.parse(release.publishedAt);
  if (age > options.maxAgeDays * 86_400_000) return false;
  // On a first run an undated item's age is unknown: treat it as old.
  if (firstRun) return release.hasFeedDate && age <= options.lookbackHours * 3_600_000;
  return true;
}

async function ingestSource(url: string, options: IngestOptions, deps: IngestDeps, stories: StoryCache): Promise<SourceReport> {
  const report: SourceReport = { url, status: "ok", new: 0, queued: 0, total: 0, invalid: 0, firstRun: false };
  let state: SourceState;
  try {
    state = (await getSource(deps.kv, url)) ?? createSourceState(url);
  } catch (error) {
    return { ...report, status: "error", error: `reading source state failed: ${describe(error)}` };
  }
  const now = deps.now();
  state.lastAttemptAt = now.toISOString();
  try {
    const fetched = await fetchFeed(
      url,
      { etag: state.etag, lastModified: state.lastModified, userAgent: options.userAgent, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes },
      deps.fetcher,
    );
    if (fetched.kind === "not-modified") {
      report.status = "not-modified";
      report.total = state.itemsInFeed;
      markSuccess(state, now, 304);
      await saveSource(deps.kv, state);
      return report;
    }
    const feed = parseFeed(fetched.body, fetched.finalUrl);
    const siteUrl = buildSiteUrl(feed, fetched.finalUrl);
    const firstRun = state.initialisedAt === null;
    report.firstRun = firstRun;
    report.total = feed.items.length;

    const seen = new Set(state.seenIds);
    const newIds: string[] = [];
    const candidates: StoredRelease[] = [];
    const inDocument: Release[] = [];
    const seenBefore: Release[] = [];
    const addedNow = new Set<string>();
    let firstInvalid: string | null = null;
    for (const item of feed.items) {
      const result = buildRelease(item, fetched.finalUrl, now, siteUrl);
      if (!result.ok) {
        report.invalid++;
        firstInvalid ??= result.reason;
        continue;
      }
      const release = result.release;
      inDocument.push(release);
      if (seen.has(release.id)) {
        if (!addedNow.has(release.id)) seenBefore.push(release);
        continue;
      }
      seen.add(release.id); // also dedupes within one document
      newIds.push(release.id);
      addedNow.add(release.id);
      candidates.push({ ...release, eligible: isDigestEligible(release, firstRun, now, options) });
    }
    // One bulk read per 100 new ids (not one per release): which are known from another source.
    const known =
      candidates.length > 0
        ? await listKnownReleaseIds(
            deps.kv,
            candidates.map((release) => release.id),
          )
        : new Set<string>();
    const fresh = candidates.filter((release) => !known.has(release.id));
    const sourceLang = buildSourceLanguage(options.feedLanguages?.[url], feed.language ?? null);
    const storyEntries = fresh.length > 0 ? await pairNewReleases(deps.kv, fresh, sourceLang, stories) : new Map();
    for (const stored of fresh) {
      await saveRelease(deps.kv, stored);
      report.new++;
      if (stored.eligible) report.queued++;
    }
    await saveStoryEntries(deps.kv, storyEntries);
    const revised = findRevised(state.fingerprints, seenBefore);
    if (revised.length > 0) report.revised = await recordRevisions(deps.kv, revised, now);
    state.fingerprints = buildFingerprints(inDocument);

    const warnings: string[] = [];
    if (fetched.charsetWarning) warnings.push(fetched.charsetWarning);
    if (feed.truncated) warnings.push(`the document was cut short; kept the ${feed.items.length} complete items`);
    if (firstInvalid) warnings.push(`${report.invalid} ${report.invalid === 1 ? "item" : "items"} skipped: ${firstInvalid}`);
    if (warnings.length) report.warning = warnings.join("; ");

    state.seenIds = [...newIds, ...state.seenIds].slice(0, MAX_SEEN_IDS);
    state.etag = fetched.etag;
    state.lastModified = fetched.lastModified;
    state.title = buildFeedTitle(feed.title, feed.titleType);
    state.language = buildLanguageTag(feed.language);
    state.itemsInFeed = feed.items.length;
    state.lastNewCount = report.new;
    state.initialisedAt ??= now.toISOString();
    markSuccess(state, now, 200);
    state.lastError = report.warning ?? null;
    await saveSource(deps.kv, state);
    return report;
  } catch (error) {
    report.status = "error";
    report.error = describe(error);
    state.consecutiveFailures++;
    state.failingSince ??= now.toISOString();
    state.lastError = report.error;
    state.lastStatus = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : null;
    const flagged = flagReason(state, now);
    if (flagged && state.alertSentAt === null && deps.alert) {
      try {
        if (await deps.alert(state, flagged)) state.alertSentAt = now.toISOString();
      } catch (alertError) {
        report.error += `; the alert email failed: ${describe(alertError)}`;
      }
    }
    try {
      await saveSource(deps.kv, state);
    } catch (saveError) {
      report.error += `; recording the failure also failed: ${describe(saveError)}`;
    }
    return report;
  }
}

function markSuccess(state: SourceState, now: Date, status: number): void {
  state.lastSuccessAt = now.toISOString();
  state.consecutiveFailures = 0;
  state.failingSince = null;
  state.lastError = null;
  state.lastStatus = status;
  state.alertSentAt = null;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
}
