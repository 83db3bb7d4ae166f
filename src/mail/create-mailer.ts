// Picks the Mailer for this invocation: Resend when a key is configured,
// the local KV outbox otherwise.
import type { Config } from "../config";
import type { Mailer } from "./mailer";
import { createOutboxMailer } from "./outbox-mailer";
import { createResendMailer } from "./resend-mailer";

export function createMailer(config: Config, kv: KVNamespace): Mailer {
  if (config.resendApiKey === null) return createOutboxMailer(kv);
  return createResendMailer({
    apiKey: config.resendApiKey,
    baseUrl: config.resendBaseUrl,
    requestsPerSecond: config.resendRequestsPerSecond,
    timeoutMs: config.resendTimeoutMs,
  });
}
