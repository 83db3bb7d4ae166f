// What a feed document yields before normalising: the feed's own fields and
// its items, values raw (text or HTML as the feed declares). Shared by the
// XML and JSON Feed parsers; normalise-item.ts turns items into releases.

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
