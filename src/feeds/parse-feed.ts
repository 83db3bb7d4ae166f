// Parses RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 (and 0.3) and JSON Feed 1.x
// into raw items.
//
// XML goes through xml-scanner.ts: it builds no DOM and never fetches
// anything. It leaves entities alone: xml-entities.ts decodes each
// field once, with the full HTML named-entity set and the internal entities
// the DOCTYPE declares (within hard limits; external and parameter entities
// are never expanded). Element names are read through their namespaces, so
// `<a:feed xmlns:a="http://www.w3.org/2005/Atom">` is Atom and an RSS item's
// `<atom:link href>` or `<a10:link href>` is its link. Field values come out
// raw (text or HTML as the feed declares); normalise-item.ts turns them into
// releases.
import { FeedParseError } from "./parse-error";
import { decodeHTML } from "entities";
import { EntityDecoder, readDoctype } from "./xml-entities";
import { scanXml } from "./xml-scanner";

export { FeedParseError };

export type FeedFormat = "rss" | "rdf" | "atom" | "json";

/** "html": the feed says the text is HTML (Atom type="html"); "text": it says plain text; "unknown": RSS and JSON titles. */
export type TextType = "text" | "html" | "unknown";

export interface RawItem {
  title: string | null;
  titleType: TextType;
  link: string | null;
  /** The xml:base in scope at the item's link (absolute when it could be resolved); null without one. */
  base: string | null;
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
  titleType: TextType;
  /** The site the items live on: RSS channel `<link>`, Atom alternate link, JSON Feed `home_page_url`. */
  link: string | null;
  /** The xml:base in scope at that link. */
  linkBase: string | null;
  /** RSS `<language>` (or `dc:language`), `xml:lang` on the Atom root, JSON Feed `language`; as written. */
  language: string | null;
  items: RawItem[];
  /** The XML ended inside an element: the complete items before the cut are kept. */
  truncated: boolean;
}

/** More items than any real feed carries; beyond it the rest is ignored. */
export const MAX_ITEMS = 10_000;

/**
 * @param documentUrl where the document came from, to resolve a relative xml:base.
 */
export function parseFeed(body: string, documentUrl: string | null = null): ParsedFeed {
  let start = 0;
  while (start < body.length && (body.charCodeAt(start) <= 0x20 || body.charCodeAt(start) === 0xfeff)) start++;
  const first = body[start];
  if (first === "{") return parseJsonFeed(body);
  if (first !== "<") throw new FeedParseError("the document is neither XML nor JSON");
  return parseXmlFeed(body, documentUrl);
}

function emptyItem(base: string | null): RawItem {
  return {
    title: null,
    titleType: "unknown",
    link: null,
    base,
    guid: null,
    guidIsPermaLink: false,
    summary: null,
    summaryIsHtml: false,
    published: null,
    updated: null,
  };
}

type ItemField = "title" | "dctitle" | "link" | "guid" | "summary" | "content" | "published" | "updated";

// Maps, not object literals: an element named "constructor" or "__proto__" must find nothing.
const ITEM_FIELDS = new Map<string, ItemField>(
  Object.entries({
    title: "title",
    "dc:title": "dctitle",
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
    "dcterms:issued": "published",
    "dcterms:created": "published",
    updated: "updated",
    "dcterms:modified": "updated",
    modified: "updated",
  } satisfies Record<string, ItemField>),
);

// Namespaces whose elements are read by their local name (Atom inside RSS
// too: `atom:link` is a link) or under the conventional prefix.
const NAMESPACE_PREFIX = new Map<string, string>(
  Object.entries({
    "http://www.w3.org/2005/atom": "",
    "http://purl.org/atom/ns#": "",
    "http://purl.org/rss/1.0/": "",
    "http://backend.userland.com/rss2": "",
    "http://purl.org/dc/elements/1.1/": "dc:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://purl.org/rss/1.0/modules/content/": "content:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
  }),
);

function isHtmlType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const lower = type.toLowerCase();
  return lower === "html" || lower === "text/html" || lower === "escaped";
}

function parseXmlFeed(body: string, documentUrl: string | null): ParsedFeed {
  const doctype = readDoctype(body);
  const decoder = new EntityDecoder(doctype);
  const xml = doctype ? body.slice(doctype.end) : body;

  let format: FeedFormat | null = null;
  let feedTitle: string | null = null;
  let feedDcTitle: string | null = null;
  let feedTitleType: TextType = "unknown";
  let feedLink: string | null = null;
  let feedLinkBase: string | null = null;
  let feedLanguage: string | null = null;
  const items: RawItem[] = [];
  let depth = 0;
  // Prefix (lower case) → the prefix we read it as; only prefixes bound to a known namespace.
  const prefixes = new Map<string, string>();
  // xml:base in force: [element depth, resolved base], innermost last.
  const bases: [number, string | null][] = [];
  const currentBase = () => (bases.length ? bases[bases.length - 1]![1] : null);

  let item: RawItem | null = null;
  let itemDepth = -1;
  let dcTitle: string | null = null;
  let field: ItemField | null = null;
  let fieldDepth = -1;
  let fieldIsHtml = false;
  let fieldType: TextType = "unknown";
  let fieldBase: string | null = null;
  let buffer = "";
  // An RSS title in CDATA is HTML-ish text its publisher never escaped
  // ("&#x0024;4300", "ft<sup>2</sup>"): its references are decoded, once.
  let decodeCdata = false;
  // Atom 0.3's mode="base64": the text is Base64 of the value.
  let fieldIsBase64 = false;
  // Feed-level title/link/language: direct children of <channel> or <feed>.
  let feedField: "title" | "dctitle" | "link" | "language" | null = null;
  let containerDepth = -1;
  // Summary vs full content: keep a summary when both exist, content otherwise.
  let content: string | null = null;
  let contentIsHtml = false;

  const canonicalName = (name: string): string => {
    const colon = name.indexOf(":");
    if (colon === -1 || prefixes.size === 0) return name;
    const prefix = prefixes.get(name.slice(0, colon));
    return prefix === undefined ? name : prefix + name.slice(colon + 1);
  };

  const openAtEnd = scanXml(xml, {
    onopentag(rawName, attrs) {
      depth++;
      let hasBase = false;
      for (const key in attrs) {
        if (key.charCodeAt(0) !== 0x78) continue; // "x": xmlns…, xml:…
        if (key.startsWith("xmlns:")) {
          const prefix = NAMESPACE_PREFIX.get(decoder.decode(attrs[key]!, true).trim().toLowerCase());
          if (prefix !== undefined) prefixes.set(key.slice(6).toLowerCase(), prefix);
        } else if (key === "xml:base") hasBase = true;
      }
      if (hasBase) bases.push([depth, resolveBase(decoder.decode(attrs["xml:base"]!, true).trim(), currentBase() ?? documentUrl)]);
      const name = canonicalName(rawName);
      if (format === null) {
        if (name === "rss") format = "rss";
        else if (name === "rdf:rdf") format = "rdf";
        else if (name === "feed") format = "atom";
        else throw new FeedParseError(`the document is XML but not a feed (root element <${rawName}>)`);
        if (format === "atom") {
          containerDepth = depth;
          if (attrs["xml:lang"] !== undefined) feedLanguage = decoder.decode(attrs["xml:lang"], true);
        }
        return;
      }
      if (name === "channel" && format !== "atom") {
        containerDepth = depth;
        return;
      }
      if ((name === "item" || name === "entry") && item === null) {
        item = emptyItem(currentBase());
        itemDepth = depth;
        content = null;
        dcTitle = null;
        return;
      }
      if (item !== null && depth === itemDepth + 1 && field === null) {
        const kind = ITEM_FIELDS.get(name);
        if (kind === undefined) return;
        if (kind === "link" && attrs.href !== undefined) {
          // Atom: <link rel="alternate" href="…"/>; rel defaults to alternate.
          const rel = attrs.rel === undefined ? "alternate" : attrs.rel.toLowerCase();
          if (rel === "alternate" && item.link === null) {
            item.link = decoder.decode(attrs.href, true);
            item.base = currentBase();
          }
          return;
        }
        if (kind === "guid") {
          const permaLink = attrs.ispermalink ?? attrs.isPermaLink ?? attrs.IsPermaLink;
          item.guidIsPermaLink = format === "rss" && name === "guid" && (permaLink === undefined || permaLink.trim().toLowerCase() === "true");
        }
        field = kind;
        fieldDepth = depth;
        const type = attrs.type;
        fieldType = type === undefined ? "unknown" : isHtmlType(type) ? "html" : "text";
        // Atom says what it holds (xhtml arrives as child elements: already text here); RSS descriptions are HTML.
        fieldIsHtml = format === "atom" ? isHtmlType(type) : kind === "summary" || kind === "content";
        fieldBase = currentBase();
        fieldIsBase64 = isBase64(attrs, format);
        if (fieldIsBase64) fieldType = "html"; // as feed readers take it
        decodeCdata = (kind === "title" || kind === "dctitle") && format !== "atom" && type === undefined;
        buffer = "";
        return;
      }
      if (item === null && depth === containerDepth + 1 && feedField === null) {
        if (name === "title" || name === "dc:title") {
          feedField = name === "title" ? "title" : "dctitle";
          feedTitleType = attrs.type === undefined ? "unknown" : isHtmlType(attrs.type) ? "html" : "text";
          decodeCdata = format !== "atom" && attrs.type === undefined;
          fieldIsBase64 = isBase64(attrs, format);
          if (fieldIsBase64) feedTitleType = "html";
          buffer = "";
        } else if ((name === "language" || name === "dc:language") && feedLanguage === null) {
          feedField = "language";
          buffer = "";
        } else if (name === "link") {
          if (attrs.href !== undefined) {
            const rel = attrs.rel === undefined ? "alternate" : attrs.rel.toLowerCase();
            if (rel === "alternate" && feedLink === null) {
              feedLink = decoder.decode(attrs.href, true);
              feedLinkBase = currentBase();
            }
          } else if (feedLink === null) {
            feedField = "link";
            feedLinkBase = currentBase();
            buffer = "";
          }
        }
      }
    },
    oncdata(text) {
      if (field !== null || feedField !== null) buffer += decodeCdata && text.indexOf("&") !== -1 ? decodeHTML(text) : text;
    },
    ontext(text) {
      if (field !== null || feedField !== null) buffer += decoder.decode(text);
    },
    onclosetag() {
      const closing = depth;
      depth--;
      if (bases.length && bases[bases.length - 1]![0] === closing) bases.pop();
      if ((feedField !== null || field !== null) && fieldIsBase64) {
        buffer = fromBase64(buffer);
        fieldIsBase64 = false;
      }
      if (feedField !== null && closing === containerDepth + 1) {
        if (feedField === "title") feedTitle = buffer;
        else if (feedField === "dctitle") feedDcTitle ??= buffer;
        else if (feedField === "language") feedLanguage = buffer.trim() || null;
        else if (feedLink === null) feedLink = buffer.trim();
        feedField = null;
        return;
      }
      if (item !== null && field !== null && closing === fieldDepth) {
        const value = buffer;
        switch (field) {
          case "title":
            item.title = value;
            item.titleType = fieldType;
            if (fieldType === "unknown" && format === "atom") item.titleType = "text";
            break;
          case "dctitle":
            dcTitle ??= value;
            break;
          case "link":
            if (item.link === null && value.trim() !== "") {
              item.link = value.trim();
              item.base = fieldBase;
            }
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
      if (item !== null && closing === itemDepth) {
        if ((item.summary === null || item.summary.trim() === "") && content !== null) {
          item.summary = content;
          item.summaryIsHtml = contentIsHtml;
        }
        if ((item.title === null || item.title.trim() === "") && dcTitle !== null) {
          item.title = dcTitle;
          item.titleType = "unknown";
        }
        if (items.length < MAX_ITEMS) items.push(item);
        item = null;
      }
    },
  });
  // Elements left open: the document was cut short. Open elements are not
  // closed for it, so a half-written item is never taken as complete.
  const truncated = openAtEnd > 0;
  if (format === null) throw new FeedParseError("the document holds no XML element");
  // Assigned inside the parser's callbacks, which TypeScript's narrowing does not see.
  const title = feedTitle as string | null;
  const dcFeedTitle = feedDcTitle as string | null;
  if ((title === null || title.trim() === "") && dcFeedTitle !== null) {
    feedTitle = dcFeedTitle;
    feedTitleType = "unknown";
  }
  return {
    format,
    title: feedTitle,
    titleType: format === "atom" && feedTitleType === "unknown" ? "text" : feedTitleType,
    link: feedLink || null,
    linkBase: feedLinkBase,
    language: feedLanguage,
    items,
    truncated,
  };
}

/** Atom 0.3 mode="base64", or an Atom 1.0 media type that is neither text nor XML (RFC 4287 §3.1.1.3). */
function isBase64(attrs: Record<string, string>, format: FeedFormat): boolean {
  if (attrs.mode === "base64") return true;
  const type = attrs.type;
  return format === "atom" && type !== undefined && type.includes("/") && !/^text\//i.test(type) && !/[+/]xml$/i.test(type);
}

function fromBase64(text: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0)));
  } catch {
    return text;
  }
}

function resolveBase(base: string, parent: string | null): string | null {
  try {
    return new URL(base, parent ?? undefined).href;
  } catch {
    return parent;
  }
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
