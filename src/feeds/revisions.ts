// Revisions at ingest: a release already seen whose title or summary NATO
// changed in substance (releases/revision.ts) is rewritten in place and a
// revision record is kept for the next digest. Comparing costs nothing: the
// fingerprints of the last document live in the source record ingest reads
// and writes anyway; only a release that did change costs reads (bulk).
import { buildContentFingerprint } from "../releases/revision";
import { saveRevision } from "../releases/revision-store";
import { getReleasesByIds, updateRelease } from "../releases/release-store";
import type { Release } from "../releases/release";
import { getStories } from "../releases/story-store";
import { otherLang } from "../releases/story";

/** Enough for any real feed's document. */
export const MAX_FINGERPRINTS = 300;

/** The fingerprints of a document's releases, in its order. */
export function buildFingerprints(releases: Pick<Release, "id" | "title" | "summary">[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const release of releases.slice(0, MAX_FINGERPRINTS)) out[release.id] ??= buildContentFingerprint(release.title, release.summary);
  return out;
}

/** Seen releases whose content differs from the fingerprint kept for them (none known: no revision). */
export function findRevised(previous: Record<string, string> | undefined, seen: Release[]): Release[] {
  if (!previous) return [];
  return seen.filter((release) => {
    const before = previous[release.id];
    return before !== undefined && before !== buildContentFingerprint(release.title, release.summary);
  });
}

/** Rewrites the revised releases and records each revision; returns how many were recorded. */
export async function recordRevisions(kv: KVNamespace, revised: Release[], now: Date): Promise<number> {
  const current = new Map(revised.map((release) => [release.id, release]));
  const stored = await getReleasesByIds(kv, [...current.keys()]);
  const storyKeys = stored.map((release) => release.storyKey).filter((key): key is string => !!key);
  const stories = storyKeys.length > 0 ? await getStories(kv, storyKeys) : new Map();
  let recorded = 0;
  for (const before of stored) {
    const now_ = current.get(before.id)!;
    if (buildContentFingerprint(before.title, before.summary) === buildContentFingerprint(now_.title, now_.summary)) continue;
    const other = before.lang && before.storyKey ? stories.get(before.storyKey)?.[otherLang(before.lang)] : undefined;
    if (before.eligible) {
      await saveRevision(kv, {
        releaseId: before.id,
        revisedAt: now.toISOString(),
        title: now_.title,
        summary: now_.summary,
        link: now_.link,
        publishedAt: before.publishedAt,
        sourceUrl: before.sourceUrl,
        firstSeenAt: before.firstSeenAt,
        lang: before.lang ?? null,
        ...(before.storyKey ? { storyKey: before.storyKey } : {}),
        previousTitle: before.title,
        previousSummary: before.summary,
        translated: !!other || !!before.translationOf,
      });
      recorded++;
    }
    await updateRelease(kv, { ...before, title: now_.title, summary: now_.summary, link: now_.link });
  }
  return recorded;
}
