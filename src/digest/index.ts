// Entry point of the digest feature: ingest, then run the digest, with the
// settings from Config. Shared by the daily and weekly crons and POST /admin/digest.
import type { OperatorInfo } from "../../emails/components/email-footer";
import type { Config } from "../config";
import { runIngest, type IngestReport } from "../feeds";
import type { Mailer } from "../mail/mailer";
import type { SendQueue } from "../queue-messages";
import type { Cadence } from "../subscribers/preferences";
import { runDigest, type DigestReport } from "./run-digest";
import { sendTestDigest, type EditionPreferences } from "./send-test-digest";

export interface DigestRunOptions {
  dryRun?: boolean;
  to?: string;
  /** Which readers: daily (the default) or weekly. */
  cadence?: Cadence;
  /** With `to`: the choices of the edition to send (default: English, no topics, the default feeds). */
  edition?: EditionPreferences;
}

export interface DigestRunReport {
  ingest: { new: number; sources: { url: string; status: string; new: number; error?: string }[] };
  digest: DigestReport & { to?: string; sent?: boolean; error?: string };
}

/** The footer's "who runs this" from the settings; fields left unset are not shown. */
export function operatorOf(config: Pick<Config, "operatorName" | "operatorAddress" | "inboundAddress">): OperatorInfo {
  const operator: OperatorInfo = {};
  if (config.operatorName) operator.name = config.operatorName;
  if (config.operatorAddress) operator.postalAddress = config.operatorAddress;
  if (config.inboundAddress) operator.email = config.inboundAddress;
  return operator;
}

/** What a digest run needs, from the settings: the same for the crons, the JSON API and the console. */
export function digestDepsFor(config: Config, bindings: { kv: KVNamespace; queue: SendQueue }, now: () => Date = () => new Date()) {
  return {
    kv: bindings.kv,
    queue: bindings.queue,
    publicUrl: config.publicUrl,
    maxAgeDays: config.maxAgeDays,
    now,
    feeds: config,
    operator: operatorOf(config),
  };
}

export async function ingestAndRunDigest(
  config: Config,
  bindings: { kv: KVNamespace; queue: SendQueue; mailer: Mailer },
  options: DigestRunOptions = {},
  now: () => Date = () => new Date(),
): Promise<DigestRunReport> {
  const ingest: IngestReport = await runIngest(config, bindings.kv, fetch, now, bindings.mailer);
  const deps = digestDepsFor(config, bindings, now);
  const cadence = options.cadence ?? "daily";
  const digest =
    options.to !== undefined
      ? await sendTestDigest(
          { ...deps, mailer: bindings.mailer, signingSecret: config.signingSecret, emailFrom: config.emailFrom, inboundAddress: config.inboundAddress },
          options.to,
          cadence,
          options.edition,
        )
      : await runDigest(deps, { dryRun: options.dryRun, cadence });
  return {
    ingest: { new: ingest.new, sources: ingest.sources.map((s) => ({ url: s.url, status: s.status, new: s.new, error: s.error })) },
    digest,
  };
}
