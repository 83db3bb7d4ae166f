// JSON Feed 1.x (https://jsonfeed.org/version/1.1) into raw items: the
// document must say it is a JSON Feed; fields of the wrong type are read as
// absent. A summary is preferred to content_html, content_html to
// content_text, as the XML parser prefers a summary to full content.
import { MAX_ITEMS, type ParsedFeed, type RawItem } from "./raw-feed";
import { FeedParseError } from "./parse-error";

interface JsonFeedItem {
  id?: unknown;
  url?: unknown;
  external_url?: unknown;
  title?: unknown;
  summary?: unknown;
  content_html?: unknown;
  content_text?: unknown;
  date_published?: unknown;
  date_modified?: unknown;
}

const str = (value: unknown): string | null => (typeof value === "string" ? value : typeof value === "number" ? String(value) : null);

export function parseJsonFeed(body: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new FeedParseError("the document starts like JSON but is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new FeedParseError("a JSON Feed must be an object");
  const feed = doc as { version?: unknown; title?: unknown; home_page_url?: unknown; language?: unknown; items?: unknown };
  // Version 1 feeds were published with both http:// and https:// version URLs.
  if (typeof feed.version !== "string" || !/^https?:\/\/jsonfeed\.org\/version\//.test(feed.version)) {
    throw new FeedParseError("the JSON document is not a JSON Feed (no jsonfeed.org version)");
  }
  if (!Array.isArray(feed.items)) throw new FeedParseError("the JSON Feed has no items array");
  const items: RawItem[] = [];
  for (const entry of feed.items.slice(0, MAX_ITEMS)) {
    if (typeof entry !== "object" || entry === null) continue;
    const raw = entry as JsonFeedItem;
    const html = str(raw.content_html);
    const summary = str(raw.summary);
    const text = str(raw.content_text);
    items.push({
      title: str(raw.title),
      titleType: "unknown",
      link: str(raw.url) ?? str(raw.external_url),
      base: null,
      guid: str(raw.id),
      guidIsPermaLink: false,
      summary: summary ?? html ?? text,
      summaryIsHtml: summary === null && html !== null,
      published: str(raw.date_published),
      updated: str(raw.date_modified),
    });
  }
  return {
    format: "json",
    title: str(feed.title),
    titleType: "unknown",
    link: str(feed.home_page_url),
    linkBase: null,
    language: str(feed.language),
    items,
    truncated: false,
  };
}
