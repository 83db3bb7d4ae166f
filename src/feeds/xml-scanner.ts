// A small, forgiving XML scanner for feeds: start tags with their raw
// attributes, end tags, text and CDATA, nothing else. It builds no tree,
// resolves no entities (xml-entities.ts does, once, for the fields we keep),
// reads no DTD and fetches nothing. Feeds are often not well-formed, so it
// forgives as htmlparser2's XML mode does: an end tag closes the nearest
// open element of that name (and any left open inside it) and is ignored
// when none is open; a "<" that starts no tag is text. It jumps from "<" to
// "<" with indexOf, which is what makes it several times faster than a
// character-by-character tokenizer on large feeds.

export interface XmlHandler {
  /** Names are lower case; attribute names as written, values raw (entities not decoded). */
  onopentag(name: string, attrs: Record<string, string>): void;
  onclosetag(name: string): void;
  /** Raw text between tags (entities not decoded); only inside the root element. */
  ontext(raw: string): void;
  /** The content of a CDATA section, as written. */
  oncdata(text: string): void;
}

const TAG_NAME = /[^\s/>]+/y;
const ATTRIBUTE = /\s*([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/y;
const TAG_END = /\s*(\/?)>/y;

/** Scans the document; returns how many elements were still open at its end (more than 0: it was cut short). */
export function scanXml(xml: string, handler: XmlHandler): number {
  const stack: string[] = [];
  const length = xml.length;
  let i = 0;
  while (i < length) {
    const lt = xml.indexOf("<", i);
    if (lt === -1) {
      if (stack.length) handler.ontext(xml.slice(i));
      break;
    }
    if (lt > i && stack.length) handler.ontext(xml.slice(i, lt));
    const next = xml.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      const gt = xml.indexOf(">", lt + 2);
      if (gt === -1) break;
      const name = xml
        .slice(lt + 2, gt)
        .trim()
        .toLowerCase();
      const at = stack.lastIndexOf(name);
      if (at !== -1) {
        while (stack.length > at) handler.onclosetag(stack.pop()!);
      }
      i = gt + 1;
      continue;
    }
    if (next === 0x21 /* ! */) {
      if (xml.startsWith("<!--", lt)) {
        const end = xml.indexOf("-->", lt + 4);
        if (end === -1) break;
        i = end + 3;
      } else if (xml.startsWith("<![CDATA[", lt)) {
        const end = xml.indexOf("]]>", lt + 9);
        if (end === -1) break;
        if (stack.length) handler.oncdata(xml.slice(lt + 9, end));
        i = end + 3;
      } else {
        const gt = xml.indexOf(">", lt + 2);
        if (gt === -1) break;
        i = gt + 1;
      }
      continue;
    }
    if (next === 0x3f /* ? */) {
      const end = xml.indexOf("?>", lt + 2);
      if (end === -1) break;
      i = end + 2;
      continue;
    }
    if (!isNameStart(next)) {
      // "a < b": text.
      if (stack.length) handler.ontext("<");
      i = lt + 1;
      continue;
    }
    TAG_NAME.lastIndex = lt + 1;
    const name = TAG_NAME.exec(xml)![0].toLowerCase();
    let at = lt + 1 + name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      TAG_END.lastIndex = at;
      const end = TAG_END.exec(xml);
      if (end) {
        at = TAG_END.lastIndex;
        handler.onopentag(name, attrs);
        if (end[1]) handler.onclosetag(name);
        else stack.push(name);
        break;
      }
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(xml);
      if (!attribute || ATTRIBUTE.lastIndex === at) {
        // Not a tag we can read (or the document ends inside it): skip to its ">".
        const gt = xml.indexOf(">", at);
        at = gt === -1 ? length + 1 : gt + 1;
        if (gt !== -1) {
          handler.onopentag(name, attrs);
          stack.push(name);
        }
        break;
      }
      const key = attribute[1]!;
      if (!Object.hasOwn(attrs, key)) attrs[key] = attribute[2] ?? attribute[3] ?? attribute[4] ?? "";
      at = ATTRIBUTE.lastIndex;
    }
    if (at > length) break;
    i = at;
  }
  return stack.length;
}

function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a || code > 0x7f;
}
