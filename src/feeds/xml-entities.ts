// Entities in feed XML, read safely. References are decoded once, against the
// full HTML named-entity set (the `entities` package htmlparser2 uses), since
// feeds routinely write &eacute; or &nbsp; without declaring them (the
// Netscape RSS 0.91 DOCTYPE, French text). Entities the document declares in
// its DOCTYPE are expanded only when they are internal, general entities,
// within hard limits; external and parameter entities are never fetched nor
// expanded, so "billion laughs" and XXE stay harmless:
// - nesting: a declared entity's text may hold character references, but not
//   references to other declared entities (the shape of every expansion
//   attack, and of no feed we have seen);
// - count: at most MAX_ENTITY_EXPANSIONS references expanded per document;
// - size: at most MAX_EXPANDED_CHARS characters produced by them in total.
import { decodeHTML, decodeHTMLAttribute } from "entities";
import { FeedParseError } from "./parse-error";

export const MAX_ENTITY_EXPANSIONS = 10_000;
export const MAX_EXPANDED_CHARS = 64 * 1024;
const MAX_DECLARATIONS = 1_000;

const EntityError = FeedParseError;

export interface Doctype {
  /** Where the DOCTYPE starts and ends in the document. */
  start: number;
  end: number;
  /** Internal general entities: name → literal value (as written). */
  internal: Map<string, string>;
  /** External general entities, declared but never fetched: their use refuses the feed. */
  external: Set<string>;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;

/**
 * Finds the DOCTYPE in the prologue (before the root element) and reads its
 * entity declarations. The text of CDATA sections or elements is never
 * looked at, so a feed that merely mentions "<!ENTITY" is read as usual.
 */
export function readDoctype(body: string): Doctype | null {
  let i = 0;
  for (;;) {
    while (i < body.length && body.charCodeAt(i) <= 0x20) i++;
    if (body.charCodeAt(i) === 0xfeff) {
      i++;
      continue;
    }
    if (body.startsWith("<?", i)) {
      const end = body.indexOf("?>", i + 2);
      if (end === -1) return null;
      i = end + 2;
    } else if (body.startsWith("<!--", i)) {
      const end = body.indexOf("-->", i + 4);
      if (end === -1) return null;
      i = end + 3;
    } else break;
  }
  if (body.slice(i, i + 9).toUpperCase() !== "<!DOCTYPE") return null;
  const start = i;
  const internal = new Map<string, string>();
  const external = new Set<string>();
  i += 9;
  // The DOCTYPE's own ids ("PUBLIC '…' '…'"), then an optional internal subset.
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === "'") i = skipQuoted(body, i);
    else if (c === "[" || c === ">") break;
  }
  if (body[i] === "[") {
    i++;
    for (;;) {
      while (i < body.length && body.charCodeAt(i) <= 0x20) i++;
      if (i >= body.length) throw new EntityError("the DOCTYPE never ends");
      if (body[i] === "]") {
        i++;
        break;
      }
      if (body.startsWith("<!--", i)) {
        const end = body.indexOf("-->", i + 4);
        if (end === -1) throw new EntityError("the DOCTYPE never ends");
        i = end + 3;
      } else if (body.startsWith("<?", i)) {
        const end = body.indexOf("?>", i + 2);
        if (end === -1) throw new EntityError("the DOCTYPE never ends");
        i = end + 2;
      } else if (body.startsWith("<!ENTITY", i)) {
        i = readEntityDeclaration(body, i + 8, internal, external);
      } else if (body[i] === "<") {
        // <!ELEMENT>, <!ATTLIST>, <!NOTATION>: nothing a feed reader needs.
        i = skipDeclaration(body, i + 1);
      } else if (body[i] === "%") {
        // A parameter-entity reference: never expanded (it would fetch or inject declarations).
        const end = body.indexOf(";", i);
        if (end === -1) throw new EntityError("the DOCTYPE never ends");
        i = end + 1;
      } else {
        throw new EntityError(`the DOCTYPE holds something unexpected at character ${i}`);
      }
    }
  }
  while (i < body.length && body.charCodeAt(i) <= 0x20) i++;
  if (body[i] !== ">") throw new EntityError("the DOCTYPE never ends");
  return { start, end: i + 1, internal, external };
}

function skipQuoted(body: string, at: number): number {
  const end = body.indexOf(body[at]!, at + 1);
  if (end === -1) throw new EntityError("the DOCTYPE never ends");
  return end;
}

function skipDeclaration(body: string, i: number): number {
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === '"' || c === "'") i = skipQuoted(body, i);
    else if (c === ">") return i + 1;
  }
  throw new EntityError("the DOCTYPE never ends");
}

function readEntityDeclaration(body: string, i: number, internal: Map<string, string>, external: Set<string>): number {
  while (body.charCodeAt(i) <= 0x20) i++;
  const isParameter = body[i] === "%";
  if (isParameter) {
    i++;
    while (body.charCodeAt(i) <= 0x20) i++;
  }
  NAME.lastIndex = i;
  const name = NAME.exec(body)?.[0];
  if (!name) throw new EntityError("an entity declaration has no name");
  i += name.length;
  while (body.charCodeAt(i) <= 0x20) i++;
  const quote = body[i];
  let value: string | null = null;
  if (quote === '"' || quote === "'") {
    const end = skipQuoted(body, i);
    value = body.slice(i + 1, end);
    i = end + 1;
  }
  const end = skipDeclaration(body, i);
  if (internal.size + external.size >= MAX_DECLARATIONS) throw new EntityError(`the feed declares more than ${MAX_DECLARATIONS} entities`);
  // The first declaration of a name binds (XML 1.0 §4.2); parameter entities are never used.
  if (!isParameter && !internal.has(name) && !external.has(name)) {
    if (value === null) external.add(name);
    else {
      if (value.length > MAX_EXPANDED_CHARS) throw new EntityError(`the entity &${name}; is over ${MAX_EXPANDED_CHARS} characters`);
      internal.set(name, value);
    }
  }
  return end;
}

const REFERENCE = /&([A-Za-z_:][\w.:-]*);/g;

/**
 * Decodes the character and entity references in feed text, exactly once.
 * One instance per document: it counts expansions against the limits.
 */
export class EntityDecoder {
  private expansions = 0;
  private expandedChars = 0;
  private readonly expanded = new Map<string, string>();

  constructor(private readonly doctype: Doctype | null) {}

  decode(raw: string, attribute = false): string {
    if (raw.indexOf("&") === -1) return raw;
    const decodePart = attribute ? decodeHTMLAttribute : decodeHTML;
    const doctype = this.doctype;
    if (doctype === null || (doctype.internal.size === 0 && doctype.external.size === 0)) return decodePart(raw);
    let out = "";
    let last = 0;
    for (const match of raw.matchAll(REFERENCE)) {
      const name = match[1]!;
      const value = this.expand(name);
      if (value === null) continue;
      out += decodePart(raw.slice(last, match.index)) + value;
      last = match.index + match[0].length;
    }
    return last === 0 ? decodePart(raw) : out + decodePart(raw.slice(last));
  }

  private expand(name: string): string | null {
    const doctype = this.doctype!;
    if (doctype.external.has(name)) {
      throw new EntityError(`the feed uses the external entity &${name};, and external entities are never fetched: refused`);
    }
    const literal = doctype.internal.get(name);
    if (literal === undefined) return null;
    let value = this.expanded.get(name);
    if (value === undefined) {
      for (const inner of literal.matchAll(REFERENCE)) {
        if (doctype.internal.has(inner[1]!) || doctype.external.has(inner[1]!)) {
          throw new EntityError(`the feed nests entities (&${name}; uses &${inner[1]};), the shape of an entity-expansion attack: refused`);
        }
      }
      value = decodeHTML(literal);
      this.expanded.set(name, value);
    }
    this.expansions++;
    this.expandedChars += value.length;
    if (this.expansions > MAX_ENTITY_EXPANSIONS) throw new EntityError(`the feed uses declared entities more than ${MAX_ENTITY_EXPANSIONS} times: refused`);
    if (this.expandedChars > MAX_EXPANDED_CHARS) throw new EntityError(`the feed's declared entities expand to over ${MAX_EXPANDED_CHARS} characters: refused`);
    return value;
  }
}
