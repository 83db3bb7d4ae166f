// Entry point of the feeds feature: ingest every configured source with the
// settings from Config, and remember the last run for /admin/status.
import { userAgentFor, type Config } from "../config";
import type { Mailer } from "../mail/mailer";
import type { Fetcher } from "./fetch-feed";
import { ingestAll, type IngestReport } from "./ingest";
import { sendSourceAlert } from "./source-alert";

const LAST_INGEST_KEY = "v1:state:ingest";

export type { IngestReport, SourceReport } from "./ingest";

export async function runIngest(
  config: Config,
  kv: KVNamespace,
  fetcher: Fetcher = fetch,
  now: () => Date = () => new Date(),
  mailer?: Mailer,
): Promise<IngestReport> {
  const adminEmail = config.adminEmail;
  const alert =
    mailer && adminEmail
      ? (state: Parameters<typeof sendSourceAlert>[1], reason: string) =>
          sendSourceAlert({ mailer, adminEmail, emailFrom: config.emailFrom, publicUrl: config.publicUrl }, state, reason)
      : undefined;
  const report = await ingestAll(
    {
      feedUrls: config.feedUrls,
      userAgent: userAgentFor(config.publicUrl),
      timeoutMs: config.feedTimeoutMs,
      maxBytes: config.feedMaxBytes,
      lookbackHours: config.lookbackHours,
      maxAgeDays: config.maxAgeDays,
      feedLanguages: config.feedLanguages,
    },
    { kv, fetcher, now, alert },
  );
  try {
    await kv.put(LAST_INGEST_KEY, JSON.stringify(report));
  } catch (error) {
    // The releases are stored; only the log line for /admin/status is lost.
    console.error("saving the ingest report failed", error);
  }
  return report;
}

export async function getLastIngest(kv: KVNamespace): Promise<IngestReport | null> {
  return kv.get<IngestReport>(LAST_INGEST_KEY, "json");
}
