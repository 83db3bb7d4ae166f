// The XML half of parseFeed: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 and
// 0.3, read from xml-scanner.ts's events in one pass, without a tree.
// One Capture object holds what is being read, for an item's field or the
// feed's own (title, link, language), and how to read it; it is committed
// when its element closes. Entities are decoded once per field
// (xml-entities.ts); values stay raw text or HTML for normalise-item.ts.
import { decodeHTML } from "entities";
import { FeedParseError } from "./parse-error";
import { MAX_ITEMS, type FeedFormat, type ParsedFeed, type RawItem, type TextType } from "./raw-feed";
import { EntityDecoder, readDoctype } from "./xml-entities";
import { emptyItem, fromBase64, isBase64Field, isHtmlType, ITEM_FIELDS, NAMESPACE_PREFIX, resolveBase, type ItemField } from "./xml-feed-vocabulary";
import { scanXml, type XmlHandler } from "./xml-scanner";

export function parseXmlFeed(body: string, documentUrl: string | null): ParsedFeed {
  const doctype = readDoctype(body);
  const reader = new XmlFeedReader(new EntityDecoder(doctype), documentUrl);
  const openAtEnd = scanXml(doctype ? body.slice(doctype.end) : body, reader);
  // Elements left open: the document was cut short. Open elements are not
  // closed for it, so a half-written item is never taken as complete.
  return reader.result(openAtEnd > 0);
}

/** Feed-level fields: direct children of <channel> or <feed>. */
type FeedField = "title" | "dctitle" | "link" | "language";

/** The one element whose text is being read, for an item or for the feed: what it is and how to read it. */
interface Capture {
  forItem: boolean;
  field: ItemField | FeedField;
  /** The element's depth: the capture ends when it closes. */
  depth: number;
  type: TextType;
  isHtml: boolean;
  /** The xml:base in scope at the element. */
  base: string | null;
  // An RSS title in CDATA is HTML-ish text its publisher never escaped
  // ("&#x0024;4300", "ft<sup>2</sup>"): its references are decoded, once.
  decodeCdata: boolean;
  /** Atom 0.3's mode="base64" (or a binary media type): the text is Base64 of the value. */
  isBase64: boolean;
  text: string;
}

/** The item being read, with what it needs until it closes. */
interface OpenItem {
  item: RawItem;
  depth: number;
  dcTitle: string | null;
  // Summary vs full content: keep a summary when both exist, content otherwise.
  content: string | null;
  contentIsHtml: boolean;
}

/** Reads an XML feed from the scanner's events into a ParsedFeed, never holding a tree. */
class XmlFeedReader implements XmlHandler {
  private format: FeedFormat | null = null;
  private title: string | null = null;
  private dcTitle: string | null = null;
  private titleType: TextType = "unknown";
  private link: string | null = null;
  private linkBase: string | null = null;
  private language: string | null = null;
  private readonly items: RawItem[] = [];
  private depth = 0;
  /** Depth of <channel> (RSS, RDF) or <feed> (Atom): its direct children are the feed's fields. */
  private containerDepth = -1;
  private open: OpenItem | null = null;
  private capture: Capture | null = null;
  // Prefix (lower case) → the prefix we read it as; only prefixes bound to a known namespace.
  private readonly prefixes = new Map<string, string>();
  // xml:base in force: [element depth, resolved base], innermost last.
  private readonly bases: [number, string | null][] = [];

  constructor(
    private readonly decoder: EntityDecoder,
    private readonly documentUrl: string | null,
  ) {}

  onopentag(rawName: string, attrs: Record<string, string>): void {
    this.depth++;
    this.readNamespaces(attrs);
    const name = this.canonicalName(rawName);
    const depth = this.depth;
    if (this.format === null) return this.openRoot(name, rawName, attrs);
    if (name === "channel" && this.format !== "atom") {
      this.containerDepth = depth;
      return;
    }
    if ((name === "item" || name === "entry") && this.open === null) {
      // A feed field left open around it (a sloppy, unclosed <link>) keeps what it had read so far.
      if (this.capture !== null && !this.capture.forItem) this.finishFeedField(this.capture);
      this.open = { item: emptyItem(this.currentBase()), depth, dcTitle: null, content: null, contentIsHtml: false };
      return;
    }
    if (this.capture !== null) return;
    if (this.open !== null && depth === this.open.depth + 1) this.openItemField(this.open.item, name, attrs);
    else if (this.open === null && depth === this.containerDepth + 1) this.openFeedField(name, attrs);
  }

  oncdata(text: string): void {
    const capture = this.capture;
    if (capture !== null) capture.text += capture.decodeCdata && text.indexOf("&") !== -1 ? decodeHTML(text) : text;
  }

  ontext(text: string): void {
    if (this.capture !== null) this.capture.text += this.decoder.decode(text);
  }

  onclosetag(): void {
    const closing = this.depth--;
    const bases = this.bases;
    if (bases.length && bases[bases.length - 1]![0] === closing) bases.pop();
    const capture = this.capture;
    if (capture !== null && capture.isBase64) {
      capture.text = fromBase64(capture.text);
      capture.isBase64 = false;
    }
    if (capture !== null && closing === capture.depth) {
      this.capture = null;
      if (capture.forItem) this.finishItemField(this.open!, capture);
      else this.finishFeedField(capture);
      return;
    }
    const open = this.open;
    if (open !== null && closing === open.depth) {
      this.open = null;
      this.finishItem(open);
    }
  }

  result(truncated: boolean): ParsedFeed {
    const format = this.format;
    if (format === null) throw new FeedParseError("the document holds no XML element");
    let title = this.title;
    let titleType = this.titleType;
    if ((title === null || title.trim() === "") && this.dcTitle !== null) {
      title = this.dcTitle;
      titleType = "unknown";
    }
    return {
      format,
      title,
      titleType: format === "atom" && titleType === "unknown" ? "text" : titleType,
      link: this.link || null,
      linkBase: this.linkBase,
      language: this.language,
      items: this.items,
      truncated,
    };
  }

  private openRoot(name: string, rawName: string, attrs: Record<string, string>): void {
    if (name === "rss") this.format = "rss";
    else if (name === "rdf:rdf") this.format = "rdf";
    else if (name === "feed") this.format = "atom";
    else throw new FeedParseError(`the document is XML but not a feed (root element <${rawName}>)`);
    if (this.format === "atom") {
      this.containerDepth = this.depth;
      if (attrs["xml:lang"] !== undefined) this.language = this.decoder.decode(attrs["xml:lang"], true);
    }
  }

  private openItemField(item: RawItem, name: string, attrs: Record<string, string>): void {
    const kind = ITEM_FIELDS.get(name);
    if (kind === undefined) return;
    const format = this.format!;
    if (kind === "link" && attrs.href !== undefined) {
      // Atom: <link rel="alternate" href="…"/>; rel defaults to alternate.
      const rel = attrs.rel === undefined ? "alternate" : attrs.rel.toLowerCase();
      if (rel === "alternate" && item.link === null) {
        item.link = this.decoder.decode(attrs.href, true);
        item.base = this.currentBase();
      }
      return;
    }
    if (kind === "guid") {
      const permaLink = attrs.ispermalink ?? attrs.isPermaLink ?? attrs.IsPermaLink;
      item.guidIsPermaLink = format === "rss" && name === "guid" && (permaLink === undefined || permaLink.trim().toLowerCase() === "true");
    }
    const type = attrs.type;
    const isBase64 = isBase64Field(attrs, format);
    this.capture = {
      forItem: true,
      field: kind,
      depth: this.depth,
      // Base64 content is taken as HTML, as feed readers take it.
      type: isBase64 ? "html" : type === undefined ? "unknown" : isHtmlType(type) ? "html" : "text",
      // Atom says what it holds (xhtml arrives as child elements: already text here); RSS descriptions are HTML.
      isHtml: format === "atom" ? isHtmlType(type) : kind === "summary" || kind === "content",
      base: this.currentBase(),
      decodeCdata: (kind === "title" || kind === "dctitle") && format !== "atom" && type === undefined,
      isBase64,
      text: "",
    };
  }

  private openFeedField(name: string, attrs: Record<string, string>): void {
    let field: FeedField;
    if (name === "title" || name === "dc:title") field = name === "title" ? "title" : "dctitle";
    else if ((name === "language" || name === "dc:language") && this.language === null) field = "language";
    else if (name === "link" && attrs.href !== undefined) {
      const rel = attrs.rel === undefined ? "alternate" : attrs.rel.toLowerCase();
      if (rel === "alternate" && this.link === null) {
        this.link = this.decoder.decode(attrs.href, true);
        this.linkBase = this.currentBase();
      }
      return;
    } else if (name === "link" && this.link === null) {
      field = "link";
      this.linkBase = this.currentBase();
    } else return;
    const format = this.format!;
    const isTitle = field === "title" || field === "dctitle";
    const isBase64 = isTitle && isBase64Field(attrs, format);
    if (isTitle) this.titleType = isBase64 ? "html" : attrs.type === undefined ? "unknown" : isHtmlType(attrs.type) ? "html" : "text";
    this.capture = {
      forItem: false,
      field,
      depth: this.depth,
      type: this.titleType,
      isHtml: false,
      base: this.linkBase,
      decodeCdata: format !== "atom" && attrs.type === undefined,
      isBase64,
      text: "",
    };
  }

  private finishFeedField(capture: Capture): void {
    this.capture = null;
    const value = capture.text;
    if (capture.field === "title") this.title = value;
    else if (capture.field === "dctitle") this.dcTitle ??= value;
    else if (capture.field === "language") this.language = value.trim() || null;
    else if (this.link === null) this.link = value.trim();
  }

  private finishItemField(open: OpenItem, capture: Capture): void {
    const item = open.item;
    const value = capture.text;
    switch (capture.field as ItemField) {
      case "title":
        item.title = value;
        item.titleType = capture.type === "unknown" && this.format === "atom" ? "text" : capture.type;
        break;
      case "dctitle":
        open.dcTitle ??= value;
        break;
      case "link":
        if (item.link === null && value.trim() !== "") {
          item.link = value.trim();
          item.base = capture.base;
        }
        break;
      case "guid":
        item.guid = value.trim() || null;
        break;
      case "summary":
        item.summary = value;
        item.summaryIsHtml = capture.isHtml;
        break;
      case "content":
        open.content = value;
        open.contentIsHtml = capture.isHtml;
        break;
      case "published":
        item.published ??= value.trim();
        break;
      case "updated":
        item.updated ??= value.trim();
        break;
    }
  }

  private finishItem(open: OpenItem): void {
    const item = open.item;
    if ((item.summary === null || item.summary.trim() === "") && open.content !== null) {
      item.summary = open.content;
      item.summaryIsHtml = open.contentIsHtml;
    }
    if ((item.title === null || item.title.trim() === "") && open.dcTitle !== null) {
      item.title = open.dcTitle;
      item.titleType = "unknown";
    }
    if (this.items.length < MAX_ITEMS) this.items.push(item);
  }

  private readNamespaces(attrs: Record<string, string>): void {
    let hasBase = false;
    for (const key in attrs) {
      if (key.charCodeAt(0) !== 0x78) continue; // "x": xmlns…, xml:…
      if (key.startsWith("xmlns:")) {
        const prefix = NAMESPACE_PREFIX.get(this.decoder.decode(attrs[key]!, true).trim().toLowerCase());
        if (prefix !== undefined) this.prefixes.set(key.slice(6).toLowerCase(), prefix);
      } else if (key === "xml:base") hasBase = true;
    }
    if (hasBase) {
      const base = resolveBase(this.decoder.decode(attrs["xml:base"]!, true).trim(), this.currentBase() ?? this.documentUrl);
      this.bases.push([this.depth, base]);
    }
  }

  private canonicalName(name: string): string {
    const colon = name.indexOf(":");
    if (colon === -1 || this.prefixes.size === 0) return name;
    const prefix = this.prefixes.get(name.slice(0, colon));
    return prefix === undefined ? name : prefix + name.slice(colon + 1);
  }

  private currentBase(): string | null {
    const bases = this.bases;
    return bases.length ? bases[bases.length - 1]![1] : null;
  }
}
