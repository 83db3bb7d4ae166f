import type { StoryLang, StoryVersion } from "./story";

// A release as the service keeps it: what feeds/ produces at ingest and
// every later step (selection, rendering, the archive) reads.
export interface Release {
  id: string;
  title: string;
  link: string;
  summary: string;
  /** ISO 8601. The feed's date, or the first-seen time when it has none. */
  publishedAt: string;
  /** False when the feed gave no usable date. */
  hasFeedDate: boolean;
  firstSeenAt: string;
  sourceUrl: string;
  /** The release's language (its feed's, else its link's); absent in records from before stories, or unknown. */
  lang?: StoryLang | null;
  /** Shared with its translation (see story.ts); absent: a story of its own. */
  storyKey?: string;
  /** The other language's version, when it was stored before this one (set at ingest). */
  translationOf?: StoryVersion;
}
