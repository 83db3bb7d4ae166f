// What one edition lists, story by story. Pure. A release and its
// translation are one story (src/releases/story.ts); per edition:
//   - a story new in this window: the version in the edition's language;
//     where NATO has none, the other one marked with its language
//     (otherLanguage "include", the default) or nothing ("skip");
//   - a translation arriving after the original was mailed: listed once
//     under "Now in French" for readers who got the original in the other
//     language, as a new story for readers who skipped it, and not at all for
//     readers of the original's language (they have it);
//   - a revision of a release mailed earlier: listed once under "Updated"
//     for the readers who got that version;
//   - never one story twice: a new or translated entry wins over an update.
// Whether a reader "got" an earlier version is derived from the edition's
// choices, not recorded per reader per send.
import type { DigestRelease } from "../../emails/release-digest";
import { feedIdFor, topicMatcher, type Lang, type OtherLanguage } from "../subscribers/preferences";

/** A release as selection sees it: its story, and, for a revision entry, what was mailed. */
export interface StoryCandidate extends DigestRelease {
  sourceUrl?: string;
  lang?: Lang | null;
  storyKey?: string;
  /** The other version, stored before this one (see Release.translationOf). */
  translationOf?: { id: string; lang: Lang; eligible: boolean; title: string };
  /** Present on a revision entry: the release as it was when first stored. */
  revision?: { releaseId: string; previousTitle: string; previousSummary: string; translated: boolean };
}

export interface StoryChoice {
  lang: Lang;
  topics: string[];
  sources: string[] | null;
  otherLanguage?: OtherLanguage;
}

function storyOf(release: StoryCandidate): string {
  return release.storyKey ?? `id:${release.revision?.releaseId ?? release.id}`;
}

function strip(release: StoryCandidate): DigestRelease {
  const { sourceUrl: _s, lang: _l, storyKey: _k, translationOf: _t, revision: _r, ...shown } = release;
  return shown;
}

export function selectStoryReleases(choice: StoryChoice, releases: StoryCandidate[]): DigestRelease[] {
  const include = choice.otherLanguage !== "skip";
  const sources = choice.sources ? new Set(choice.sources) : null;
  const matches = topicMatcher(choice.topics);
  const isOther = (release: StoryCandidate) => !!release.lang && release.lang !== choice.lang;
  const chosen = (release: StoryCandidate) => !sources || !release.sourceUrl || sources.has(feedIdFor(release.sourceUrl));
  // A feed the reader chose; with "include", a version in the other language may come from any feed.
  const fromWantedFeed = (release: StoryCandidate) => chosen(release) || (include && isOther(release));

  const stories = new Map<string, StoryCandidate[]>();
  for (const release of releases) {
    const key = storyOf(release);
    const group = stories.get(key);
    if (group) group.push(release);
    else stories.set(key, [release]);
  }

  const out: DigestRelease[] = [];
  for (const group of stories.values()) {
    // Topics match any language of the story: its versions here and the one stored before.
    const texts = group.flatMap((r) => [
      { title: r.title, summary: r.summary },
      ...(r.translationOf ? [{ title: r.translationOf.title, summary: "" }] : []),
      ...(r.revision ? [{ title: r.revision.previousTitle, summary: r.revision.previousSummary }] : []),
    ]);
    if (!texts.some(matches)) continue;
    const fresh = group.filter((r) => !r.revision && fromWantedFeed(r));
    const own = fresh.find((r) => !isOther(r));
    const other = fresh.find((r) => isOther(r));
    const entry = own ? ownEntry(own, fresh, choice.lang, include) : other ? otherEntry(other, choice.lang, include || chosen(other)) : null;
    if (entry) {
      out.push(entry);
      continue;
    }
    if (entry === null && fresh.length > 0) continue; // the reader has this story already
    const update = group.find((r) => r.revision && fromWantedFeed(r) && gotVersion(r, choice.lang, include));
    if (update) {
      const shown: DigestRelease = { ...strip(update), section: "updated" };
      if (update.revision!.previousTitle !== update.title) shown.previousTitle = update.revision!.previousTitle;
      if (isOther(update)) shown.otherLang = update.lang!;
      out.push(shown);
    }
  }
  return out;
}

/** The version in the reader's language is new here. */
function ownEntry(own: StoryCandidate, fresh: StoryCandidate[], lang: Lang, include: boolean): DigestRelease {
  const earlier = own.translationOf;
  const otherHereToo = fresh.some((r) => r !== own && r.lang && r.lang !== lang);
  // The original came in an earlier window and was mailed in the other language: announce the translation.
  if (earlier && earlier.lang !== lang && earlier.eligible && include && !otherHereToo) return { ...strip(own), section: "translated" };
  return strip(own);
}

/** Only the other language's version is new here; `wanted`: the reader takes it (include, or its feed is one they chose). */
function otherEntry(other: StoryCandidate, lang: Lang, wanted: boolean): DigestRelease | null {
  // The reader's language came first, in an earlier window: they have the story.
  if (other.translationOf?.lang === lang) return null;
  return wanted ? { ...strip(other), otherLang: other.lang! } : null;
}

/** Whether the readers of this choice were mailed the revised version. */
function gotVersion(update: StoryCandidate, lang: Lang, include: boolean): boolean {
  if (!update.lang || update.lang === lang) return true;
  return include && !update.revision!.translated;
}

/** Copies what selection needs of a stored release's story onto its digest form (absent fields stay absent). */
export function withStoryFields<T extends DigestRelease>(
  out: T,
  release: Partial<Pick<StoryCandidate, "lang" | "storyKey" | "translationOf" | "revision">>,
): T & StoryCandidate {
  const target = out as T & StoryCandidate;
  if (release.lang) target.lang = release.lang;
  if (release.storyKey) target.storyKey = release.storyKey;
  if (release.translationOf) target.translationOf = release.translationOf;
  if (release.revision) target.revision = release.revision;
  return target;
}
