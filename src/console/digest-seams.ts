// Everything the console asks of the digest feature, in one place. Each
// console action is exactly one call here, and each call forwards to the
// functions the JSON API uses (src/digest/*), never a copy of them.
//
// SEAMS for reader preferences (daily/weekly cadence, editions by
// language): the console's forms already carry `cadence` (daily | weekly)
// and, for the preview, `lang` (en | fr). Today's digest has one edition,
// the daily one in English, so `unsupportedEdition` refuses the others with
// a plain message. Once the digest takes a cadence and an edition, wire
// them through here (and drop `unsupportedEdition`):
//   previewNextDigest  -> the edition's dry run + render
//   sendDigestNow      -> ingestAndRunDigest(..., { cadence })
//   sendTestDigestTo   -> ingestAndRunDigest(..., { to, cadence })
//   listWaitingReleases-> the weekly selection (weekly watermark)
import type { Config } from "../config";
import { ingestAndRunDigest, type DigestRunReport } from "../digest";
import { getDigest, getDigestState } from "../digest/digest-store";
import { personaliseDigest, renderDigest } from "../digest/render-digest";
import { digestIdFor, runDigest, selectForDigest, toDigestRelease, type DigestReport } from "../digest/run-digest";
import type { Mailer, OutgoingEmail } from "../mail/mailer";
import { liftQuotaPause, type QuotaPause } from "../mail/quota-store";
import type { SendQueue } from "../queue-messages";
import type { StoredRelease } from "../releases/release-store";
import { createToken } from "../subscribers/tokens";

export const CADENCES = ["daily", "weekly"] as const;
export const LANGUAGES = ["en", "fr"] as const;
export type Cadence = (typeof CADENCES)[number];
export type Language = (typeof LANGUAGES)[number];
export interface Edition {
  cadence: Cadence;
  lang: Language;
}

export interface DigestBindings {
  kv: KVNamespace;
  queue: SendQueue;
  mailer: Mailer;
}

export function parseCadence(value: unknown): Cadence | null {
  return CADENCES.includes(value as Cadence) ? (value as Cadence) : null;
}

export function parseLanguage(value: unknown): Language | null {
  return LANGUAGES.includes(value as Language) ? (value as Language) : null;
}

/** Null when this build sends that edition; otherwise why not, in plain words. */
export function unsupportedEdition(edition: Partial<Edition>): string | null {
  if (edition.cadence === "weekly") return "This version sends the daily edition only; weekly editions arrive with reader preferences.";
  if (edition.lang === "fr") return "This version writes digests in English only; the French edition arrives with reader preferences.";
  return null;
}

/** An id no address hashes to: the preview's personal links lead nowhere. */
const PREVIEW_READER_ID = "0".repeat(32);

export interface DigestPreview {
  report: DigestReport;
  email: OutgoingEmail | null;
}

/** The dry run (counts, subject) and the email exactly as a reader of the edition would get it. Sends nothing, changes nothing. */
export async function previewNextDigest(config: Config, kv: KVNamespace, edition: Edition, now: Date): Promise<DigestPreview> {
  const deps = { kv, queue: null as unknown as SendQueue, publicUrl: config.publicUrl, maxAgeDays: config.maxAgeDays, now: () => now };
  // dryRun never touches the queue.
  const report = await runDigest(deps, { dryRun: true });
  if (!report.digestId) return { report, email: null };
  const releases = (await selectForDigest(deps, await getDigestState(kv), now)).map((release) => toDigestRelease(release));
  const digestId = await digestIdFor(
    releases.map((r) => r.id),
    now,
  );
  const content = await renderDigest(releases, { publicUrl: config.publicUrl, digestId, date: now });
  const token = await createToken(config.signingSecret, "unsubscribe", PREVIEW_READER_ID, now);
  const email = personaliseDigest(content, { token, to: "reader@example.org", from: config.emailFrom, publicUrl: config.publicUrl, digestId });
  return { report, email };
}

/** Send now: lifts a mail-quota pause (the operator may have raised the quota), ingests, then runs the digest as the cron would. */
export async function sendDigestNow(
  config: Config,
  bindings: DigestBindings,
  cadence: Cadence,
  now: Date,
): Promise<DigestRunReport & { liftedPause: QuotaPause | null }> {
  void cadence; // SEAM: pass { cadence } once the digest takes it.
  const liftedPause = await liftQuotaPause(bindings.kv, now);
  return { ...(await ingestAndRunDigest(config, bindings)), liftedPause };
}

/** The digest of what is new, to one address only (POST /admin/digest {"to"}). */
export async function sendTestDigestTo(config: Config, bindings: DigestBindings, to: string, cadence: Cadence): Promise<DigestRunReport> {
  void cadence; // SEAM: pass { to, cadence } once the digest takes it.
  return ingestAndRunDigest(config, bindings, { to });
}

/**
 * Resume after a quota pause: lift the pause, then let the digest run
 * finish the unfinished digest (it re-enqueues deferred batches and starts
 * nothing new while one is unfinished). With nothing unfinished, only the
 * pause is lifted.
 */
export async function resumeAfterPause(
  config: Config,
  bindings: DigestBindings,
  now: Date,
): Promise<{ liftedPause: QuotaPause | null; report: DigestReport | null }> {
  const liftedPause = await liftQuotaPause(bindings.kv, now);
  const state = await getDigestState(bindings.kv);
  const last = state.lastDigestId ? await getDigest(bindings.kv, state.lastDigestId) : null;
  if (!last || last.status !== "sending") return { liftedPause, report: null };
  const report = await runDigest({ kv: bindings.kv, queue: bindings.queue, publicUrl: config.publicUrl, maxAgeDays: config.maxAgeDays, now: () => now });
  return { liftedPause, report };
}

export interface WaitingReleases {
  daily: StoredRelease[];
  /** Null while this build has no weekly edition. */
  weekly: StoredRelease[] | null;
}

/** The releases the next daily and weekly editions would carry, as the digest itself selects them. */
export async function listWaitingReleases(config: Config, kv: KVNamespace, now: Date): Promise<WaitingReleases> {
  const daily = await selectForDigest({ kv, maxAgeDays: config.maxAgeDays }, await getDigestState(kv), now);
  return { daily, weekly: null }; // SEAM: the weekly selection once it exists.
}
