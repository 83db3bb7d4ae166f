// What the XML feed reader knows of feed vocabularies: which elements are
// an item's fields, which namespaces are read by local name or a fixed
// prefix, what a type attribute says, Base64 content and xml:base.
import type { FeedFormat, RawItem } from "./raw-feed";

export function emptyItem(base: string | null): RawItem {
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

export type ItemField = "title" | "dctitle" | "link" | "guid" | "summary" | "content" | "published" | "updated";

// Maps, not object literals: an element named "constructor" or "__proto__" must find nothing.
export const ITEM_FIELDS = new Map<string, ItemField>(
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
export const NAMESPACE_PREFIX = new Map<string, string>(
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

export function isHtmlType(type: string | undefined): boolean {
  if (type === undefined) return false;
  const lower = type.toLowerCase();
  return lower === "html" || lower === "text/html" || lower === "escaped";
}

/** Atom 0.3 mode="base64", or an Atom 1.0 media type that is neither text nor XML (RFC 4287 §3.1.1.3). */
export function isBase64Field(attrs: Record<string, string>, format: FeedFormat): boolean {
  if (attrs.mode === "base64") return true;
  const type = attrs.type;
  return format === "atom" && type !== undefined && type.includes("/") && !/^text\//i.test(type) && !/[+/]xml$/i.test(type);
}

export function fromBase64(text: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0)));
  } catch {
    return text;
  }
}

export function resolveBase(base: string, parent: string | null): string | null {
  try {
    return new URL(base, parent ?? undefined).href;
  } catch {
    return parent;
  }
}
