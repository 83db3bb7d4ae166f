// The digest actions behind the operator service (operator-service.ts).
// Each forwards to the functions the crons use (src/digest/*), never a copy
// of them: the preview and the test send render with renderNextEdition, the
// same selection, edition filter and template as the run.
import type { Config } from "../config";
import { digestDepsFor, ingestAndRunDigest, type DigestRunReport } from "../digest";
import { getDigest, getDigestState } from "../digest/digest-store";
import { personaliseDigest } from "../digest/render-digest";
import { runDigest, selectForDigest, type DigestReport } from "../digest/run-digest";
import { renderNextEdition, type EditionPreferences, type NextEdition } from "../digest/send-test-digest";
import type { Mailer, OutgoingEmail } from "../mail/mailer";
import { liftQuotaPause, type QuotaPause } from "../mail/quota-store";
import type { SendQueue } from "../queue-messages";
import type { StoredRelease } from "../releases/release-store";
import { CADENCES, LANGS, type Cadence, type Lang } from "../subscribers/preferences";
import { createPersonalToken } from "../subscribers/tokens";

export { CADENCES, type Cadence };
export const LANGUAGES = LANGS;
export type Language = Lang;

/** The edition the preview and the test send show: a reader's cadence and choices. */
export interface Edition extends EditionPreferences {
  cadence: Cadence;
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

/** An id no address hashes to: the preview's personal links lead nowhere. */
const PREVIEW_READER_ID = "0".repeat(32);

export interface DigestPreview {
  /** The cadence's dry run: every edition, every reader of the cadence. */
  report: DigestReport;
  /** The chosen edition: its releases and email (null when a reader with these choices would get nothing). */
  edition: NextEdition;
  email: OutgoingEmail | null;
}

/** The dry run (counts, subject) and the email exactly as a reader of the edition would get it. Sends nothing, changes nothing. */
export async function previewNextDigest(config: Config, kv: KVNamespace, edition: Edition, now: Date): Promise<DigestPreview> {
  // dryRun never touches the queue.
  const deps = digestDepsFor(config, { kv, queue: null as unknown as SendQueue }, () => now);
  const [report, next] = await Promise.all([runDigest(deps, { dryRun: true, cadence: edition.cadence }), renderNextEdition(deps, edition.cadence, edition)]);
  if (!next.content || !next.digestId) return { report, edition: next, email: null };
  const token = createPersonalToken(config.signingSecret, PREVIEW_READER_ID);
  const email = personaliseDigest(next.content, {
    token,
    to: "reader@example.org",
    from: config.emailFrom,
    publicUrl: config.publicUrl,
    digestId: next.digestId,
    inboundAddress: config.inboundAddress,
  });
  return { report, edition: next, email };
}

/** The next edition with these choices, to one address only (POST /admin/digest {"to", "cadence"}). */
export async function sendTestDigestTo(config: Config, bindings: DigestBindings, to: string, edition: Edition): Promise<DigestRunReport> {
  const { cadence, ...choices } = edition;
  return ingestAndRunDigest(config, bindings, { to, cadence, edition: choices });
}

/**
 * Resume after a quota pause: lift the pause, then let the digest run of
 * each cadence with an unfinished digest finish it (it re-enqueues deferred
 * batches and starts nothing new while one is unfinished). With nothing
 * unfinished, only the pause is lifted.
 */
export async function resumeAfterPause(
  config: Config,
  bindings: DigestBindings,
  now: Date,
): Promise<{ liftedPause: QuotaPause | null; reports: DigestReport[] }> {
  const liftedPause = await liftQuotaPause(bindings.kv, now);
  const reports: DigestReport[] = [];
  for (const cadence of CADENCES) {
    const state = await getDigestState(bindings.kv, cadence);
    const last = state.lastDigestId ? await getDigest(bindings.kv, state.lastDigestId) : null;
    if (!last || last.status !== "sending") continue;
    reports.push(
      await runDigest(
        digestDepsFor(config, bindings, () => now),
        { cadence },
      ),
    );
  }
  return { liftedPause, reports };
}

export type WaitingReleases = Record<Cadence, StoredRelease[]>;

/** The releases the next daily and weekly editions would carry, as the digest itself selects them (before each reader's topics and feeds). */
export async function listWaitingReleases(config: Config, kv: KVNamespace, now: Date): Promise<WaitingReleases> {
  const [daily, weekly] = await Promise.all(
    CADENCES.map(async (cadence) => selectForDigest({ kv, maxAgeDays: config.maxAgeDays }, await getDigestState(kv, cadence), now, cadence)),
  );
  return { daily: daily ?? [], weekly: weekly ?? [] };
}
