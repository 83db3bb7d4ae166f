// The console's request checks, one small middleware each, in the order
// routes.ts mounts them: the console is configured; a POST from another
// site is refused; a session (cookie, or Cloudflare Access) is required;
// a POST's form is read under a byte cap and must carry the session's
// CSRF token. Hono's csrf() checks Origin only; ours also needs the
// per-session token, and answers with the console's own pages.
import type { Context, MiddlewareHandler } from "hono";
import { ConfigError } from "../../config";
import { readBytesCapped } from "../../lib/read-body";
import type { AppEnv } from "../types";
import { verifyAccessRequest } from "./access";
import { consoleErrorPage, signInPage } from "./pages/messages";
import { accessSession, consoleSecret, isForeignOrigin, isValidCsrf, readSession, type Session } from "./session";

export interface ConsoleEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { session: Session; form: FormData };
}

export type ConsoleContext = Context<ConsoleEnv>;
type ConsoleMiddleware = MiddlewareHandler<ConsoleEnv>;

/** Forms are small; an import is capped by the operator service's MAX_IMPORT_BYTES. */
export const MAX_FORM_BYTES = 64 * 1024;

/** The console refuses to start without a strong admin token. */
export const requireConfigured: ConsoleMiddleware = async (c, next) => {
  try {
    consoleSecret(c.get("config"));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error("console configuration error:", error.message);
    return c.html(consoleErrorPage("The console is not configured", error.message), 500);
  }
  await next();
};

export const refuseForeignPost: ConsoleMiddleware = async (c, next) => {
  if (c.req.method === "POST" && isForeignOrigin(c, c.get("config"))) {
    return c.html(consoleErrorPage("Refused", "This request came from another site and was refused; nothing changed."), 403);
  }
  await next();
};

async function findSession(c: ConsoleContext, now: Date): Promise<Session | null> {
  const config = c.get("config");
  const session = await readSession(c, config, c.env.KV, now);
  if (session || !config.access) return session;
  // Behind Cloudflare Access (optional), its signed JWT is a session too.
  const identity = await verifyAccessRequest(config.access, c.req.raw.headers);
  return identity ? accessSession(config, identity, now) : null;
}

/** Without a session: a POST is refused, JSON gets 401, the console's root shows the sign-in form, anything else goes there. */
export const requireSession: ConsoleMiddleware = async (c, next) => {
  const session = await findSession(c, new Date());
  if (!session) {
    if (c.req.method === "POST") return c.html(signInPage({ error: "Your session ended, so nothing changed. Sign in again." }), 403);
    if (c.req.path.endsWith(".json")) return c.json({ error: "sign in to the console first" }, 401);
    if (c.req.path === "/console" || c.req.path === "/console/") return c.html(signInPage());
    return c.redirect("/console", 303);
  }
  c.set("session", session);
  c.header("Cache-Control", "no-store");
  await next();
};

/** Reads a form body, counting bytes as they arrive (a missing or false Content-Length cannot lift the cap). */
export async function readForm(c: ConsoleContext, maxBytes: number): Promise<FormData | { status: 400 | 413 | 415; message: string }> {
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") return { status: 415, message: "Send the form from the console." };
  const read = await readBytesCapped(c.req.raw, maxBytes);
  if (!read.ok) return { status: 413, message: `The upload is over ${Math.round(maxBytes / 1024 / 1024) || 1} MB; split it.` };
  try {
    return await new Response(read.bytes, { headers: { "Content-Type": c.req.header("Content-Type")! } }).formData();
  } catch {
    return { status: 400, message: "The form data could not be read." };
  }
}

/** A signed-in POST: its form, read under `maxBytes`, carrying the session's CSRF token; the form is then c.get("form"). */
export function signedForm(maxBytes = MAX_FORM_BYTES): ConsoleMiddleware {
  return async (c, next) => {
    const csrf = c.get("session").csrf;
    const form = await readForm(c, maxBytes);
    if (!(form instanceof FormData)) return c.html(consoleErrorPage("Not accepted", form.message, csrf), form.status);
    if (!(await isValidCsrf(c.get("session"), form.get("csrf")))) {
      const message = "The form's security token is missing or stale, so nothing changed. Reload the page and try again.";
      return c.html(consoleErrorPage("Refused", message, csrf), 403);
    }
    c.set("form", form);
    await next();
  };
}

export function formText(c: ConsoleContext, name: string): string | null {
  const value = c.get("form").get(name);
  return typeof value === "string" ? value : null;
}
