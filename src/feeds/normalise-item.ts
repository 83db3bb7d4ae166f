// Turns a raw feed item into a Release: a stable id, an absolute link, a
// plain-text title and summary, and a publication date. Pure: the clock and
// the feed's URL come in as arguments.
import { sha256Hex } from "../lib/crypto";
import { parseFeedDate } from "./dates";
import { collapseWhitespace, htmlToText, truncateText } from "./html-text";
import { canonicalLink, resolveLink } from "./links";
import type { RawItem } from "./parse-feed";

export const MAX_TITLE_LENGTH = 300;
export const MAX_SUMMARY_LENGTH = 400;
export const TITLE_FROM_SUMMARY_LENGTH = 90;
/** A date further ahead than this is a feed error; the first-seen time is used instead. */
const FUTURE_TOLERANCE_MS = 24 * 3600_000;

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
}

export type NormaliseResult = { ok: true; release: Release } | { ok: false; reason: string };

export async function buildRelease(item: RawItem, feedUrl: string, now: Date): Promise<NormaliseResult> {
  const permaLink = item.guidIsPermaLink ? resolveLink(item.guid, feedUrl) : null;
  const link = resolveLink(item.link, feedUrl) ?? permaLink;
  if (link === null) return { ok: false, reason: "no usable http(s) link" };

  const summaryText = item.summary ? (item.summaryIsHtml ? htmlToText(item.summary) : collapseWhitespace(item.summary)) : "";
  let title = item.title ? (item.titleIsHtml ? htmlToText(item.title) : collapseWhitespace(item.title)) : "";
  if (title === "") title = summaryText ? truncateText(summaryText, TITLE_FROM_SUMMARY_LENGTH) : "";
  if (title === "") return { ok: false, reason: "no title and no summary" };

  const parsed = parseFeedDate(item.published) ?? parseFeedDate(item.updated);
  const date = parsed && parsed.getTime() <= now.getTime() + FUTURE_TOLERANCE_MS ? parsed : null;

  const identity = item.guid ? `guid:${item.guid}` : `link:${canonicalLink(link)}`;
  return {
    ok: true,
    release: {
      id: (await sha256Hex(identity)).slice(0, 32),
      title: truncateText(title, MAX_TITLE_LENGTH),
      link,
      summary: truncateText(summaryText, MAX_SUMMARY_LENGTH),
      publishedAt: (date ?? now).toISOString(),
      hasFeedDate: date !== null,
      firstSeenAt: now.toISOString(),
      sourceUrl: feedUrl,
    },
  };
}

/** The feed's title as plain text (entities decoded, markup dropped), or null. */
export function buildFeedTitle(title: string | null): string | null {
  if (!title) return null;
  return truncateText(htmlToText(title), MAX_TITLE_LENGTH) || null;
}

/** A BCP 47-looking language tag ("fr", "en-GB"; "en_us" becomes "en-us"), or null for anything else. */
export function buildLanguageTag(language: string | null): string | null {
  const tag = language?.trim().replace(/_/g, "-");
  return tag && /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : null;
}
