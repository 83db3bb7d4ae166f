// Which stored releases go into the next digest. Pure: takes the list
// metadata and the clock, returns the keys to include.
import type { ListedRelease } from "../releases/release-store";

export interface SelectionRules {
  /** Releases first seen after this go in (the previous digest's watermark). */
  since: Date;
  now: Date;
  maxAgeDays: number;
}

export function selectReleaseKeys(listed: ListedRelease[], rules: SelectionRules, alreadySent: ReadonlySet<string>): string[] {
  const oldest = rules.now.getTime() - rules.maxAgeDays * 86_400_000;
  return listed
    .filter(({ key, meta }) => {
      if (!meta.eligible) return false;
      const firstSeen = Date.parse(meta.firstSeenAt);
      if (!(firstSeen > rules.since.getTime() && firstSeen <= rules.now.getTime())) return false;
      if (Date.parse(meta.publishedAt) < oldest) return false;
      return !alreadySent.has(key.slice(key.lastIndexOf(":") + 1));
    })
    .map(({ key }) => key);
}
