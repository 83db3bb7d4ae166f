#!/usr/bin/env node
// npm run digest -- [--weekly] [--dry-run] [--to ADDRESS] [--url URL]
// Triggers a digest on a local or deployed worker (POST /admin/digest) and
// follows its progress until it is sent. ADMIN_TOKEN comes from the
// environment, else from .dev.vars (local runs).
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** "1 release", "2 releases": the count with its noun in the right number. */
const counted = (n, singular, plural = `${singular}s`) => `${n} ${n === 1 ? singular : plural}`;

const { values } = parseArgs({
  options: {
    "dry-run": { type: "boolean", default: false },
    weekly: { type: "boolean", default: false },
    to: { type: "string" },
    url: { type: "string", default: process.env.DIGEST_URL ?? "http://localhost:8787" },
    timeout: { type: "string", default: "600" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run digest -- [--weekly] [--dry-run] [--to ADDRESS] [--url URL] [--timeout SECONDS]

  --weekly       the weekly edition, for weekly readers (default: the daily one, for daily readers)
  --dry-run      render and count, send nothing
  --to ADDRESS   send the digest of what is new to this address only (a test send)
  --url URL      the worker (default http://localhost:8787, or $DIGEST_URL)

ADMIN_TOKEN is read from the environment, else from .dev.vars.`);
  process.exit(0);
}

function adminToken() {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  if (existsSync(".dev.vars")) {
    const match = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"));
    if (match && match[1].trim()) return match[1].trim().replace(/^["']|["']$/g, "");
  }
  console.error("ADMIN_TOKEN is not set: export it, or run `npm start` once to create .dev.vars.");
  process.exit(2);
}

const base = values.url.replace(/\/+$/, "");
const headers = { Authorization: `Bearer ${adminToken()}`, "Content-Type": "application/json" };

async function request(path, init = {}) {
  let response;
  try {
    response = await fetch(`${base}${path}`, { ...init, headers });
  } catch (error) {
    console.error(`Cannot reach ${base}: ${error.cause?.code ?? error.message}. Is the worker running (npm start)?`);
    process.exit(1);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text.slice(0, 300) };
  }
  if (!response.ok) {
    console.error(`${init.method ?? "GET"} ${path} answered ${response.status}: ${body.error ?? text.slice(0, 300)}`);
    process.exit(1);
  }
  return body;
}

const options = {};
if (values["dry-run"]) options.dryRun = true;
if (values.to) options.to = values.to;
if (values.weekly) options.cadence = "weekly";

console.log(
  `Triggering the ${values.weekly ? "weekly" : "daily"} digest on ${base}${options.dryRun ? " (dry run)" : ""}${options.to ? ` for ${options.to} only` : ""}…`,
);
const { ingest, digest } = await request("/admin/digest", { method: "POST", body: JSON.stringify(options) });

console.log(`Ingest: ${counted(ingest.new, "new release")} from ${counted(ingest.sources.length, "source")}`);
for (const source of ingest.sources) {
  console.log(`  ${source.status.padEnd(12)} ${source.url}${source.error ? `  (${source.error})` : source.new ? `  +${source.new}` : ""}`);
}
if (digest.resumed)
  console.log(`Resumed unfinished digest ${digest.resumed.digestId}: ${digest.resumed.batchesEnqueued} batch(es) enqueued, ${digest.resumed.status}`);
if (digest.skipped) {
  console.log(`No digest sent: ${digest.skipped}.`);
  process.exit(0);
}
if (options.to) {
  console.log(digest.sent ? `Sent "${digest.subject}" (${digest.releases} releases) to ${digest.to}.` : `Test send failed: ${digest.error}`);
  process.exit(digest.sent ? 0 : 1);
}
if (digest.dryRun) {
  console.log(
    `Dry run: "${digest.subject}" — ${counted(digest.releases, "release")}, would go to ${counted(digest.recipients, "confirmed reader")} in ${counted(Math.ceil(digest.recipients / 100), "batch", "batches")}, ${counted(digest.editions ?? 1, "edition")}.`,
  );
  process.exit(0);
}
console.log(
  `Digest ${digest.digestId}: "${digest.subject}" — ${counted(digest.releases, "release")}, ${counted(digest.recipients, "reader")}, ${counted(digest.batchesEnqueued, "batch", "batches")} enqueued, ${counted(digest.editions ?? 1, "edition")}.`,
);

const deadline = Date.now() + Number(values.timeout) * 1000;
let last = "";
for (;;) {
  const record = await request(`/admin/digests/${digest.digestId}`);
  const p = record.progress;
  const line = `  ${record.status}: ${p.sent} sent, ${p.failed} failed, ${p.skipped} skipped, ${p.pending} pending${p.deferredBatches?.length ? ` (${p.deferredBatches.length} batch(es) waiting for the mail quota)` : ""}`;
  if (line !== last) console.log(line);
  last = line;
  if (record.status === "sent") {
    console.log(`Done. View it at ${base}/digests/${digest.digestId}`);
    break;
  }
  if (p.deferredBatches?.length && p.pendingBatches === 0) {
    console.log("Paused by the mail provider's quota; the next digest run finishes it.");
    break;
  }
  if (Date.now() > deadline) {
    console.log("Still sending; check again with GET /admin/digests/" + digest.digestId);
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
