// /admin/*: operator endpoints, all behind the bearer token.
import { Hono } from "hono";
import { getLastIngest, runIngest } from "../feeds";
import { listSources } from "../feeds/source-store";
import { listRecentReleases } from "../releases/release-store";
import { parseEmailAddress } from "../subscribers/address";
import { exportStream } from "../subscribers/export";
import { deleteSubscriber, getSubscriber, subscriberIdFor } from "../subscribers/subscriber-store";
import { requireAdmin } from "./admin-auth";
import type { AppEnv } from "./types";

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use("*", requireAdmin());

adminRoutes.post("/ingest", async (c) => {
  const report = await runIngest(c.get("config"), c.env.KV);
  return c.json(report);
});

adminRoutes.get("/releases", async (c) => {
  const raw = c.req.query("limit");
  const limit = raw === undefined ? 50 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    return c.json({ error: "limit must be a whole number from 1 to 500" }, 400);
  }
  const days = c.req.query("days") === undefined ? 14 : Number(c.req.query("days"));
  if (!Number.isInteger(days) || days < 0 || days > 90) return c.json({ error: "days must be a whole number from 0 to 90" }, 400);
  const releases = await listRecentReleases(c.env.KV, new Date(), days, limit);
  return c.json({ releases });
});

adminRoutes.get("/status", async (c) => {
  const config = c.get("config");
  const [sources, lastIngest] = await Promise.all([listSources(c.env.KV, config.feedUrls), getLastIngest(c.env.KV)]);
  return c.json({
    mailer: config.resendApiKey ? "resend" : "outbox",
    sources: sources.map(({ seenIds, ...health }) => ({ ...health, seenIds: seenIds.length })),
    lastIngest,
  });
});

adminRoutes.get("/subscribers", (c) => {
  const format = c.req.query("format") ?? "csv";
  if (format !== "csv" && format !== "json") return c.json({ error: "format must be csv or json" }, 400);
  const date = new Date().toISOString().slice(0, 10);
  return new Response(exportStream(c.env.KV, format), {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="nato-digest-subscribers-${date}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
});

// Erasure on request: the record goes entirely, including the fact that the
// address ever signed up. (To keep someone from being mailed, unsubscribe
// them instead: that keeps the hashed id only.)
adminRoutes.delete("/subscribers/:email", async (c) => {
  const parsed = parseEmailAddress(decodeURIComponent(c.req.param("email")));
  if (!parsed.ok) return c.json({ error: parsed.message }, 400);
  const id = await subscriberIdFor(parsed.address);
  const existed = (await getSubscriber(c.env.KV, id)) !== null;
  await deleteSubscriber(c.env.KV, id);
  return c.json({ erased: existed });
});
