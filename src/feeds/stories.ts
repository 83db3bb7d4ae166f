// Pairing at ingest: each new release gets its language and story key, and
// a translation whose original is already stored records it
// (translationOf), so the digest can tell a late translation from a new
// story without reading anything more. Costs one bulk read per 100 new
// releases and one write per new release; a steady feed costs nothing here.
import { getStories, saveStory, type StoryEntry } from "../releases/story-store";
import { buildLinkLanguage, buildStoryKey, otherLang, type StoryLang } from "../releases/story";
import { releaseKey, type StoredRelease } from "../releases/release-store";

/** Story entries written during one ingest run, shared across its sources (the French feed pairs with the English one fetched a moment before). */
export type StoryCache = Map<string, StoryEntry>;

/** A feed's language from its configuration, else from what it declares ("fr-FR" → fr), else null. */
export function buildSourceLanguage(configured: StoryLang | undefined, declared: string | null): StoryLang | null {
  if (configured) return configured;
  const primary = declared?.trim().toLowerCase().split(/[-_]/)[0];
  return primary === "en" || primary === "fr" ? primary : null;
}

/**
 * Sets lang, storyKey and translationOf on each new release (in place), and
 * returns the story entries to save once the releases are stored (see
 * saveStoryEntries): a failure there loses a pairing, never a release.
 */
export async function pairNewReleases(
  kv: KVNamespace,
  releases: StoredRelease[],
  sourceLang: StoryLang | null,
  cache: StoryCache,
): Promise<Map<string, StoryEntry>> {
  const withLang = releases
    .map((release) => ({ release, lang: sourceLang ?? buildLinkLanguage(release.link) }))
    .filter((entry): entry is { release: StoredRelease; lang: StoryLang } => entry.lang !== null);
  for (const { release, lang } of withLang) {
    release.lang = lang;
    release.storyKey = buildStoryKey(release.link, release.publishedAt);
  }
  const toRead = withLang.map(({ release }) => release.storyKey!).filter((key) => !cache.has(key));
  const stored = toRead.length > 0 ? await getStories(kv, toRead) : new Map<string, StoryEntry>();
  const dirty = new Set<string>();
  for (const { release, lang } of withLang) {
    let key = release.storyKey!;
    let entry = cache.get(key) ?? stored.get(key) ?? {};
    const same = entry[lang];
    if (same && same.id !== release.id) {
      // Another release in this language already holds the key (two releases
      // in the same minute, say): not a translation, a story of its own.
      key = `${key}#${release.id.slice(0, 12)}`;
      entry = cache.get(key) ?? {};
    }
    release.storyKey = key;
    const other = entry[otherLang(lang)];
    if (other) release.translationOf = other;
    entry = {
      ...entry,
      [lang]: {
        id: release.id,
        key: releaseKey(release),
        lang,
        firstSeenAt: release.firstSeenAt,
        eligible: release.eligible,
        title: release.title,
        link: release.link,
      },
    };
    cache.set(key, entry);
    dirty.add(key);
  }
  return new Map([...dirty].map((key) => [key, cache.get(key)!]));
}

/** One write per story a new release joined or started. */
export async function saveStoryEntries(kv: KVNamespace, entries: Map<string, StoryEntry>): Promise<void> {
  for (const [key, entry] of entries) await saveStory(kv, key, entry);
}
