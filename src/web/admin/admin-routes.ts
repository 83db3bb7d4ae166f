// /admin/*: the operator's JSON API, all behind the bearer token. Every
// action is one call into the operator service (src/operator), the same the
// console makes; this file only reads JSON/query input and answers JSON.
import { Hono } from "hono";
import type { DigestRunOptions } from "../../digest";
import { getDigestState, listDigests } from "../../digest/digest-store";
import { getLastIngest } from "../../feeds";
import { flagReason } from "../../feeds/source-health";
import { listSources } from "../../feeds/source-store";
import { declaresTooLarge, MAX_BODY_BYTES, readTextCapped } from "../../lib/read-body";
import { getQuotaPause } from "../../mail/quota-store";
import { IMPORT_TOO_LARGE, MAX_IMPORT_BYTES, parseExportFormat, type ImportSource } from "../../operator/operator-service";
import { listRecentReleases } from "../../releases/release-store";
import { parseEmailAddress } from "../../subscribers/address";
import { operatorFor } from "../operator";
import type { AppEnv } from "../types";
import { requireAdmin } from "./admin-auth";

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use("*", ...requireAdmin());

adminRoutes.post("/ingest", async (c) => c.json(await operatorFor(c).ingest()));

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
  const now = new Date();
  const [sources, lastIngest, digestState, quotaPause] = await Promise.all([
    listSources(c.env.KV, config.feedUrls),
    getLastIngest(c.env.KV),
    Promise.all([getDigestState(c.env.KV, "daily"), getDigestState(c.env.KV, "weekly")]),
    getQuotaPause(c.env.KV, now),
  ]);
  return c.json({
    mailer: config.resendApiKey ? "resend" : "outbox",
    sources: sources.map(({ seenIds, ...health }) => ({ ...health, seenIds: seenIds.length, flagged: flagReason({ ...health, seenIds }, now) })),
    lastIngest,
    digest: digestState[0],
    weeklyDigest: digestState[1],
    mailQuotaPause: quotaPause,
  });
});

adminRoutes.get("/subscribers", (c) => {
  const format = parseExportFormat(c.req.query("format") ?? "csv");
  if (!format) return c.json({ error: "format must be csv or json" }, 400);
  return operatorFor(c).exportSubscribers(format);
});

adminRoutes.delete("/subscribers/:email", async (c) => {
  // c.req.param() is already percent-decoded: decoding again would turn "%2541" into "A".
  const result = await operatorFor(c).erase(c.req.param("email"));
  if (!result.ok) return c.json({ error: result.message }, 400);
  return c.json({ erased: result.erased });
});

adminRoutes.post("/digest", async (c) => {
  const options: DigestRunOptions = {};
  const read = await readTextCapped(c.req.raw, MAX_BODY_BYTES);
  if (!read.ok) return c.json({ error: `the body is over ${MAX_BODY_BYTES / 1024} KB` }, 413);
  const text = read.text;
  if (text.trim() !== "") {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return c.json({ error: 'the body must be JSON, e.g. {"dryRun": true}' }, 400);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return c.json({ error: "the body must be a JSON object" }, 400);
    const { dryRun, to, cadence, ...rest } = body as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length)
      return c.json({ error: `unknown ${unknown.length === 1 ? "option" : "options"}: ${unknown.join(", ")}; use dryRun, to or cadence` }, 400);
    if (dryRun !== undefined && typeof dryRun !== "boolean") return c.json({ error: "dryRun must be true or false" }, 400);
    if (cadence !== undefined && cadence !== "daily" && cadence !== "weekly") return c.json({ error: "cadence must be daily or weekly" }, 400);
    if (to !== undefined) {
      const address = parseEmailAddress(to);
      if (!address.ok) return c.json({ error: `to: ${address.message}` }, 400);
      options.to = address.address;
    }
    if (dryRun !== undefined) options.dryRun = dryRun;
    if (cadence !== undefined) options.cadence = cadence;
  }
  // A manual send to the readers lifts a mail-quota pause and tries again (in the service).
  const { liftedPause: _lifted, ...report } = await operatorFor(c).runDigest(options);
  return c.json(report);
});

adminRoutes.get("/digests", async (c) => {
  return c.json({ digests: await listDigests(c.env.KV, 100) });
});

adminRoutes.get("/digests/:id", async (c) => {
  const found = await operatorFor(c).getDigest(c.req.param("id"));
  if (!found) return c.json({ error: "no digest with that id" }, 404);
  const { content: _content, ...summary } = found.record;
  const { readers, ...batches } = found.progress;
  return c.json({ ...summary, progress: { ...batches, ...readers, editions: found.editions } });
});

adminRoutes.post("/subscribers/:email/unsuppress", async (c) => {
  const result = await operatorFor(c).unsuppress(c.req.param("email"));
  if (result === "unknown") return c.json({ error: "no record for that address" }, 404);
  return c.json({ result });
});

adminRoutes.post("/subscribers/import", async (c) => {
  const optIn = ["1", "true", "yes"].includes(c.req.query("optin") ?? "");
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  const tooLarge = () => c.json({ error: IMPORT_TOO_LARGE }, 413);
  if (declaresTooLarge(c.req.raw, MAX_IMPORT_BYTES)) return tooLarge();
  let source: ImportSource;
  if (type === "text/csv" || type === "application/csv" || type === "text/plain") {
    if (!c.req.raw.body) return c.json({ error: "the CSV is empty" }, 400);
    // Bytes are counted as the CSV streams in, with or without Content-Length.
    source = { csv: c.req.raw.body };
  } else if (type === "application/json") {
    const read = await readTextCapped(c.req.raw, MAX_IMPORT_BYTES);
    if (!read.ok) return tooLarge();
    source = { json: read.text };
  } else {
    return c.json({ error: "send text/csv with an email column, or application/json with an array of addresses" }, 415);
  }
  const result = await operatorFor(c).importSubscribers(source, optIn);
  if (!result.ok) return result.reason === "too-large" ? tooLarge() : c.json({ error: result.message }, 400);
  const { job } = result;
  return c.json({ ...job, invalidRows: job.invalidRows.slice(0, 100), progress: `/admin/imports/${job.id}` }, 202);
});

adminRoutes.get("/imports/:id", async (c) => {
  const progress = await operatorFor(c).getImport(c.req.param("id"));
  if (!progress) return c.json({ error: "no import with that id" }, 404);
  return c.json(progress);
});
