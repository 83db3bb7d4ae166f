// The shapes a digest run takes in and gives back, shared by its steps
// (run-digest, plan-run, resume-digest) without a cycle between them.
import type { OperatorInfo } from "../../emails/components/email-footer";
import type { Config } from "../config";
import type { Cadence } from "../i18n/lang";
import type { SendQueue } from "../queue-messages";

export interface DigestDeps {
  kv: KVNamespace;
  queue: SendQueue;
  publicUrl: string;
  maxAgeDays: number;
  now: () => Date;
  /** The configured feeds (titles, languages) editions filter on; absent: every release goes to every edition. */
  feeds?: Pick<Config, "feedUrls" | "feedLanguages" | "feedTitles">;
  /** Who runs the service, for the footer (OPERATOR_NAME, OPERATOR_ADDRESS, INBOUND_ADDRESS). */
  operator?: OperatorInfo;
}

export interface DigestReport {
  digestId: string | null;
  releases: number;
  recipients: number;
  batchesEnqueued: number;
  skipped: string | null;
  resumed: { digestId: string; batchesEnqueued: number; status: string } | null;
  dryRun?: boolean;
  subject?: string;
  cadence?: Cadence;
  /** Editions that got an email (rendered once each). */
  editions?: number;
  /** Readers of this cadence whose choices matched nothing this time. */
  readersWithNothing?: number;
}
