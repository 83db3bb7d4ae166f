// Turns a raw feed item into a Release: a stable id, an absolute link, a
// plain-text title and summary, and a publication date. Pure: the clock and
// the feed's URL come in as arguments.
//
// Relative links resolve against the item's xml:base, else the site the
// feed names (RSS channel <link>, Atom alternate link: feeds are often
// served from another host, such as a feed proxy), else the feed's URL.
import { sha256HexSync } from "../lib/crypto";
import { parseFeedDate } from "./dates";
import { capHtml, collapseWhitespace, htmlToText, stripTitleMarkup, truncateText } from "./html-text";
import { canonicalLink, resolveLinkUrl } from "./links";
import type { ParsedFeed, RawItem, TextType } from "./parse-feed";
import type { Release } from "../releases/release";

export const MAX_TITLE_LENGTH = 300;
export const MAX_SUMMARY_LENGTH = 400;
export const TITLE_FROM_SUMMARY_LENGTH = 90;
/** A date further ahead than this is a feed error; the first-seen time is used instead. */
const FUTURE_TOLERANCE_MS = 24 * 3600_000;

export type { Release };

export type NormaliseResult = { ok: true; release: Release } | { ok: false; reason: string };

/** The site a feed's relative links belong to: its channel/alternate link made absolute, or null. */
export function buildSiteUrl(feed: Pick<ParsedFeed, "link" | "linkBase">, feedUrl: string): string | null {
  return resolveLinkUrl(feed.link, feed.linkBase ?? feedUrl)?.href ?? null;
}

/** A title as plain text: markup dropped as its type says (see stripTitleMarkup for RSS's unknown type). */
export function buildTitleText(rawTitle: string, type: TextType): string {
  if (type === "html") return htmlToText(rawTitle);
  // Capped before any work, as htmlToText caps its input: what one item can cost stays bounded.
  const title = capHtml(rawTitle);
  if (type === "text") return collapseWhitespace(title);
  return collapseWhitespace(stripTitleMarkup(title));
}

/**
 * @param siteUrl the feed's site (buildSiteUrl), base for relative links when the item has no xml:base.
 */
export function buildRelease(item: RawItem, feedUrl: string, now: Date, siteUrl: string | null = null): NormaliseResult {
  const base = item.base ?? siteUrl ?? feedUrl;
  const url = resolveLinkUrl(item.link, base) ?? (item.guidIsPermaLink ? resolveLinkUrl(item.guid, base) : null);
  if (url === null) return { ok: false, reason: "no usable http(s) link" };
  const link = url.href;

  const summaryText = item.summary ? (item.summaryIsHtml ? htmlToText(item.summary) : collapseWhitespace(capHtml(item.summary))) : "";
  let title = item.title ? buildTitleText(item.title, item.titleType) : "";
  if (title === "") title = summaryText ? truncateText(summaryText, TITLE_FROM_SUMMARY_LENGTH) : "";
  if (title === "") return { ok: false, reason: "no title and no summary" };

  const parsed = parseFeedDate(item.published) ?? parseFeedDate(item.updated);
  const date = parsed && parsed.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS ? parsed : null;

  const identity = item.guid ? `guid:${item.guid}` : `link:${canonicalLink(url)}`;
  const firstSeenAt = isoString(now);
  return {
    ok: true,
    release: {
      id: sha256HexSync(identity).slice(0, 32),
      title: truncateText(title, MAX_TITLE_LENGTH),
      link,
      summary: truncateText(summaryText, MAX_SUMMARY_LENGTH),
      publishedAt: date ? date.toISOString() : firstSeenAt,
      hasFeedDate: date !== null,
      firstSeenAt,
      sourceUrl: feedUrl,
    },
  };
}

// Every item of a run shares the same "now": format it once.
let lastNow = NaN;
let lastNowIso = "";
function isoString(now: Date): string {
  if (now.getTime() !== lastNow) {
    lastNow = now.getTime();
    lastNowIso = now.toISOString();
  }
  return lastNowIso;
}

/** The feed's title as plain text (entities decoded, markup dropped), or null. */
export function buildFeedTitle(title: string | null, type: TextType = "unknown"): string | null {
  if (!title) return null;
  return truncateText(buildTitleText(title, type), MAX_TITLE_LENGTH) || null;
}

/** A BCP 47-looking language tag ("fr", "en-GB"; "en_us" becomes "en-us"), or null for anything else. */
export function buildLanguageTag(language: string | null): string | null {
  const tag = language?.trim().replace(/_/g, "-");
  return tag && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : null;
}
