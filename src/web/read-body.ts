// Reads request bodies under a size cap, however they arrive: a declared
// Content-Length over the cap is refused before reading, and every body,
// with or without Content-Length (chunked), is read as a stream whose bytes
// are counted; reading stops and the stream is cancelled as soon as the
// count passes the cap. No body is ever buffered whole to be measured.
// readBody() adds what the public routes need on top: the content types we
// accept (415 otherwise) and JSON that must parse (400). Bad input always
// ends here as a 4xx with a sentence a person can act on.
import type { Context } from "hono";
import type { AppEnv } from "./types";

export const MAX_BODY_BYTES = 16 * 1024;

export type CappedRead = { ok: true; bytes: Uint8Array } | { ok: false; status: 413 };

/** A request or a response: anything with headers and a body stream. */
type HasBody = { headers: Headers; body: ReadableStream<Uint8Array> | null };

/** Whether the declared Content-Length is over `maxBytes` (an absent or malformed one is not). */
export function declaresTooLarge(request: HasBody, maxBytes: number): boolean {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  return Number.isFinite(declared) && declared > maxBytes;
}

/** The whole body if it has at most `maxBytes`; stops reading at the first byte over. */
export async function readBytesCapped(request: HasBody, maxBytes: number): Promise<CappedRead> {
  if (declaresTooLarge(request, maxBytes)) return { ok: false, status: 413 };
  if (request.body === null) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("body over the size cap").catch(() => {});
      return { ok: false, status: 413 };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** The body as UTF-8 text, capped like readBytesCapped. */
export async function readTextCapped(request: Request, maxBytes: number): Promise<{ ok: true; text: string } | { ok: false; status: 413 }> {
  const read = await readBytesCapped(request, maxBytes);
  return read.ok ? { ok: true, text: new TextDecoder().decode(read.bytes) } : read;
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

/** Passes a byte stream through and errors it (BodyTooLargeError) once more than `maxBytes` have gone by. */
export function capStream(body: ReadableStream<Uint8Array>, maxBytes: number): ReadableStream<Uint8Array> {
  let total = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) controller.error(new BodyTooLargeError(`over ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
}

export type BodyResult =
  | {
      ok: true;
      kind: "json" | "form";
      fields: Record<string, unknown>;
      /** Every value of each form field, in order (checkboxes repeat a name); empty for JSON. */
      lists: Record<string, string[]>;
    }
  | { ok: false; status: 400 | 413 | 415; message: string };

const TOO_LARGE = `The request body is over ${MAX_BODY_BYTES / 1024} KB.`;

export async function readBody(c: Context<AppEnv>): Promise<BodyResult> {
  if (declaresTooLarge(c.req.raw, MAX_BODY_BYTES)) return { ok: false, status: 413, message: TOO_LARGE };
  const contentType = c.req.header("Content-Type") ?? "";
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const isJson = type === "application/json" || type.endsWith("+json");
  const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
  if (!isJson && !isForm) return { ok: false, status: 415, message: "Send the form, or JSON with Content-Type: application/json." };

  const read = await readBytesCapped(c.req.raw, MAX_BODY_BYTES);
  if (!read.ok) return { ok: false, status: 413, message: TOO_LARGE };
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(read.bytes));
    } catch {
      return { ok: false, status: 400, message: "The body is not valid JSON." };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { ok: false, status: 400, message: 'Send a JSON object like {"email": "name@example.org"}.' };
    return { ok: true, kind: "json", fields: parsed as Record<string, unknown>, lists: {} };
  }
  try {
    // Parsed from the bytes already read (and counted), never from the request again.
    const form = await new Response(read.bytes, { headers: { "Content-Type": contentType } }).formData();
    const fields: Record<string, unknown> = {};
    const lists: Record<string, string[]> = {};
    // The last value of a repeated field wins in `fields`, as Hono's parseBody() did; `lists` keeps them all.
    for (const [name, value] of form.entries()) {
      fields[name] = typeof value === "string" ? value : undefined;
      if (typeof value === "string") (lists[name] ??= []).push(value);
    }
    return { ok: true, kind: "form", fields, lists };
  } catch {
    return { ok: false, status: 400, message: "The form data could not be read." };
  }
}

/** Whether the client wants JSON back (an API client) or a page (a browser). */
export function wantsJson(c: Context<AppEnv>): boolean {
  const type = c.req.header("Content-Type") ?? "";
  const accept = c.req.header("Accept") ?? "";
  return type.includes("json") || (accept.includes("application/json") && !accept.includes("text/html"));
}
