// Console sessions. The operator signs in with ADMIN_TOKEN once; the console
// then keeps a signed cookie (HttpOnly, SameSite=Strict, Path=/console,
// always Secure: browsers accept Secure cookies on http://localhost, so a
// local console works and a deployed one never sends it in clear; 12 hours). The signing key mixes SIGNING_SECRET with the
// admin token, so changing either ends every session. Every state-changing
// request also needs a CSRF token derived from the session, and a request
// whose Origin is another site is refused whatever it carries.
// The JSON API under /admin/* never looks at this cookie.
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { ConfigError, type Config } from "../../config";
import { hmacSign, sha256Hex, timingSafeEqualStrings, toBase64Url } from "../../lib/crypto";

export const SESSION_COOKIE = "console_session";
export const SESSION_HOURS = 12;
/** A console reachable from the internet needs a token nobody can guess in a lifetime of rate-limited tries. */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

export interface Session {
  id: string;
  expiresAt: number;
  csrf: string;
}

/** The console's own configuration check; names the setting, never its value. */
export function consoleSecret(config: Config): string {
  if (config.adminToken === null) {
    throw new ConfigError("ADMIN_TOKEN is not set, so the console is off: set it with `npx wrangler secret put ADMIN_TOKEN` (locally: .dev.vars)");
  }
  if (config.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters, so the console refuses to start: set a longer one (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return `console-session\u0000${config.signingSecret}\u0000${config.adminToken}`;
}

async function csrfFor(secret: string, sessionId: string): Promise<string> {
  return toBase64Url(await hmacSign(secret, `csrf:${sessionId}`));
}

export async function startSession(c: Context, config: Config, now: Date): Promise<void> {
  const secret = consoleSecret(config);
  const id = toBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  const expiresAt = now.getTime() + SESSION_HOURS * 3_600_000;
  await setSignedCookie(c, SESSION_COOKIE, `${expiresAt}.${id}`, secret, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/console",
    secure: true,
    maxAge: SESSION_HOURS * 3600,
  });
}

// A signed cookie cannot be taken back, so signing out also records the
// session's id until the cookie would have expired; a copy kept from before
// (another tab, a stolen cookie) is then no session. Key owned here:
//   v1:console:ended:<session id>
const ENDED_PREFIX = "v1:console:ended:";

export async function endSession(c: Context, kv: KVNamespace, session: Session): Promise<void> {
  deleteCookie(c, SESSION_COOKIE, { path: "/console", secure: true, httpOnly: true, sameSite: "Strict" });
  if (session.id.startsWith("access-")) return; // Cloudflare Access owns that sign-in; sign out there.
  // KV expirations are at least 60 s in the future.
  await kv.put(ENDED_PREFIX + session.id, "1", { expiration: Math.ceil(Math.max(session.expiresAt, Date.now() + 61_000) / 1000) });
}

/** The session the request carries, or null: missing, tampered with (bad signature), expired or signed out. */
export async function readSession(c: Context, config: Config, kv: KVNamespace, now: Date): Promise<Session | null> {
  const secret = consoleSecret(config);
  const value = await getSignedCookie(c, secret, SESSION_COOKIE);
  if (!value) return null;
  const match = /^(\d{13})\.([A-Za-z0-9_-]{24})$/.exec(value);
  if (!match) return null;
  const expiresAt = Number(match[1]);
  if (expiresAt <= now.getTime() || expiresAt > now.getTime() + SESSION_HOURS * 3_600_000) return null;
  if ((await kv.get(ENDED_PREFIX + match[2]!)) !== null) return null;
  return { id: match[2]!, expiresAt, csrf: await csrfFor(secret, match[2]!) };
}

/** A session for a user Cloudflare Access vouched for (access.ts): no cookie; the CSRF token is stable per user. */
export async function accessSession(config: Config, identity: string, now: Date): Promise<Session> {
  const secret = consoleSecret(config);
  const id = `access-${(await sha256Hex(`access:${identity}`)).slice(0, 24)}`;
  return { id, expiresAt: now.getTime() + 60_000, csrf: await csrfFor(secret, id) };
}

export async function isValidCsrf(session: Session, submitted: unknown): Promise<boolean> {
  return typeof submitted === "string" && submitted !== "" && timingSafeEqualStrings(submitted, session.csrf);
}

/**
 * A browser sends Origin with every POST; a value from another site means
 * the form was posted from there. Our pages send Referrer-Policy:
 * no-referrer, under which Chromium posts forms with `Origin: null`; that
 * value proves nothing either way, so Sec-Fetch-Site decides (browsers send
 * it with every request). A request with neither (curl) still needs the
 * CSRF token.
 */
export function isForeignOrigin(c: Context, config: Config): boolean {
  const own = new Set([new URL(c.req.url).origin, new URL(config.publicUrl).origin]);
  const origin = c.req.header("Origin");
  if (origin !== undefined && origin !== "null" && !own.has(origin)) return true;
  const site = c.req.header("Sec-Fetch-Site");
  return site === "cross-site" || site === "same-site";
}

/** The admin token compared in constant time. */
export async function isAdminToken(config: Config, submitted: unknown): Promise<boolean> {
  return typeof submitted === "string" && config.adminToken !== null && timingSafeEqualStrings(submitted.trim(), config.adminToken);
}
