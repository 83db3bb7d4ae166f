// Stories: a NATO release and its translation are one story. Pure: the key
// that pairs them comes from the link and the publication date alone, so
// the English and the French version, fetched from two feeds hours apart,
// compute the same key without knowing of each other.
//   - /cps/en/natohq/news_283162.htm ↔ /cps/fr/natohq/news_283162.htm: NATO's
//     numeric id ("nato:283162"), whatever the page kind or query string;
//   - /en/news-and-events/… ↔ /fr/news-and-events/…: the path after the
//     language segment, on the same host;
//   - anything else: the same host and publication minute (NATO stamps both
//     versions of a release with the same time).
export type StoryLang = "en" | "fr";

/** The other version's place in a story, as the later version records it at ingest. */
export interface StoryVersion {
  id: string;
  /** The release's KV key (v1:release:<day>:<id>). */
  key: string;
  lang: StoryLang;
  firstSeenAt: string;
  eligible: boolean;
  title: string;
  link: string;
}

const CPS = /^\/cps\/(en|fr)\/[^/]+\/[a-z_-]*?(\d{3,})\.htm$/i;
const NEWS_AND_EVENTS = /^\/(en|fr)(\/news-and-events\/.+?)\/*$/i;

function parseLink(link: string): URL | null {
  try {
    return new URL(link);
  } catch {
    return null;
  }
}

function hostOf(url: URL): string {
  return url.host.toLowerCase().replace(/^www\./, "");
}

/** The key that a release and its translation share. */
export function buildStoryKey(link: string, publishedAt: string): string {
  const url = parseLink(link);
  if (url) {
    const cps = CPS.exec(url.pathname);
    if (cps) return `nato:${Number(cps[2])}`;
    const news = NEWS_AND_EVENTS.exec(url.pathname);
    if (news) return `path:${hostOf(url)}${news[2]!.toLowerCase()}`;
  }
  const minute = Number.isNaN(Date.parse(publishedAt)) ? publishedAt : new Date(publishedAt).toISOString().slice(0, 16);
  return `minute:${url ? hostOf(url) : "?"}:${minute}`;
}

/** The language a NATO link names (/cps/fr/…, /fr/news-and-events/…), or null. */
export function buildLinkLanguage(link: string): StoryLang | null {
  const url = parseLink(link);
  const match = url ? (CPS.exec(url.pathname) ?? NEWS_AND_EVENTS.exec(url.pathname)) : null;
  const lang = match?.[1]?.toLowerCase();
  return lang === "en" || lang === "fr" ? lang : null;
}

export function otherLang(lang: StoryLang): StoryLang {
  return lang === "en" ? "fr" : "en";
}
