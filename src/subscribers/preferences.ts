// What each reader chooses: how often (daily or weekly), which topics, which
// language, which feeds. Pure validation and matching, plus the feed choices
// the pages offer.
//
// Old records have no `preferences` field: preferencesOf() reads them as the
// defaults (daily, no topics, English, the default sources), so no migration
// is ever needed; the field is written the first time a reader saves a choice.
import type { Config } from "../config";
import { LANGS, type Cadence, type Lang } from "../i18n/lang";
import { sha256HexSync } from "../lib/crypto";
import { listSources } from "../feeds/source-store";
import type { OtherLanguage, Preferences } from "../queue-messages";

// The shape lives with the queue's messages (an import chunk carries it), so
// that module stays a leaf; this module is its home for everything else.
export type { Preferences };
/** A story NATO has not published in the reader's language: given in the other one (marked), or left out. */
export type { OtherLanguage };

// One definition of each, in the i18n leaf (emails/ may import nothing else).
export type { Cadence, Lang };
export { LANGS };
export const CADENCES: readonly Cadence[] = ["daily", "weekly"];
export const OTHER_LANGUAGE_CHOICES: readonly OtherLanguage[] = ["include", "skip"];
export const MAX_TOPICS = 10;
export const MIN_TOPIC_LENGTH = 2;
export const MAX_TOPIC_LENGTH = 40;

export interface FeedChoice {
  id: string;
  title: string;
  lang: Lang | null;
  url: string;
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze({ cadence: "daily", topics: [], lang: "en", sources: null });

export type PreferencesResult = { ok: true; preferences: Preferences } | { ok: false; field: string; message: string };

export interface RawPreferences {
  cadence?: unknown;
  topics?: unknown;
  lang?: unknown;
  sources?: unknown;
  otherLanguage?: unknown;
}

/** Lower case, accents and other combining marks removed, compatibility forms folded ("Sécurité" → "securite"). */
export function foldText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** A topic as typed, cleaned: trimmed, inner whitespace collapsed. */
function cleanTopic(raw: string): string {
  return raw.normalize("NFC").trim().replace(/\s+/g, " ");
}

const TOPIC_CHARACTERS = /^[\p{L}\p{N}][\p{L}\p{N} '’\-.&]*$/u;

function parseTopics(raw: unknown): { ok: true; topics: string[] } | { ok: false; message: string } {
  if (raw === undefined || raw === null) return { ok: true, topics: [] };
  let items: unknown[];
  if (typeof raw === "string") items = raw.split(",");
  else if (Array.isArray(raw)) items = raw;
  else return { ok: false, message: "topics must be a list of keywords (a comma-separated field, or a JSON array of strings)" };
  if (items.length > 100) return { ok: false, message: `topics: at most ${MAX_TOPICS} keywords` };
  const topics: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (typeof item !== "string") return { ok: false, message: "topics must be strings" };
    const topic = cleanTopic(item);
    if (topic === "" && typeof raw === "string") continue; // "nato, , cyber" or a trailing comma
    const length = [...topic].length;
    if (length < MIN_TOPIC_LENGTH || length > MAX_TOPIC_LENGTH) {
      return { ok: false, message: `each topic must be ${MIN_TOPIC_LENGTH} to ${MAX_TOPIC_LENGTH} characters long` };
    }
    if (!TOPIC_CHARACTERS.test(topic)) return { ok: false, message: "a topic may hold letters, digits, spaces, hyphens and apostrophes only" };
    const folded = foldText(topic);
    if (seen.has(folded)) continue;
    seen.add(folded);
    topics.push(topic);
  }
  if (topics.length > MAX_TOPICS) return { ok: false, message: `topics: at most ${MAX_TOPICS} keywords` };
  return { ok: true, topics };
}

/**
 * Validates what a form or JSON body sent. Absent fields take the defaults;
 * a bad value names its field. `sources` must be ids of configured feeds.
 */
export function parsePreferencesInput(raw: RawPreferences, feeds: FeedChoice[]): PreferencesResult {
  const cadence = raw.cadence === undefined || raw.cadence === "" ? "daily" : raw.cadence;
  if (typeof cadence !== "string" || !(CADENCES as readonly string[]).includes(cadence)) {
    return { ok: false, field: "cadence", message: "cadence must be daily or weekly" };
  }
  const lang = raw.lang === undefined || raw.lang === "" ? "en" : raw.lang;
  if (typeof lang !== "string" || !(LANGS as readonly string[]).includes(lang)) return { ok: false, field: "lang", message: "lang must be en or fr" };
  const otherLanguage = raw.otherLanguage === undefined || raw.otherLanguage === "" ? "include" : raw.otherLanguage;
  if (typeof otherLanguage !== "string" || !(OTHER_LANGUAGE_CHOICES as readonly string[]).includes(otherLanguage)) {
    return { ok: false, field: "otherLanguage", message: "otherLanguage must be include or skip" };
  }
  const topics = parseTopics(raw.topics);
  if (!topics.ok) return { ok: false, field: "topics", message: topics.message };

  let sources: string[] | null = null;
  if (raw.sources !== undefined && raw.sources !== null) {
    const list = typeof raw.sources === "string" ? [raw.sources] : raw.sources;
    if (!Array.isArray(list) || list.length > 100 || !list.every((item) => typeof item === "string")) {
      return { ok: false, field: "sources", message: "sources must be a list of feed ids" };
    }
    const known = new Set(feeds.map((feed) => feed.id));
    const unknown = (list as string[]).find((id) => !known.has(id));
    if (unknown !== undefined) return { ok: false, field: "sources", message: "sources names a feed that is not configured" };
    if (list.length === 0) return { ok: false, field: "sources", message: "sources: choose at least one feed" };
    const chosen = new Set(list as string[]);
    sources = feeds.map((feed) => feed.id).filter((id) => chosen.has(id));
    // Exactly the default feeds for this language (what the form shows ticked): keep the default,
    // so feeds added later in the reader's language are included.
    const defaults = effectiveSources({ sources: null, lang: lang as Lang }, feeds);
    if (defaults.length === sources.length && defaults.every((id) => chosen.has(id))) sources = null;
  }
  const preferences: Preferences = { cadence: cadence as Cadence, topics: topics.topics, lang: lang as Lang, sources };
  if (otherLanguage === "skip") preferences.otherLanguage = "skip";
  return { ok: true, preferences };
}

/** The reader's preferences; records written before preferences existed read as the defaults. */
export function preferencesOf(subscriber: { preferences?: Preferences }): Preferences {
  const stored = subscriber.preferences;
  if (!stored) return { ...DEFAULT_PREFERENCES, topics: [] };
  const preferences: Preferences = {
    cadence: stored.cadence === "weekly" ? "weekly" : "daily",
    topics: Array.isArray(stored.topics) ? stored.topics : [],
    lang: stored.lang === "fr" ? "fr" : "en",
    sources: Array.isArray(stored.sources) ? stored.sources : null,
  };
  if (stored.otherLanguage === "skip") preferences.otherLanguage = "skip";
  return preferences;
}

export function isDefaultPreferences(preferences: Preferences): boolean {
  return (
    preferences.cadence === "daily" &&
    preferences.lang === "en" &&
    preferences.topics.length === 0 &&
    preferences.sources === null &&
    preferences.otherLanguage !== "skip"
  );
}

/**
 * The feeds a reader gets. An explicit choice is kept as is (ids of feeds no
 * longer configured drop out). The default: the feeds declared in the
 * reader's language; where none is, the feeds of undeclared language (a
 * French reader never gets a feed declared English by default); where none
 * is either, every feed.
 */
export function effectiveSources(preferences: Pick<Preferences, "sources" | "lang">, feeds: FeedChoice[]): string[] {
  if (preferences.sources !== null) {
    const chosen = new Set(preferences.sources);
    return feeds.filter((feed) => chosen.has(feed.id)).map((feed) => feed.id);
  }
  const declared = feeds.filter((feed) => feed.lang === preferences.lang);
  const undeclared = feeds.filter((feed) => feed.lang === null);
  return (declared.length > 0 ? declared : undeclared.length > 0 ? undeclared : feeds).map((feed) => feed.id);
}

/**
 * A compiled topic filter: a release matches when a topic starts a word of
 * its title or summary, ignoring case and accents. A word starts after
 * anything that is not a letter or digit, so "l'OTAN" has a word "OTAN" and
 * "cyber" starts "cyberattacks". No topics: everything matches.
 */
export function topicMatcher(topics: string[]): (release: { title: string; summary: string }) => boolean {
  if (topics.length === 0) return () => true;
  const escaped = topics.map((topic) => foldText(topic).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(`(?:^|[^\\p{L}\\p{N}])(?:${escaped.join("|")})`, "u");
  return (release) => pattern.test(foldText(release.title)) || pattern.test(foldText(release.summary));
}

/** The canonical form that decides editions: same canonical preferences, same email. */
export function canonicalPreferences(preferences: Preferences): string {
  const topics = [...new Set(preferences.topics.map(foldText))].sort();
  const sources = preferences.sources === null ? null : [...new Set(preferences.sources)].sort();
  // "o" only when it differs from the default, so readers who never chose keep their edition keys.
  const canonical: Record<string, unknown> = { c: preferences.cadence, l: preferences.lang, t: topics, s: sources };
  if (preferences.otherLanguage === "skip") canonical.o = "skip";
  return JSON.stringify(canonical);
}

/** The feeds the pages offer and editions filter on: configured URLs, titled by the feed (or the configuration), with their language. */
export async function listFeedChoices(kv: KVNamespace, config: Pick<Config, "feedUrls" | "feedLanguages" | "feedTitles">): Promise<FeedChoice[]> {
  const states = await listSources(kv, config.feedUrls);
  return config.feedUrls.map((url, index) => {
    const state = states[index] as { title?: string | null; language?: string | null } | undefined;
    const configured = config.feedLanguages[url];
    const declared = languageOf(state?.language ?? null);
    const title = config.feedTitles[url] ?? (state?.title?.trim() || new URL(url).host);
    return { id: feedIdFor(url), url, title, lang: configured ?? declared };
  });
}

/** A feed's id: the hash that also keys its state (v1:source:<id>), so the id never changes while the URL stays. */
export function feedIdFor(url: string): string {
  return sha256HexSync(url).slice(0, 24);
}

/** A feed's `<language>` ("fr", "fr-FR", "en-gb") as one of ours, or null. */
export function languageOf(raw: string | null): Lang | null {
  const primary = raw?.trim().toLowerCase().split(/[-_]/)[0];
  return primary === "en" || primary === "fr" ? primary : null;
}
