// Resend's batch request body built as bytes, for the digest's send path.
//
// The SDK serialises each batch with JSON.stringify: 100 emails of ~11 KB
// escaped again for every batch, then transcoded to UTF-8 by fetch (a
// two-byte string as soon as one character is outside Latin-1: "’", "«").
// Measured in workerd (bench/results.md) that was most of a consumer
// invocation's CPU time; building the same JSON by string concatenation
// was no better (flattening ~1 MB of ropes, then transcoding it). Here each
// edition's parts are JSON-escaped and UTF-8-encoded once; per reader only
// the short fields and the token are encoded, and the body is the chunks
// copied into one buffer (a memcpy per chunk).
import type { OutgoingEmail } from "./mailer";

const encoder = new TextEncoder();

/** The inside of a JSON string literal for `text` (JSON.parse of it in quotes gives `text` back). */
export function jsonEscape(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** An edition's subject and body parts, JSON-escaped and UTF-8-encoded once; the reader's token goes between the parts. */
export interface EscapedParts {
  subject: Uint8Array;
  htmlParts: Uint8Array[];
  textParts: Uint8Array[];
}

export function escapeParts(content: { subject: string; htmlParts: string[]; textParts: string[] }): EscapedParts {
  const bytes = (text: string) => encoder.encode(jsonEscape(text));
  return { subject: bytes(content.subject), htmlParts: content.htmlParts.map(bytes), textParts: content.textParts.map(bytes) };
}

/**
 * One email as Resend's batch endpoint takes it, the same JSON as the SDK
 * sends for `email` (from, to as a list, subject, html, text, headers, tags),
 * as UTF-8 chunks: html and text are the edition's escaped parts joined by
 * `glue`, which must need no JSON escaping (encodeURIComponent's output).
 */
export function resendEmailChunks(email: Pick<OutgoingEmail, "from" | "to" | "headers" | "tags">, escaped: EscapedParts, glue: string): Uint8Array[] {
  const glueBytes = encoder.encode(glue);
  const chunks: Uint8Array[] = [encoder.encode(`{"from":${JSON.stringify(email.from)},"to":[${JSON.stringify(email.to)}],"subject":"`), escaped.subject];
  const joined = (parts: Uint8Array[]) => {
    chunks.push(parts[0]!);
    for (let i = 1; i < parts.length; i++) chunks.push(glueBytes, parts[i]!);
  };
  chunks.push(HTML_KEY);
  joined(escaped.htmlParts);
  chunks.push(TEXT_KEY);
  joined(escaped.textParts);
  let tail = '"';
  if (email.headers) tail += `,"headers":${JSON.stringify(email.headers)}`;
  if (email.tags) tail += `,"tags":${JSON.stringify(email.tags.map((tag) => ({ name: tag.name, value: tag.value })))}`;
  chunks.push(encoder.encode(`${tail}}`));
  return chunks;
}

const HTML_KEY = encoder.encode('","html":"');
const TEXT_KEY = encoder.encode('","text":"');

/** What is the same for every reader of one edition of one digest: the bytes around the reader's own fields. */
export interface DigestFrame {
  from: string;
  listId: string;
  /** The digest tag's value (letters, digits, "_" and "-"). */
  digestTag: string;
}

interface FrameBytes extends DigestFrame {
  /** `{"from":…,"to":[` */
  head: Uint8Array;
  /** `],"subject":"` */
  afterTo: Uint8Array;
  /** `","headers":{"List-Unsubscribe":` */
  headersOpen: Uint8Array;
  /** `,"List-Unsubscribe-Post":…,"List-Id":…},"tags":[…]}` */
  tail: Uint8Array;
}

const frames = new WeakMap<EscapedParts, FrameBytes>();

function frameFor(escaped: EscapedParts, frame: DigestFrame): FrameBytes {
  const cached = frames.get(escaped);
  if (cached && cached.from === frame.from && cached.listId === frame.listId && cached.digestTag === frame.digestTag) return cached;
  const tags = [
    { name: "kind", value: "digest" },
    { name: "digest", value: frame.digestTag },
  ];
  const bytes: FrameBytes = {
    ...frame,
    head: encoder.encode(`{"from":${JSON.stringify(frame.from)},"to":[`),
    afterTo: encoder.encode('],"subject":"'),
    headersOpen: encoder.encode('","headers":{"List-Unsubscribe":'),
    tail: encoder.encode(`,"List-Unsubscribe-Post":"List-Unsubscribe=One-Click","List-Id":${JSON.stringify(frame.listId)}},"tags":${JSON.stringify(tags)}}`),
  };
  frames.set(escaped, bytes);
  return bytes;
}

/**
 * A digest email's Resend JSON as chunks, the same JSON as resendEmailChunks
 * gives for the digest's fields (headers List-Unsubscribe, List-Unsubscribe-Post
 * and List-Id; tags kind and digest), with everything the readers of an
 * edition share encoded once: per reader only the address, the token glue
 * and the List-Unsubscribe value are encoded.
 */
export function digestEmailChunks(escaped: EscapedParts, frame: DigestFrame, to: string, glue: string, listUnsubscribe: string): Uint8Array[] {
  const bytes = frameFor(escaped, frame);
  const glueBytes = encoder.encode(glue);
  const chunks: Uint8Array[] = [bytes.head, encoder.encode(JSON.stringify(to)), bytes.afterTo, escaped.subject, HTML_KEY];
  const joined = (parts: Uint8Array[]) => {
    chunks.push(parts[0]!);
    for (let i = 1; i < parts.length; i++) chunks.push(glueBytes, parts[i]!);
  };
  joined(escaped.htmlParts);
  chunks.push(TEXT_KEY);
  joined(escaped.textParts);
  chunks.push(bytes.headersOpen, encoder.encode(JSON.stringify(listUnsubscribe)), bytes.tail);
  return chunks;
}

/** Whether `glue` can go between escaped parts as it is. */
export function isSafeGlue(glue: string): boolean {
  return /^[\x20-\x7e]*$/.test(glue) && !glue.includes('"') && !glue.includes("\\");
}

/** The batch request body: `[email,email,...]`, every chunk copied once into one buffer. */
export function joinBatchBody(emails: Uint8Array[][]): Uint8Array {
  let length = 1 + emails.length;
  for (const chunks of emails) for (const chunk of chunks) length += chunk.length;
  const body = new Uint8Array(length);
  let at = 0;
  body[at++] = 0x5b; // [
  emails.forEach((chunks, index) => {
    if (index > 0) body[at++] = 0x2c; // ,
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.length;
    }
  });
  body[at++] = 0x5d; // ]
  return body;
}
