// Admin routes fail closed: without ADMIN_TOKEN configured nobody gets in
// (403), and otherwise every request needs it as its bearer token (401,
// src/web/bearer.ts).
import type { MiddlewareHandler } from "hono";
import { requireBearer } from "../bearer";
import type { AppEnv } from "../types";

const requireEnabled: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("config").adminToken === null) {
    return c.json({ error: "admin routes are disabled: set the ADMIN_TOKEN secret to enable them" }, 403);
  }
  await next();
};

export function requireAdmin(): MiddlewareHandler<AppEnv>[] {
  return [requireEnabled, requireBearer((c) => (c.get("config") as AppEnv["Variables"]["config"]).adminToken!)];
}
