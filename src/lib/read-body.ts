// Reads request bodies under a size cap, however they arrive: a declared
// Content-Length over the cap is refused before reading, and every body,
// with or without Content-Length (chunked), is read as a stream whose bytes
// are counted; reading stops and the stream is cancelled as soon as the
// count passes the cap. No body is ever buffered whole to be measured.
// web/read-request.ts builds the public routes' body reader on top of it.

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
