// What the public routes need on top of lib/read-body: the content types we
// accept (415 otherwise) and JSON that must parse (400). Bad input always
// ends here as a 4xx with a sentence a person can act on.
import type { Context } from "hono";
import { declaresTooLarge, MAX_BODY_BYTES, readBytesCapped } from "../lib/read-body";
import type { AppEnv } from "./types";

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
