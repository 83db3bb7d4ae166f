// The "plan editions" and "freeze recipients" steps of a digest run: the
// cadence's confirmed readers from KV list pages (no read per reader),
// grouped into editions, each rendered ONCE; the run's own page (the archive's,
// always the unfiltered edition); and the frozen recipient list. Nothing here
// writes, except saveFrozenRecipients.
import type { DigestRelease } from "../../emails/release-digest";
import { DEFAULT_PREFERENCES, type Cadence, type FeedChoice } from "../subscribers/preferences";
import { getEditionPreferences, listSubscriberPage } from "../subscribers/subscriber-store";
import { type Recipient, saveRecipients } from "./digest-store";
import { editionDigestId } from "./edition-store";
import { planEditions, type EditionPlan, type ListedReader, type PlannedEdition } from "./editions";
import { renderDigest, type DigestContent } from "./render-digest";
import type { DigestDeps } from "./run-types";

export type RunRelease = DigestRelease & { sourceUrl?: string };

export interface RenderedEdition {
  edition: PlannedEdition;
  content: DigestContent;
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

/** The editions of this run: readers grouped by their choices, each with its releases. */
export async function planRun(deps: DigestDeps, cadence: Cadence, releases: RunRelease[], feeds: FeedChoice[] | null): Promise<EditionPlan> {
  const readers = await listReaders(deps.kv, cadence);
  const keys = [...new Set(readers.map((reader) => reader.edition).filter((key): key is string => key !== null))];
  const preferences = await getEditionPreferences(deps.kv, keys);
  const plan = planEditions(readers, preferences, releases, feeds);
  if (plan.unknownEditionKeys.length > 0)
    console.error(`editions without stored preferences (readers get the defaults): ${plan.unknownEditionKeys.join(", ")}`);
  return plan;
}

/** One render per edition. */
export async function renderEditions(deps: DigestDeps, runId: string, cadence: Cadence, editions: PlannedEdition[], now: Date): Promise<RenderedEdition[]> {
  const rendered: RenderedEdition[] = [];
  for (const edition of editions) {
    const content = await renderDigest(edition.releases, {
      publicUrl: deps.publicUrl,
      digestId: editionDigestId(runId, edition.index),
      date: now,
      cadence,
      lang: edition.choice.lang,
      topics: edition.choice.topics,
      operator: deps.operator,
    });
    rendered.push({ edition, content });
  }
  return rendered;
}

/**
 * The run's own page (the archive's entry, its subject in /digests and the
 * Atom feed): every release of the run in the default language, with no
 * topics. Never a reader's edition with topics or a choice of feeds, even
 * when that edition is the only one: an edition that is exactly this one is
 * reused, otherwise it is rendered once more.
 */
export async function renderRunPage(
  deps: DigestDeps,
  runId: string,
  cadence: Cadence,
  releases: RunRelease[],
  rendered: RenderedEdition[],
  now: Date,
): Promise<DigestContent> {
  const all = releases.map((r) => r.id).join(",");
  const same = rendered.find(
    ({ edition }) =>
      edition.choice.lang === DEFAULT_PREFERENCES.lang && edition.choice.topics.length === 0 && edition.releases.map((r) => r.id).join(",") === all,
  );
  if (same) return same.content;
  return renderDigest(releases, { publicUrl: deps.publicUrl, digestId: runId, date: now, cadence, lang: DEFAULT_PREFERENCES.lang, operator: deps.operator });
}

/** The frozen recipient list: readers in key order, each with their edition and token. */
export function buildRecipients(editions: PlannedEdition[]): Recipient[] {
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

/**
 * Step "freeze recipients": the list, in chunks keyed by this run's token.
 * Crash right after: nothing points at the chunks yet (no state, no record);
 * the next run plans again and writes its own under its own token; these
 * expire in 30 days.
 */
export async function saveFrozenRecipients(kv: KVNamespace, runId: string, runToken: string, recipients: Recipient[]): Promise<void> {
  await saveRecipients(kv, runId, runToken, recipients);
}
