// The mail seam: what the rest of the code may know about sending. Resend's
// SDK types stop at resend-mailer.ts; callers see only these.

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers?: Record<string, string>;
  /** Resend tags: ASCII letters, digits, '_' and '-' only. */
  tags?: { name: string; value: string }[];
  /**
   * This email as Resend's batch endpoint takes it, already serialised:
   * JSON in UTF-8 chunks (src/mail/resend-json.ts). The Resend mailer sends
   * a batch whose every email has them as is, skipping the SDK's
   * serialisation; they must say the same as the fields above. Other
   * mailers ignore them.
   */
  resendJson?: Uint8Array[];
}

export interface SendOptions {
  /** Same key + same body = the provider replays its first answer instead of sending again. */
  idempotencyKey: string;
}

export type BatchResult =
  /** Accepted. `ids[i]` is the provider id of emails[i], null where that one email was rejected. */
  | { status: "sent"; ids: (string | null)[]; rejected: { index: number; message: string }[] }
  /** The same key was used before with another body: that earlier request was accepted. */
  | { status: "already-sent"; message: string }
  /** Rate limit, server fault or network trouble persisted; try again after the delay. */
  | { status: "retry"; retryAfterSeconds: number; message: string }
  /** Daily or monthly quota exhausted: stop sending until it resets. */
  | { status: "quota"; message: string }
  /** The provider refused the request itself (bad key, invalid payload): retrying will not help. */
  | { status: "rejected"; message: string };

export interface Mailer {
  readonly kind: "resend" | "outbox";
  sendBatch(emails: OutgoingEmail[], options: SendOptions): Promise<BatchResult>;
}

/** Resend's batch endpoint takes at most 100 emails per call. */
export const MAX_BATCH_SIZE = 100;

export class MailerUsageError extends Error {
  override name = "MailerUsageError";
}

export function assertBatchSize(emails: OutgoingEmail[]): void {
  if (emails.length > MAX_BATCH_SIZE) throw new MailerUsageError(`a batch holds at most ${MAX_BATCH_SIZE} emails, got ${emails.length}`);
}
