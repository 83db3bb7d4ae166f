// Admin routes fail closed: without ADMIN_TOKEN configured nobody gets in,
// and the bearer token is compared in constant time.
import type { MiddlewareHandler } from "hono";
import { timingSafeEqualStrings } from "../../lib/crypto";
import type { AppEnv } from "../types";

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const expected = c.get("config").adminToken;
    if (expected === null) {
      return c.json({ error: "admin routes are disabled: set the ADMIN_TOKEN secret to enable them" }, 403);
    }
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !(await timingSafeEqualStrings(match[1]!, expected))) {
      c.header("WWW-Authenticate", 'Bearer realm="nato-digest admin"');
      return c.json({ error: "a valid admin bearer token is required" }, 401);
    }
    await next();
  };
}
