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
// The XML side is parse-xml-feed.ts, JSON Feed parse-json-feed.ts; both
// produce the raw-feed.ts shapes re-exported here.
import { FeedParseError } from "./parse-error";
import { parseJsonFeed } from "./parse-json-feed";
import { parseXmlFeed } from "./parse-xml-feed";
import { MAX_ITEMS, type FeedFormat, type ParsedFeed, type RawItem, type TextType } from "./raw-feed";

export { FeedParseError, MAX_ITEMS };
export type { FeedFormat, ParsedFeed, RawItem, TextType };

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
