// Revisions as digest candidates: each release NATO revised since the
// cadence's last digest (and first seen before it, so it was mailed) becomes
// one entry, carrying the new text and what readers were sent. Several
// revisions of one release in a window make one entry: the newest text, the
// oldest previous title (the one readers got).
import { listRevisionsSince, type Revision } from "../releases/revision-store";
import type { StoredRelease } from "../releases/release-store";
import type { StoryCandidate } from "./select-stories";

/** Shaped as a stored release (the console lists it among what waits), plus what was sent. */
export type RevisionCandidate = StoredRelease & { revision: NonNullable<StoryCandidate["revision"]> };

export function buildRevisionCandidates(revisions: Revision[], now: Date, maxAgeDays: number): RevisionCandidate[] {
  const oldest = now.getTime() - maxAgeDays * 86_400_000;
  const byRelease = new Map<string, { first: Revision; last: Revision }>();
  for (const revision of [...revisions].sort((a, b) => (a.revisedAt < b.revisedAt ? -1 : 1))) {
    if (Date.parse(revision.publishedAt) < oldest) continue;
    const seen = byRelease.get(revision.releaseId);
    if (seen) seen.last = revision;
    else byRelease.set(revision.releaseId, { first: revision, last: revision });
  }
  return [...byRelease.values()].map(({ first, last }) => {
    const candidate: RevisionCandidate = {
      // Its own id: the digest id and the web view tell the update from the release.
      id: `${last.releaseId}.r${last.revisedAt.replace(/\D/g, "").slice(0, 12)}`,
      title: last.title,
      link: last.link,
      summary: last.summary,
      publishedAt: last.publishedAt,
      sourceUrl: last.sourceUrl,
      hasFeedDate: true,
      firstSeenAt: last.revisedAt,
      eligible: true,
      revision: { releaseId: last.releaseId, previousTitle: first.previousTitle, previousSummary: first.previousSummary, translated: last.translated },
    };
    if (last.lang) candidate.lang = last.lang;
    if (last.storyKey) candidate.storyKey = last.storyKey;
    return candidate;
  });
}

/** The revision entries for a digest whose window starts at `since`. */
export async function listRevisionCandidates(kv: KVNamespace, since: Date, now: Date, maxAgeDays: number): Promise<RevisionCandidate[]> {
  return buildRevisionCandidates(await listRevisionsSince(kv, since, now), now, maxAgeDays);
}
