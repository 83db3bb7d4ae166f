// What a digest says, decided once per edition before anything is rendered:
// order, which releases are shown in full, which only by title, how many are
// left for the web view, and every line of text (subject, preheader,
// headings). The HTML template and the plain-text builder both read this
// model, so the two parts always agree. Pure: no I/O, no clock.
import { stringsFor, type Strings } from "../src/i18n";
import { formatDayDate, formatLongDate, formatTime } from "../src/i18n/dates";
import type { Cadence, Lang } from "../src/i18n/lang";

export interface DigestRelease {
  id: string;
  title: string;
  link: string;
  /** Plain text; rendered as text, never as HTML. */
  summary: string;
  /** ISO 8601. */
  publishedAt: string;
  /** The feed's title, for the "time · source" line. */
  source?: string;
  /** Given in the other language, NATO having not published it in the reader's: marked "(in French)" / "(en anglais)". */
  otherLang?: Lang;
  /** "translated": now in the reader's language, after they got the other one; "updated": revised since it was sent. */
  section?: "translated" | "updated";
  /** For "updated": the title the reader got, when the new one differs. */
  previousTitle?: string;
}

export interface DigestModelOptions {
  lang: Lang;
  cadence: Cadence;
  /** The edition's date: goes into the heading, not the subject. */
  date: Date;
  topics: string[];
}

export interface ShownRelease {
  id: string;
  title: string;
  link: string;
  summary: string;
  publishedAt: string;
  /** "15:30 UTC · NATO News". */
  meta: string;
  /** "(in French)" after a title NATO has not published in the edition's language; null otherwise. */
  marker: string | null;
  /** The title's language when it differs from the edition's (for lang= on the link); null otherwise. */
  titleLang: Lang | null;
  /** Under "Updated": the title the reader got, when it changed; null otherwise. */
  previously: string | null;
}

export interface DigestModel {
  lang: Lang;
  cadence: Cadence;
  t: Strings;
  subject: string;
  preheader: string;
  /** The <title> of the HTML part. */
  title: string;
  heading: string;
  intro: string;
  topicsLine: string | null;
  total: number;
  /** "In this digest": the first headlines, when more than five releases are shown. */
  headlines: { title: string; link: string }[];
  headlinesMore: number;
  days: { key: string; label: string; releases: ShownRelease[] }[];
  /** Listed by title only, after the full ones. */
  titles: ShownRelease[];
  /** Neither shown nor listed: "and N more" with a link to the web view. */
  hidden: number;
  /** After the new releases: "Now in French" (translations of stories the reader got in the other language), then "Updated since we sent it". */
  sections: { key: "translated" | "updated"; heading: string; releases: ShownRelease[] }[];
}

export const SUBJECT_MAX = 100;
export const PREHEADER_MAX = 140;
export const SUMMARY_MAX = 200;
const TITLE_MAX = 200;
export const FULL_MAX = 30;
export const TITLES_MAX = 150;
export const HEADLINES_MIN = 6;
export const HEADLINES_MAX = 10;
/** Late translations and revisions listed per section; they are few, and cut here so the size budget holds. */
export const SECTION_MAX = 20;

// The HTML must stay under Gmail's 102 KB clipping limit whatever the feeds
// send. Releases are admitted against a byte budget with a per-release
// allowance for the markup around them; tests/email/sizes.test.ts renders
// worst cases (1,000 releases, long titles and links) to keep these honest.
export const HTML_LIMIT = 90 * 1024;
const RELEASES_BUDGET = 72 * 1024;
const FULL_MARKUP = 720;
const TITLE_MARKUP = 330;
const HEADLINE_MARKUP = 240;

/** Cuts at the last word boundary that fits, with an ellipsis: never mid-word. */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  const space = room.search(/\s\S*$/);
  const cut = space > max / 2 ? room.slice(0, space) : room;
  return `${cut.replace(/[\s,;:–—-]+$/u, "")}…`;
}

// Feed descriptions often end with a link label that means nothing in an
// email ("Read more", "Lire la suite", "[…]").
const READ_MORE_TAIL =
  /(?:\s*[[(]?\s*(?:read more|read the full (?:story|article|text)|continue reading|full story|lire la suite|en savoir plus|plus d'informations)\s*(?:\.{3}|…|»|›|>>|→)?\s*[\])]?|\s*\[\s*(?:\.{3}|…)\s*\])\s*$/iu;

export function cleanSummary(summary: string): string {
  let text = summary.replace(/\s+/g, " ").trim();
  for (let i = 0; i < 3 && READ_MORE_TAIL.test(text); i++) text = text.replace(READ_MORE_TAIL, "").trim();
  return cutAtWord(text, SUMMARY_MAX);
}

export function sortNewestFirst(releases: DigestRelease[]): DigestRelease[] {
  return [...releases].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.title.localeCompare(b.title)));
}

function cleanTitle(title: string): string {
  return cutAtWord(title.replace(/\s+/g, " ").trim(), TITLE_MAX);
}

/** "Top release + 11 more", one line, at most 100 characters, cut at a word. */
export function buildDigestSubject(sorted: DigestRelease[], t: Strings): string {
  if (sorted.length === 0) return t.serviceName;
  const suffix = sorted.length > 1 ? t.digest.subjectMore(sorted.length - 1) : "";
  const title = sorted[0]!.title.replace(/\s+/g, " ").trim() || t.serviceName;
  return `${cutAtWord(title, SUBJECT_MAX - suffix.length)}${suffix}`;
}

/** The line after the subject in the inbox: the next headlines (or the one summary). */
export function buildPreheader(sorted: DigestRelease[]): string {
  const next = sorted.slice(1, 4).map((r) => r.title.replace(/\s+/g, " ").trim());
  const text = next.length > 0 ? next.join(" · ") : cleanSummary(sorted[0]?.summary ?? "");
  return cutAtWord(text, PREHEADER_MAX);
}

/** Bytes a string takes in the HTML once escaped (UTF-8, entities for & < > " '). */
function htmlBytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 38 || code === 60 || code === 62 || code === 34 || code === 39) bytes += 6;
    else if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else bytes += 3; // a surrogate pair counts 6 here for 4 real bytes: on the safe side
  }
  return bytes;
}

/** Headings start with a capital, also in French ("Samedi 28 novembre 2026"). */
function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function dayKey(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

function showRelease(release: DigestRelease, t: Strings): ShownRelease {
  const previous = release.previousTitle ? cleanTitle(release.previousTitle) : "";
  return {
    id: release.id,
    title: cleanTitle(release.title) || t.serviceName,
    link: release.link,
    summary: cleanSummary(release.summary),
    publishedAt: release.publishedAt,
    meta: [formatTime(release.publishedAt), release.source?.replace(/\s+/g, " ").trim()].filter(Boolean).join(" · "),
    marker: release.otherLang ? t.digest.inLanguage(release.otherLang) : null,
    titleLang: release.otherLang ?? null,
    previously: previous ? t.digest.previously(previous) : null,
  };
}

export function buildDigestModel(releases: DigestRelease[], options: DigestModelOptions): DigestModel {
  const t = stringsFor(options.lang);
  const sorted = sortNewestFirst(releases.filter((release) => !release.section));
  const shown: ShownRelease[] = sorted.map((release) => showRelease(release, t));
  const sections: DigestModel["sections"] = [];
  for (const key of ["translated", "updated"] as const) {
    const listed = sortNewestFirst(releases.filter((release) => release.section === key)).slice(0, SECTION_MAX);
    if (listed.length === 0) continue;
    const heading = key === "translated" ? t.digest.nowInLanguage(options.lang) : t.digest.updatedHeading;
    sections.push({ key, heading, releases: listed.map((release) => showRelease(release, t)) });
  }
  // A digest of late translations and revisions only takes its subject from them.
  const forSubject = sorted.length > 0 ? sorted : sortNewestFirst(releases);

  let budget = RELEASES_BUDGET;
  // Sections first: they are few and each is owed to its readers once.
  for (const section of sections) {
    section.releases = section.releases.filter((release) => {
      const cost =
        FULL_MARKUP +
        htmlBytes(release.title) +
        htmlBytes(release.link) * 2 +
        htmlBytes(release.summary) +
        htmlBytes(release.meta) +
        htmlBytes(release.previously ?? "");
      if (cost > budget - 24 * 1024) return false; // room left for the new releases
      budget -= cost;
      return true;
    });
  }
  let fullCount = 0;
  const wantsHeadlines = sorted.length >= HEADLINES_MIN;
  for (const release of shown) {
    if (fullCount >= FULL_MAX) break;
    const headline = wantsHeadlines && fullCount < HEADLINES_MAX ? HEADLINE_MARKUP + htmlBytes(release.title) * 2 : 0;
    const cost = FULL_MARKUP + htmlBytes(release.title) + htmlBytes(release.link) * 2 + htmlBytes(release.summary) + htmlBytes(release.meta) + headline;
    if (cost > budget) break;
    budget -= cost;
    fullCount++;
  }
  let titleCount = 0;
  for (const release of shown.slice(fullCount)) {
    if (titleCount >= TITLES_MAX) break;
    const cost = TITLE_MARKUP + htmlBytes(release.title) + htmlBytes(release.link) * 2;
    if (cost > budget) break;
    budget -= cost;
    titleCount++;
  }

  const full = shown.slice(0, fullCount);
  const days: DigestModel["days"] = [];
  for (const release of full) {
    const key = dayKey(release.publishedAt);
    const last = days[days.length - 1];
    if (last && last.key === key) last.releases.push(release);
    else days.push({ key, label: capitalise(formatDayDate(options.lang, key)), releases: [release] });
  }
  const headlines = wantsHeadlines ? full.slice(0, HEADLINES_MAX).map(({ title, link }) => ({ title, link })) : [];
  const dateText = formatLongDate(options.lang, options.date);
  const topics = options.topics.map((topic) => topic.trim()).filter(Boolean);
  return {
    lang: options.lang,
    cadence: options.cadence,
    t,
    subject: buildDigestSubject(forSubject, t),
    preheader: buildPreheader(forSubject),
    title: `${t.digest.title(options.cadence)}, ${dateText}`,
    heading: t.digest.heading(options.cadence, dateText),
    // New releases only: the translated and updated ones are counted by their own sections.
    intro: sorted.length > 0 ? t.digest.intro(sorted.length, options.cadence) : t.digest.introFollowUps,
    topicsLine: topics.length > 0 ? t.digest.topics(topics) : null,
    total: sorted.length,
    headlines,
    headlinesMore: wantsHeadlines ? Math.max(0, sorted.length - headlines.length) : 0,
    days,
    titles: shown.slice(fullCount, fullCount + titleCount),
    hidden: sorted.length - fullCount - titleCount,
    sections,
  };
}
