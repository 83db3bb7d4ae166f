// Reads a POST body for the public routes: a size cap (413), the content
// types we accept (415 otherwise), and JSON that must parse (400). Bad input
// always ends here as a 4xx with a sentence a person can act on.
import type { Context } from "hono";
import type { AppEnv } from "./types";

export const MAX_BODY_BYTES = 16 * 1024;

export type BodyResult = { ok: true; kind: "json" | "form"; fields: Record<string, unknown> } | { ok: false; status: 400 | 413 | 415; message: string };

export async function readBody(c: Context<AppEnv>): Promise<BodyResult> {
  const declared = Number(c.req.header("Content-Length") ?? "0");
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES)
    return { ok: false, status: 413, message: `The request body is over ${MAX_BODY_BYTES / 1024} KB.` };
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  const isJson = type === "application/json" || type.endsWith("+json");
  const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
  if (!isJson && !isForm) return { ok: false, status: 415, message: "Send the form, or JSON with Content-Type: application/json." };

  const raw = await c.req.raw.clone().arrayBuffer();
  if (raw.byteLength > MAX_BODY_BYTES) return { ok: false, status: 413, message: `The request body is over ${MAX_BODY_BYTES / 1024} KB.` };
  if (isJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      return { ok: false, status: 400, message: "The body is not valid JSON." };
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { ok: false, status: 400, message: 'Send a JSON object like {"email": "name@example.org"}.' };
    return { ok: true, kind: "json", fields: parsed as Record<string, unknown> };
  }
  try {
    const form = await c.req.parseBody();
    const fields: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(form)) fields[name] = typeof value === "string" ? value : undefined;
    return { ok: true, kind: "form", fields };
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
