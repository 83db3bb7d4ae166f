// Resend's batch request body built by hand, for the digest's send path.
//
// The SDK serialises each batch with JSON.stringify: 100 emails of ~12 KB
// escaped again for every batch, and, as soon as one character is outside
// ASCII ("·", "’", an accented letter), a two-byte string that fetch must
// then transcode to UTF-8. Measured in workerd (bench/results.md), that was
// most of a consumer invocation's CPU time. Here each edition's parts are
// JSON-escaped once, with every non-ASCII character written as \uXXXX, so
// the body is pure ASCII (a one-byte string: joining it is a copy and its
// UTF-8 encoding is the same bytes); per reader only the short fields are
// escaped and the parts are joined around the reader's token.
import type { OutgoingEmail } from "./mailer";

const NON_ASCII = /[\u007f-\uffff]/g;
const asUnicodeEscape = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** The inside of a JSON string literal for `text`, pure ASCII (JSON.parse gives `text` back). */
export function asciiJsonEscape(text: string): string {
  const json = JSON.stringify(text);
  return json.slice(1, -1).replace(NON_ASCII, asUnicodeEscape);
}

/** An edition's body parts, escaped once; the reader's token goes between them. */
export interface EscapedParts {
  subject: string;
  htmlParts: string[];
  textParts: string[];
}

export function escapeParts(content: { subject: string; htmlParts: string[]; textParts: string[] }): EscapedParts {
  return { subject: asciiJsonEscape(content.subject), htmlParts: content.htmlParts.map(asciiJsonEscape), textParts: content.textParts.map(asciiJsonEscape) };
}

/** `glue` must need no escaping (an ASCII URL fragment without quotes or backslashes). */
export function joinEscaped(parts: string[], glue: string): string {
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += glue + parts[i]!;
  return out;
}

const SAFE_GLUE = /^[\x20-\x7e]*$/;

/**
 * One email as Resend's batch endpoint takes it, the same JSON as the SDK
 * sends for `email` (from, to as a list, subject, html, text, headers, tags),
 * with html and text already escaped by the caller.
 */
export function resendEmailJson(email: Omit<OutgoingEmail, "html" | "text" | "subject">, escaped: { subject: string; html: string; text: string }): string {
  let json = `{"from":"${asciiJsonEscape(email.from)}","to":["${asciiJsonEscape(email.to)}"],"subject":"${escaped.subject}","html":"${escaped.html}","text":"${escaped.text}"`;
  if (email.headers) {
    let headers = "";
    for (const name in email.headers) headers += `${headers ? "," : ""}"${asciiJsonEscape(name)}":"${asciiJsonEscape(email.headers[name]!)}"`;
    json += `,"headers":{${headers}}`;
  }
  if (email.tags) json += `,"tags":[${email.tags.map((tag) => `{"name":"${asciiJsonEscape(tag.name)}","value":"${asciiJsonEscape(tag.value)}"}`).join(",")}]`;
  return `${json}}`;
}

/** Whether `glue` can go between escaped parts as it is. */
export function isSafeGlue(glue: string): boolean {
  return SAFE_GLUE.test(glue) && !glue.includes('"') && !glue.includes("\\");
}
