// The one place a bearer token is read: Hono's bearerAuth parses the
// Authorization header, and the token is compared with ADMIN_TOKEN in
// constant time. /admin/* uses the middleware; the dev outbox and the error
// handler (which runs when the settings themselves may not parse) only ask
// whether the request carries the token.
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { timingSafeEqualStrings } from "../lib/crypto";

const CHALLENGE = 'Bearer realm="nato-digest admin"';

/** Refuses (401, a JSON error and a Bearer challenge) unless the request carries the `expected` token. */
export function requireBearer(expected: (c: Context) => string): MiddlewareHandler {
  // Every refusal is the same 401, a malformed header included (Hono's default for that is 400).
  const refuse = { wwwAuthenticateHeader: CHALLENGE, message: (c: Context) => c.json({ error: "a valid admin bearer token is required" }, 401) };
  return bearerAuth({
    verifyToken: (token, c) => timingSafeEqualStrings(token, expected(c)),
    noAuthenticationHeader: refuse,
    invalidAuthenticationHeader: refuse,
    invalidToken: refuse,
  });
}

/** Whether the request carries `expected` as its bearer token (false when nothing is expected). */
export async function hasBearerToken(c: Context, expected: string | null): Promise<boolean> {
  if (expected === null || expected === "") return false;
  try {
    await bearerAuth({ verifyToken: (token) => timingSafeEqualStrings(token, expected) })(c, async () => {});
    return true;
  } catch (error) {
    if (error instanceof HTTPException) return false;
    throw error;
  }
}
