// Turns untrusted feed HTML into plain text. Nothing from a feed is ever
// rendered as HTML: scripts, styles and other non-content elements are
// dropped with their content, tags become spacing, entities are decoded
// once, and the result is later escaped by React or hono/html.
//
// Its cost is linear in the input, whatever the input: the input is capped
// (MAX_HTML_INPUT), the fast path's expression cannot run past the next "<",
// and the parser stops at MAX_HTML_DEPTH open elements (htmlparser2 searches
// its open-element stack at every end tag).
import { decodeHTML } from "entities";
import { Parser } from "htmlparser2";

const SKIPPED = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "object",
  "embed",
  "svg",
  "math",
  "head",
  "title",
  "select",
  "textarea",
  "button",
]);
const BLOCK = new Set([
  "p",
  "div",
  "br",
  "li",
  "ul",
  "ol",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "tr",
  "table",
  "section",
  "article",
  "blockquote",
  "pre",
  "hr",
  "figure",
  "figcaption",
  "dd",
  "dt",
]);

/**
 * Characters of raw HTML read per call: far above what a 400-character
 * summary needs (a long article keeps its first pages), and a bound on
 * what one item can cost.
 */
export const MAX_HTML_INPUT = 64 * 1024;
/** Open elements at once: beyond this the HTML is read up to that point. */
export const MAX_HTML_DEPTH = 256;

// One parser for every call: building an htmlparser2 Parser (and its
// tokenizer) per summary cost more than parsing the summary itself.
let parts: string[] = [];
let skipDepth = 0;
// Elements htmlparser2 holds open: it reports every element it closes, implied or not.
let openDepth = 0;
let tooDeep = false;
const htmlParser = new Parser(
  {
    onopentagname(name) {
      if (++openDepth > MAX_HTML_DEPTH && !tooDeep) {
        tooDeep = true;
        htmlParser.pause();
      }
      if (SKIPPED.has(name)) skipDepth++;
      else if (BLOCK.has(name)) parts.push("\n");
    },
    onclosetag(name, isImplied) {
      openDepth--;
      if (SKIPPED.has(name)) {
        if (skipDepth > 0) skipDepth--;
      } else if (BLOCK.has(name) && !isImplied) parts.push("\n");
    },
    ontext(text) {
      if (skipDepth === 0) parts.push(text);
    },
  },
  { decodeEntities: true, lowerCaseTags: true },
);

// The common summary ("<p>Text &amp; more</p>") on a fast path: tags
// matched by a regular expression, then entities decoded once. Anything that
// needs an HTML parser (skipped elements, comments, CDATA, a tag the
// expression cannot close) takes the parser.
const NEEDS_PARSER = /<(?:[!?]|(?:script|style|noscript|template|iframe|object|embed|svg|math|head|title|select|textarea|button)\b)/iy;
// No part of it matches "<" after the first, so an attempt never runs past
// the next "<": "<a b <a b <a b …" costs each "<" a few characters, not the
// rest of the text. (A "<" inside a quoted value sends the summary to the parser.)
const SIMPLE_TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)(?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"<]*"|'[^'<]*'|[^\s"'=<>`]+))?)*\s*\/?>/g;
const LEFT_OVER_TAG = /<[A-Za-z/]/;

export function htmlToText(rawHtml: string): string {
  const html = capHtml(rawHtml);
  if (!html.includes("<")) return collapseWhitespace(html.includes("&") ? decodeHTML(html) : html);
  if (!needsParser(html)) {
    const stripped = html.replace(SIMPLE_TAG, (_tag, _slash, name: string) => (BLOCK.has(name.toLowerCase()) ? "\n" : ""));
    if (!LEFT_OVER_TAG.test(stripped)) return collapseWhitespace(stripped.includes("&") ? decodeHTML(stripped) : stripped);
  }
  return htmlToTextByParser(html);
}

/** The first MAX_HTML_INPUT characters, without a tag the cut would leave half-written. */
export function capHtml(html: string): string {
  if (html.length <= MAX_HTML_INPUT) return html;
  const cut = html.slice(0, MAX_HTML_INPUT);
  const lastOpen = cut.lastIndexOf("<");
  return lastOpen > cut.lastIndexOf(">") ? cut.slice(0, lastOpen) : cut;
}

/** Looks only where a tag starts: an alternation tried at every character costs more than the whole fast path. */
function needsParser(html: string): boolean {
  for (let i = html.indexOf("<"); i !== -1; i = html.indexOf("<", i + 1)) {
    NEEDS_PARSER.lastIndex = i;
    if (NEEDS_PARSER.test(html)) return true;
  }
  return false;
}

function htmlToTextByParser(html: string): string {
  parts = [];
  skipDepth = 0;
  openDepth = 0;
  tooDeep = false;
  htmlParser.reset();
  htmlParser.write(html);
  // Paused for depth: the text so far is the summary (reset() on the next call undoes the pause).
  if (!tooDeep) htmlParser.end();
  const text = parts.join("");
  parts = [];
  return collapseWhitespace(text);
}

// Elements of HTML that feeds put in titles. A tag with one of these names
// is markup when it cannot be anything else: it is closed (or closes an
// opened one), it is void (<br>), or it carries attributes. Anything else
// that looks like a tag ("<update>", a lone "<b>") is text as written.
const HTML_ELEMENTS = new Set(
  (
    "a abbr acronym b bdi bdo big blink br cite code del dfn em font i img ins kbd mark q s samp small span strike strong sub sup " +
    "time tt u var wbr p div h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre hr center section article header footer nav figure " +
    "figcaption table thead tbody tr td th caption"
  ).split(" "),
);
const VOID_ELEMENTS = new Set(["br", "hr", "img", "wbr"]);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9]*)(\s[^<>]*)?\/?>/g;

/** Drops the HTML elements' tags from a title that is meant as text, keeping text that only looks like a tag. */
export function stripTitleMarkup(text: string): string {
  if (text.indexOf("<") === -1) return text;
  const opened = new Map<string, number>();
  const closed = new Map<string, number>();
  for (const match of text.matchAll(TAG)) {
    const name = match[2]!.toLowerCase();
    if (!HTML_ELEMENTS.has(name)) continue;
    const counts = match[1] ? closed : opened;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (opened.size === 0 && closed.size === 0) return text;
  return text.replace(TAG, (tag, slash: string, rawName: string, attributes: string | undefined) => {
    const name = rawName.toLowerCase();
    if (!HTML_ELEMENTS.has(name)) return tag;
    const isMarkup = slash ? opened.has(name) : closed.has(name) || VOID_ELEMENTS.has(name) || /\S/.test(attributes ?? "");
    if (!isMarkup) return tag;
    return BLOCK.has(name) ? " " : "";
  });
}

// Invisible characters that have no place in a title or summary: C0 and C1
// controls (but not tab/newline), zero-width space, byte-order marks, and the
// bidi embeddings, overrides and isolates that can make a title read
// differently from what it is (U+202A-U+202E, U+2066-U+2069).
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B\u202A-\u202E\u2066-\u2069\uFEFF]/g;

export function collapseWhitespace(text: string): string {
  // Single spaces are left alone: replacing each one with itself cost more than everything else here.
  return text
    .replace(INVISIBLE, "")
    .replace(/[^\S ]\s*| \s+/g, " ")
    .trim();
}

/** Cuts at a word boundary and marks the cut with an ellipsis. */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > maxLength * 0.5 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:]+$/, "")}…`;
}
