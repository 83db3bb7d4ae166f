// The operator's actions, once: erase, export, import, unsuppress, ingest,
// preview, test send, send now (or any digest run) and resume. Both fronts
// call this and nothing else for a change: /admin/* (JSON, src/web/admin)
// and the console (pages, src/web/console). They differ only in how they
// read input and render the answer. No HTTP here: the service receives its
// bindings, settings and clock as plain values.
import type { Config } from "../config";
import { ingestAndRunDigest, type DigestRunOptions, type DigestRunReport } from "../digest";
import { runIngest, type IngestReport } from "../feeds";
import { BodyTooLargeError, capStream } from "../lib/read-body";
import type { Mailer } from "../mail/mailer";
import { liftQuotaPause, type QuotaPause } from "../mail/quota-store";
import type { SendQueue } from "../queue-messages";
import { parseEmailAddress } from "../subscribers/address";
import { exportDownload } from "../subscribers/export";
import { getImportProgress, startImport, type ImportJob } from "../subscribers/import";
import { ImportFormatError, parseCsvImport, parseJsonImport, type ParsedImport } from "../subscribers/import-parse";
import { clearSuppression } from "../subscribers/resend-webhook";
import { deleteSubscriber, getSubscriber, subscriberIdFor } from "../subscribers/subscriber-store";
import { getDigestSummary } from "./console-data";
import { previewNextDigest, resumeAfterPause, sendTestDigestTo, type Cadence, type Edition } from "./digest-actions";

/** Up to 100,000 rows of ~40 bytes, with room to spare: the cap on an import upload, for both fronts. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

export interface OperatorDeps {
  config: Config;
  kv: KVNamespace;
  queue: SendQueue;
  mailer: Mailer;
  now: () => Date;
  /** How feeds are fetched (the global fetch in the worker). */
  fetch: typeof fetch;
}

export type Refusal = { ok: false; message: string };

/** What an import reads: a CSV stream (counted as it arrives) or the text of a JSON array. */
export type ImportSource = { csv: ReadableStream<Uint8Array> } | { json: string };

export type ImportResult = { ok: true; job: ImportJob } | (Refusal & { reason: "format" | "too-large" });

export const IMPORT_TOO_LARGE = `the upload is over ${MAX_IMPORT_BYTES / 1024 / 1024} MB; split it`;

export function parseExportFormat(value: unknown): "csv" | "json" | null {
  return value === "csv" || value === "json" ? value : null;
}

export function createOperatorService(deps: OperatorDeps) {
  const { config, kv } = deps;
  const bindings = { kv, queue: deps.queue, mailer: deps.mailer };

  /** Any digest run: a manual run to the readers (not a dry run, not a test send) first lifts a mail-quota pause. */
  async function runDigest(options: DigestRunOptions): Promise<DigestRunReport & { liftedPause: QuotaPause | null }> {
    const toReaders = !options.dryRun && options.to === undefined;
    const liftedPause = toReaders ? await liftQuotaPause(kv, deps.now()) : null;
    return { ...(await ingestAndRunDigest(config, bindings, options, deps.now)), liftedPause };
  }

  return {
    ingest(): Promise<IngestReport> {
      return runIngest(config, kv, deps.fetch, deps.now, deps.mailer);
    },

    runDigest,

    /** Send now: the cadence's digest as its cron would run it, after lifting a quota pause (the operator may have raised the quota). */
    sendNow(cadence: Cadence) {
      return runDigest({ cadence });
    },

    /** The next edition with these choices, to one address only. */
    sendTest(to: string, edition: Edition): Promise<DigestRunReport> {
      return sendTestDigestTo(config, bindings, to, edition);
    },

    preview(edition: Edition) {
      return previewNextDigest(config, kv, edition, deps.now());
    },

    resume() {
      return resumeAfterPause(config, bindings, deps.now());
    },

    /** One digest with its progress (marked sent once every batch is settled). */
    getDigest(id: string) {
      return getDigestSummary(kv, id, deps.now());
    },

    /**
     * Erasure on request: the record goes entirely, including the fact that
     * the address ever signed up. (To keep someone from being mailed,
     * unsubscribe them instead: that keeps the hashed id only.)
     */
    async erase(address: unknown): Promise<Refusal | { ok: true; address: string; erased: boolean }> {
      const parsed = parseEmailAddress(address);
      if (!parsed.ok) return { ok: false, message: parsed.message };
      const id = await subscriberIdFor(parsed.address);
      const existed = (await getSubscriber(kv, id)) !== null;
      await deleteSubscriber(kv, id);
      return { ok: true, address: parsed.address, erased: existed };
    },

    unsuppress(address: string) {
      return clearSuppression(kv, address, deps.now());
    },

    exportSubscribers(format: "csv" | "json"): Response {
      return exportDownload(kv, format);
    },

    /** Parses the upload (capped at MAX_IMPORT_BYTES) and queues its chunks; the job's progress is at getImport(job.id). */
    async importSubscribers(source: ImportSource, optIn: boolean): Promise<ImportResult> {
      let parsed: ParsedImport;
      try {
        if ("csv" in source) parsed = await parseCsvImport(capStream(source.csv, MAX_IMPORT_BYTES));
        else if (new TextEncoder().encode(source.json).byteLength > MAX_IMPORT_BYTES) throw new BodyTooLargeError();
        else parsed = parseJsonImport(source.json);
      } catch (error) {
        if (error instanceof ImportFormatError) return { ok: false, reason: "format", message: error.message };
        if (error instanceof BodyTooLargeError) return { ok: false, reason: "too-large", message: IMPORT_TOO_LARGE };
        throw error;
      }
      return { ok: true, job: await startImport(kv, deps.queue, parsed, optIn, deps.now()) };
    },

    getImport(id: string) {
      return getImportProgress(kv, id);
    },
  };
}

export type OperatorService = ReturnType<typeof createOperatorService>;
