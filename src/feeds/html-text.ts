// Turns untrusted feed HTML into plain text. Nothing from a feed is ever
// rendered as HTML: scripts, styles and other non-content elements are
// dropped with their content, tags become spacing, entities are decoded
// once, and the result is later escaped by React or hono/html.
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

export function htmlToText(html: string): string {
  if (!html.includes("<") && !html.includes("&")) return collapseWhitespace(html);
  const parts: string[] = [];
  let skipDepth = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIPPED.has(name)) skipDepth++;
        else if (BLOCK.has(name)) parts.push("\n");
      },
      onclosetag(name, isImplied) {
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
  parser.write(html);
  parser.end();
  return collapseWhitespace(parts.join(""));
}

export function collapseWhitespace(text: string): string {
  // Control characters (but not tab/newline) have no place in a title or summary.
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u200B\uFEFF]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Cuts at a word boundary and marks the cut with an ellipsis. */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(" ");
  return `${(lastSpace > maxLength * 0.5 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:]+$/, "")}…`;
}
