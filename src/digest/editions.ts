// Editions: readers of one cadence with the same effective choices (feeds,
// topics, language) get the same email, rendered once. Pure: takes the
// listed readers, the preferences behind their edition keys, the selected
// releases and the configured feeds, and returns the editions that have both
// readers and releases. A reader whose selection is empty gets no email.
import type { DigestRelease } from "../../emails/release-digest";
import {
  DEFAULT_PREFERENCES,
  effectiveSources,
  foldText,
  type Cadence,
  type FeedChoice,
  type Lang,
  type OtherLanguage,
  type Preferences,
} from "../subscribers/preferences";
import { selectStoryReleases, type StoryCandidate } from "./select-stories";

/** A confirmed reader as the KV list metadata describes them. */
export interface ListedReader {
  id: string;
  email: string;
  token?: string;
  cadence: Cadence;
  /** Edition key of the reader's stored preferences; null = the defaults. */
  edition: string | null;
}

export interface EditionChoice {
  lang: Lang;
  topics: string[];
  /** Feed ids, sorted; null when no feeds are known (every release counts). */
  sources: string[] | null;
  /** Absent: "include" (stories NATO has not translated come in the other language, marked). */
  otherLanguage?: OtherLanguage;
}

export interface PlannedEdition {
  index: number;
  /** Canonical form of the choice: equal keys, equal emails. */
  key: string;
  choice: EditionChoice;
  releases: DigestRelease[];
  readers: ListedReader[];
}

export interface EditionPlan {
  editions: PlannedEdition[];
  /** Readers of this cadence whose selection is empty (no email for them). */
  readersWithNothing: number;
  /** Edition keys whose preferences were not found (their readers get the defaults). */
  unknownEditionKeys: string[];
}

export function choiceFor(preferences: Pick<Preferences, "lang" | "topics" | "sources" | "otherLanguage">, feeds: FeedChoice[] | null): EditionChoice {
  const topics = [...new Set(preferences.topics)].sort((a, b) => (foldText(a) < foldText(b) ? -1 : 1));
  const choice: EditionChoice = { lang: preferences.lang, topics, sources: feeds ? effectiveSources(preferences, feeds).sort() : null };
  // Without a feed in the reader's language nothing can be "not yet translated": other-language releases stay out.
  const translatable = !feeds || feeds.some((feed) => feed.lang === preferences.lang);
  if (preferences.otherLanguage === "skip" || !translatable) choice.otherLanguage = "skip";
  return choice;
}

function keyOf(choice: EditionChoice): string {
  const key = [choice.lang, [...new Set(choice.topics.map(foldText))].sort(), choice.sources];
  return JSON.stringify(choice.otherLanguage === "skip" ? [...key, "skip"] : key);
}

/** The releases of one edition, story by story (select-stories.ts), in the order given. */
export function releasesFor(choice: EditionChoice, releases: StoryCandidate[]): DigestRelease[] {
  return selectStoryReleases(choice, releases);
}

export function planEditions(
  readers: ListedReader[],
  preferencesByKey: Map<string, Preferences>,
  releases: StoryCandidate[],
  feeds: FeedChoice[] | null,
): EditionPlan {
  const byKey = new Map<string, { choice: EditionChoice; releases: DigestRelease[]; readers: ListedReader[] }>();
  const choiceByStoredKey = new Map<string | null, { key: string; choice: EditionChoice }>();
  const unknown = new Set<string>();
  let readersWithNothing = 0;
  for (const reader of readers) {
    let resolved = choiceByStoredKey.get(reader.edition);
    if (!resolved) {
      let preferences: Pick<Preferences, "lang" | "topics" | "sources" | "otherLanguage"> = DEFAULT_PREFERENCES;
      if (reader.edition !== null) {
        const stored = preferencesByKey.get(reader.edition);
        if (stored) preferences = stored;
        else unknown.add(reader.edition);
      }
      const choice = choiceFor(preferences, feeds);
      resolved = { key: keyOf(choice), choice };
      choiceByStoredKey.set(reader.edition, resolved);
    }
    let group = byKey.get(resolved.key);
    if (!group) {
      group = { choice: resolved.choice, releases: releasesFor(resolved.choice, releases), readers: [] };
      byKey.set(resolved.key, group);
    }
    if (group.releases.length === 0) readersWithNothing++;
    else group.readers.push(reader);
  }
  // Sorted by key: two runs over the same readers number the editions alike.
  const editions = [...byKey.entries()]
    .filter(([, group]) => group.readers.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group], index) => ({ index, key, choice: group.choice, releases: group.releases, readers: group.readers }));
  return { editions, readersWithNothing, unknownEditionKeys: [...unknown] };
}
