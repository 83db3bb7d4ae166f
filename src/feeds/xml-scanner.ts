// A small, forgiving XML scanner for feeds: start tags with their raw
// attributes, end tags, text and CDATA, nothing else. It builds no tree,
// resolves no entities (xml-entities.ts does, once, for the fields we keep),
// reads no DTD and fetches nothing. Feeds are often not well-formed, so it
// forgives as htmlparser2's XML mode does: an end tag closes the nearest
// open element of that name (and any left open inside it) and is ignored
// when none is open; a "<" that starts no tag is text. It jumps from "<" to
// "<" with indexOf, which is what makes it several times faster than a
// character-by-character tokenizer on large feeds.
//
// Its cost is linear in the document, whatever the document: end tags find
// their element through a count of open names (not a search of the open
// stack), at most MAX_DEPTH elements are open at once (a start tag deeper
// than that is dropped with its end tag, its text kept: no feed nests so
// deep, and a hostile one cannot make the stack long), at most
// MAX_ATTRIBUTES attributes per tag are kept.

export interface XmlHandler {
  /** Names are lower case; attribute names as written, values raw (entities not decoded). */
  onopentag(name: string, attrs: Record<string, string>): void;
  onclosetag(name: string): void;
  /** Raw text between tags (entities not decoded); only inside the root element. */
  ontext(raw: string): void;
  /** The content of a CDATA section, as written. */
  oncdata(text: string): void;
}

/** Elements open at once; deeper start tags are ignored (their text is kept). */
export const MAX_DEPTH = 256;
/** Attributes kept per start tag; the rest are read past and dropped. */
export const MAX_ATTRIBUTES = 256;

const TAG_NAME = /[^\s/>]+/y;
const ATTRIBUTE = /\s*([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/y;
const TAG_END = /\s*(\/?)>/y;

/** Scans the document; returns how many elements were still open at its end (more than 0: it was cut short). */
export function scanXml(xml: string, handler: XmlHandler): number {
  const stack: string[] = [];
  // Name → how many elements of that name are open: an end tag knows at once whether it closes anything.
  const openCounts = new Map<string, number>();
  // Start tags dropped for depth: their end tags are dropped too, not matched against an outer element.
  const dropped = new Map<string, number>();
  const length = xml.length;
  let i = 0;
  // The text from i to the next tag, inside the root element.
  const flushText = (end: number) => {
    if (end > i && stack.length) handler.ontext(xml.slice(i, end));
  };
  const push = (name: string) => {
    stack.push(name);
    openCounts.set(name, (openCounts.get(name) ?? 0) + 1);
  };
  const pop = () => {
    const name = stack.pop()!;
    openCounts.set(name, openCounts.get(name)! - 1);
    handler.onclosetag(name);
    return name;
  };
  while (i < length) {
    const lt = xml.indexOf("<", i);
    if (lt === -1) {
      flushText(length);
      break;
    }
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      flushText(lt);
      const gt = xml.indexOf(">", lt + 2);
      if (gt === -1) return stack.length;
      const name = xml
        .slice(lt + 2, gt)
        .trim()
        .toLowerCase();
      const droppedCount = dropped.get(name);
      if (droppedCount) dropped.set(name, droppedCount - 1);
      else if (openCounts.get(name)) while (pop() !== name);
      i = gt + 1;
      continue;
    }
    if (next === 0x21 /* ! */) {
      flushText(lt);
      if (xml.startsWith("<!--", lt)) {
        const end = xml.indexOf("-->", lt + 4);
        if (end === -1) return stack.length;
        i = end + 3;
      } else if (xml.startsWith("<![CDATA[", lt)) {
        const end = xml.indexOf("]]>", lt + 9);
        if (end === -1) return stack.length;
        if (stack.length) handler.oncdata(xml.slice(lt + 9, end));
        i = end + 3;
      } else {
        const gt = xml.indexOf(">", lt + 2);
        if (gt === -1) return stack.length;
        i = gt + 1;
      }
      continue;
    }
    if (next === 0x3f /* ? */) {
      flushText(lt);
      const end = xml.indexOf("?>", lt + 2);
      if (end === -1) return stack.length;
      i = end + 2;
      continue;
    }
    if (!isNameStart(next)) {
      // "a < b": text.
      flushText(lt);
      if (stack.length) handler.ontext("<");
      i = lt + 1;
      continue;
    }
    flushText(lt);
    TAG_NAME.lastIndex = lt + 1;
    const name = TAG_NAME.exec(xml)![0].toLowerCase();
    let at = lt + 1 + name.length;
    const attrs: Record<string, string> = {};
    let attributeCount = 0;
    let complete = false;
    let selfClosing = false;
    for (;;) {
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(xml);
      if (end) {
        at = TAG_END.lastIndex;
        complete = true;
        selfClosing = end[1] !== "";
        break;
      }
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute || ATTRIBUTE.lastIndex === at) {
        // Not a tag we can read (or the document ends inside it): skip to its ">".
        const gt = xml.indexOf(">", at);
        at = gt === -1 ? length + 1 : gt + 1;
        complete = gt !== -1;
        break;
      }
      const key = attribute[1]!;
      if (attributeCount < MAX_ATTRIBUTES && !Object.hasOwn(attrs, key)) {
        attrs[key] = attribute[2] ?? attribute[3] ?? attribute[4] ?? "";
        attributeCount++;
      }
      at = ATTRIBUTE.lastIndex;
    }
    if (!complete) return stack.length;
    if (stack.length >= MAX_DEPTH) {
      if (!selfClosing) dropped.set(name, (dropped.get(name) ?? 0) + 1);
    } else {
      handler.onopentag(name, attrs);
      if (selfClosing) handler.onclosetag(name);
      else push(name);
    }
    i = at;
  }
  return stack.length;
}

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a || code > 0x7f;
}
