// Parses RSS 2.0, RSS 1.0 (RDF), Atom 1.0 and JSON Feed 1.x into raw items.
//
// XML goes through htmlparser2's streaming parser: it builds no DOM, never
// fetches anything, and does not process DTDs, so external entities are
// never fetched and internal ones are never expanded. A document that
// declares entities is refused outright, so no "billion laughs" can reach a
// more trusting component later. Field values come out raw (text or HTML as
// the feed declares); normalise-item.ts turns them into releases.
import { Parser } from "htmlparser2";

export type FeedFormat = "rss" | "rdf" | "atom" | "json";

export interface RawItem {
  title: string | null;
  /** Atom `type="html"`/`"xhtml"` titles carry markup; RSS/JSON titles are text. */
  titleIsHtml: boolean;
  link: string | null;
  guid: string | null;
  /** RSS `<guid isPermaLink="true">` (the default) is also the item's link. */
  guidIsPermaLink: boolean;
  summary: string | null;
  summaryIsHtml: boolean;
  published: string | null;
  updated: string | null;
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string | null;
  link: string | null;
  /** RSS `<language>` (or `dc:language`), `xml:lang` on the Atom root, JSON Feed `language`; as written. */
  language: string | null;
  items: RawItem[];
  /** The XML ended inside an element: the complete items before the cut are kept. */
  truncated: boolean;
}

export class FeedParseError extends Error {
  override name = "FeedParseError";
}

/** More items than any real feed carries; beyond it the rest is ignored. */
export const MAX_ITEMS = 10_000;

export function parseFeed(body: string): ParsedFeed {
  const start = body.trimStart().slice(0, 1);
  if (start === "{") return parseJsonFeed(body);
  if (start !== "<") throw new FeedParseError("the document is neither XML nor JSON");
  return parseXmlFeed(body);
}

function emptyItem(): RawItem {
  return {
    title: null,
    titleIsHtml: false,
    link: null,
    guid: null,
    guidIsPermaLink: false,
    summary: null,
    summaryIsHtml: false,
    published: null,
    updated: null,
  };
}

type ItemField = "title" | "link" | "guid" | "summary" | "content" | "published" | "updated" | "ignored";

const ITEM_FIELDS: Record<string, ItemField> = {
  title: "title",
  link: "link",
  guid: "guid",
  id: "guid",
  description: "summary",
  summary: "summary",
  "content:encoded": "content",
  content: "content",
  pubdate: "published",
  published: "published",
  issued: "published",
  "dc:date": "published",
  updated: "updated",
  modified: "updated",
};

function parseXmlFeed(body: string): ParsedFeed {
  if (/<!ENTITY/i.test(body)) {
    throw new FeedParseError("the feed declares XML entities (a DTD); refused to protect against entity expansion");
  }

  let format: FeedFormat | null = null;
  let feedTitle: string | null = null;
  let feedLink: string | null = null;
  let feedLanguage: string | null = null;
  const items: RawItem[] = [];
  const stack: string[] = [];

  let item: RawItem | null = null;
  let itemDepth = -1;
  let field: ItemField | null = null;
  let fieldDepth = -1;
  let fieldIsHtml = false;
  let buffer = "";
  // Feed-level title/link: direct children of <channel> or <feed>.
  let feedField: "title" | "link" | "language" | null = null;
  let containerDepth = -1;
  // Summary vs full content: keep a summary when both exist, content otherwise.
  let content: string | null = null;
  let contentIsHtml = false;

  const parser = new Parser(
    {
      onopentag(rawName, attrs) {
        const name = rawName.toLowerCase();
        stack.push(name);
        const depth = stack.length;
        if (format === null) {
          if (name === "rss") format = "rss";
          else if (name === "rdf:rdf") format = "rdf";
          else if (name === "feed") format = "atom";
          else throw new FeedParseError(`the document is XML but not a feed (root element <${rawName}>)`);
          if (format === "atom") {
            containerDepth = depth;
            feedLanguage = attrs["xml:lang"] ?? null;
          }
          return;
        }
        if (name === "channel" && format !== "atom") {
          containerDepth = depth;
          return;
        }
        if ((name === "item" || name === "entry") && item === null) {
          item = emptyItem();
          itemDepth = depth;
          content = null;
          return;
        }
        if (item !== null && depth === itemDepth + 1 && field === null) {
          const kind = ITEM_FIELDS[name] ?? "ignored";
          if (kind === "ignored") return;
          if (kind === "link" && attrs.href !== undefined) {
            // Atom: <link rel="alternate" href="…"/>; rel defaults to alternate.
            const rel = (attrs.rel ?? "alternate").toLowerCase();
            if (rel === "alternate" && item.link === null) item.link = attrs.href;
            return;
          }
          if (kind === "guid")
            item.guidIsPermaLink = format === "rss" && name === "guid" && (attrs.ispermalink ?? attrs.isPermaLink ?? "true").toLowerCase() === "true";
          field = kind;
          fieldDepth = depth;
          const type = (attrs.type ?? "").toLowerCase();
          fieldIsHtml =
            format === "atom"
              ? type === "html" || type === "text/html" // xhtml arrives as child elements: already text here
              : kind === "summary" || kind === "content";
          buffer = "";
          return;
        }
        if (item === null && depth === containerDepth + 1 && feedField === null) {
          if (name === "title" && feedTitle === null) {
            feedField = "title";
            buffer = "";
          } else if ((name === "language" || name === "dc:language") && feedLanguage === null) {
            feedField = "language";
            buffer = "";
          } else if (name === "link") {
            const rel = (attrs.rel ?? "alternate").toLowerCase();
            if (attrs.href !== undefined) {
              if (rel === "alternate" && feedLink === null) feedLink = attrs.href;
            } else if (feedLink === null) {
              feedField = "link";
              buffer = "";
            }
          }
        }
      },
      ontext(text) {
        if (field !== null || feedField !== null) buffer += text;
      },
      onclosetag(rawName) {
        const depth = stack.length;
        stack.pop();
        if (feedField !== null && depth === containerDepth + 1) {
          if (feedField === "title") feedTitle = buffer;
          else if (feedField === "language") feedLanguage = buffer.trim() || null;
          else feedLink = buffer.trim();
          feedField = null;
          return;
        }
        if (item !== null && field !== null && depth === fieldDepth) {
          const value = buffer;
          switch (field) {
            case "title":
              item.title = value;
              item.titleIsHtml = fieldIsHtml;
              break;
            case "link":
              if (item.link === null) item.link = value.trim();
              break;
            case "guid":
              item.guid = value.trim() || null;
              break;
            case "summary":
              item.summary = value;
              item.summaryIsHtml = fieldIsHtml;
              break;
            case "content":
              content = value;
              contentIsHtml = fieldIsHtml;
              break;
            case "published":
              item.published ??= value.trim();
              break;
            case "updated":
              item.updated ??= value.trim();
              break;
          }
          field = null;
          return;
        }
        if (item !== null && depth === itemDepth && (rawName.toLowerCase() === "item" || rawName.toLowerCase() === "entry")) {
          if ((item.summary === null || item.summary.trim() === "") && content !== null) {
            item.summary = content;
            item.summaryIsHtml = contentIsHtml;
          }
          if (items.length < MAX_ITEMS) items.push(item);
          item = null;
        }
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeCDATA: true },
  );

  parser.write(body);
  const truncated = stack.length > 0;
  // End without closing: htmlparser2 would otherwise close open tags and
  // hand us a half-written item as if it were complete.
  if (truncated) {
    if (format === null) throw new FeedParseError("the XML ended before its root element");
  } else {
    parser.end();
  }
  if (format === null) throw new FeedParseError("the document holds no XML element");
  return { format, title: feedTitle, link: feedLink, language: feedLanguage, items, truncated };
}

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

function parseJsonFeed(body: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new FeedParseError("the document starts like JSON but is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new FeedParseError("a JSON Feed must be an object");
  const feed = doc as { version?: unknown; title?: unknown; home_page_url?: unknown; language?: unknown; items?: unknown };
  if (typeof feed.version !== "string" || !feed.version.startsWith("https://jsonfeed.org/version/")) {
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
      titleIsHtml: false,
      link: str(raw.url) ?? str(raw.external_url),
      guid: str(raw.id),
      guidIsPermaLink: false,
      summary: summary ?? html ?? text,
      summaryIsHtml: summary === null && html !== null,
      published: str(raw.date_published),
      updated: str(raw.date_modified),
    });
  }
  return { format: "json", title: str(feed.title), link: str(feed.home_page_url), language: str(feed.language), items, truncated: false };
}
