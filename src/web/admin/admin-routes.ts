// /admin/*: operator endpoints, all behind the bearer token.
import { Hono } from "hono";
import { ingestAndRunDigest, type DigestRunOptions } from "../../digest";
import { getDigest, getDigestState, listDigests } from "../../digest/digest-store";
import { finishIfComplete, getRunProgress } from "../../digest/progress";
import { getLastIngest, runIngest } from "../../feeds";
import { createMailer } from "../../mail/create-mailer";
import { getQuotaPause, liftQuotaPause } from "../../mail/quota-store";
import type { SendQueue } from "../../queue-messages";
import { flagReason } from "../../feeds/source-health";
import { listSources } from "../../feeds/source-store";
import { listRecentReleases } from "../../releases/release-store";
import { parseEmailAddress } from "../../subscribers/address";
import { exportDownload } from "../../subscribers/export";
import { getImportProgress, startImport } from "../../subscribers/import";
import { ImportFormatError, parseCsvImport, parseJsonImport, type ParsedImport } from "../../subscribers/import-parse";
import { clearSuppression } from "../../subscribers/resend-webhook";
import { deleteSubscriber, getSubscriber, subscriberIdFor } from "../../subscribers/subscriber-store";
import { requireAdmin } from "./admin-auth";
import { BodyTooLargeError, capStream, declaresTooLarge, MAX_BODY_BYTES, readTextCapped } from "../../lib/read-body";
import type { AppEnv } from "../types";

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use("*", requireAdmin());

adminRoutes.post("/ingest", async (c) => {
  const config = c.get("config");
  const report = await runIngest(config, c.env.KV, fetch, () => new Date(), createMailer(config, c.env.KV));
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
  const format = c.req.query("format") ?? "csv";
  if (format !== "csv" && format !== "json") return c.json({ error: "format must be csv or json" }, 400);
  return exportDownload(c.env.KV, format);
});

// Erasure on request: the record goes entirely, including the fact that the
// address ever signed up. (To keep someone from being mailed, unsubscribe
// them instead: that keeps the hashed id only.)
adminRoutes.delete("/subscribers/:email", async (c) => {
  // c.req.param() is already percent-decoded: decoding again would turn "%2541" into "A".
  const parsed = parseEmailAddress(c.req.param("email"));
  if (!parsed.ok) return c.json({ error: parsed.message }, 400);
  const id = await subscriberIdFor(parsed.address);
  const existed = (await getSubscriber(c.env.KV, id)) !== null;
  await deleteSubscriber(c.env.KV, id);
  return c.json({ erased: existed });
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
    if (unknown.length) return c.json({ error: `unknown option(s): ${unknown.join(", ")}; use dryRun, to or cadence` }, 400);
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
  const config = c.get("config");
  // A manual send to the readers lifts a mail-quota pause and tries again.
  if (!options.dryRun && options.to === undefined) await liftQuotaPause(c.env.KV, new Date());
  const report = await ingestAndRunDigest(config, { kv: c.env.KV, queue: c.env.SEND_QUEUE as SendQueue, mailer: createMailer(config, c.env.KV) }, options);
  return c.json(report);
});

adminRoutes.get("/digests", async (c) => {
  return c.json({ digests: await listDigests(c.env.KV, 100) });
});

adminRoutes.get("/digests/:id", async (c) => {
  const record = await getDigest(c.env.KV, c.req.param("id"));
  if (!record) return c.json({ error: "no digest with that id" }, 404);
  const { record: current } = await finishIfComplete(c.env.KV, record, new Date());
  const { progress, editions } = await getRunProgress(c.env.KV, current);
  const { content: _content, ...summary } = current;
  const { readers, ...batches } = progress;
  return c.json({ ...summary, progress: { ...batches, ...readers, editions } });
});

adminRoutes.post("/subscribers/:email/unsuppress", async (c) => {
  const result = await clearSuppression(c.env.KV, c.req.param("email"), new Date());
  if (result === "unknown") return c.json({ error: "no record for that address" }, 404);
  return c.json({ result });
});

/** Up to 100,000 rows of ~40 bytes, with room to spare. */
const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

adminRoutes.post("/subscribers/import", async (c) => {
  const optIn = ["1", "true", "yes"].includes(c.req.query("optin") ?? "");
  const type = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  const tooLarge = () => c.json({ error: `the upload is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it` }, 413);
  if (declaresTooLarge(c.req.raw, MAX_IMPORT_BYTES)) return tooLarge();
  let parsed: ParsedImport;
  try {
    if (type === "text/csv" || type === "application/csv" || type === "text/plain") {
      if (!c.req.raw.body) return c.json({ error: "the CSV is empty" }, 400);
      // Bytes are counted as the CSV streams in, with or without Content-Length.
      parsed = await parseCsvImport(capStream(c.req.raw.body, MAX_IMPORT_BYTES));
    } else if (type === "application/json") {
      const read = await readTextCapped(c.req.raw, MAX_IMPORT_BYTES);
      if (!read.ok) return tooLarge();
      parsed = parseJsonImport(read.text);
    } else {
      return c.json({ error: "send text/csv with an email column, or application/json with an array of addresses" }, 415);
    }
  } catch (error) {
    if (error instanceof ImportFormatError) return c.json({ error: error.message }, 400);
    if (error instanceof BodyTooLargeError) return tooLarge();
    throw error;
  }
  const job = await startImport(c.env.KV, c.env.SEND_QUEUE as SendQueue, parsed, optIn, new Date());
  return c.json({ ...job, invalidRows: job.invalidRows.slice(0, 100), progress: `/admin/imports/${job.id}` }, 202);
});

adminRoutes.get("/imports/:id", async (c) => {
  const progress = await getImportProgress(c.env.KV, c.req.param("id"));
  if (!progress) return c.json({ error: "no import with that id" }, 404);
  return c.json(progress);
});
