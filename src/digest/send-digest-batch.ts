// The consumer's work for one digest batch (one queue message, ≤ 100
// readers, one Resend batch call):
//   - a batch already settled (a re-delivered message, a duplicate from a
//     resumed or concurrent run) is skipped;
//   - during a quota pause the batch is deferred without calling Resend;
//   - readers who unsubscribed or were suppressed since enqueueing are
//     dropped (one bulk KV read for the whole batch);
//   - each email is personalised from its edition's content, rendered once
//     per edition (a batch may mix editions), with the reader's personal
//     token from the list metadata (no cryptography here), and sent
//     with an Idempotency-Key derived from the digest and the batch's
//     recipients, so a crash between Resend's answer and the ack cannot
//     cause a second email: the retry is answered from Resend's replay;
//   - the batch's record says how many were sent, skipped and refused, and,
//     when some were dropped, per edition (progress.ts splits by edition).
import { sha256Hex } from "../lib/crypto";
import type { Mailer, OutgoingEmail } from "../mail/mailer";
import { getQuotaPause, pauseForQuota } from "../mail/quota-store";
import { type EscapedParts, escapeParts } from "../mail/resend-json";
import type { DigestBatchMessage, DigestRecipient } from "../queue-messages";
import { getSubscriberStatuses } from "../subscribers/subscriber-store";
import { createPersonalToken } from "../subscribers/tokens";
import { type BatchRecord, type DigestRecord, type EditionDrop, getBatch, getDigest, saveBatch } from "./digest-store";
import { editionDigestId, getEditions } from "./edition-store";
import { finishIfComplete } from "./progress";
import { isLegacyContent, personaliseDigest, type StoredDigestContent } from "./render-digest";

export interface BatchDeps {
  kv: KVNamespace;
  mailer: Mailer;
  signingSecret: string;
  publicUrl: string;
  emailFrom: string;
  now: () => Date;
  /** With Email Routing set up: added to List-Unsubscribe as a mailto:. */
  inboundAddress?: string | null;
}

export type BatchOutcome =
  | { status: "done"; record: BatchRecord }
  | { status: "duplicate" }
  | { status: "deferred"; reason: string }
  | { status: "retry"; retryAfterSeconds: number; reason: string }
  | { status: "missing-digest" };

// Runs and editions are large and immutable while sending: keep the few in use per isolate.
const digestCache = new Map<string, DigestRecord>();
const contentCache = new Map<string, StoredDigestContent>();

function remember<T>(cache: Map<string, T>, id: string, value: T): void {
  // A run has up to a few dozen editions; keep them all, and a few runs.
  if (cache.size >= 200) cache.delete(cache.keys().next().value!);
  cache.set(id, value);
}

async function loadDigest(kv: KVNamespace, id: string): Promise<DigestRecord | null> {
  const cached = digestCache.get(id);
  if (cached) return cached;
  const record = await getDigest(kv, id);
  if (record) remember(digestCache, id, record);
  return record;
}

/** The content of each edition a batch needs, by edition index: one bulk read for those not cached. */
async function loadEditionContents(kv: KVNamespace, digest: DigestRecord, indexes: Set<number>): Promise<Map<number, StoredDigestContent>> {
  const out = new Map<number, StoredDigestContent>();
  // Records from before editions: one content for everyone.
  if (!digest.editions) {
    for (const index of indexes) out.set(index, digest.content);
    return out;
  }
  const missing: string[] = [];
  for (const index of indexes) {
    const summary = digest.editions.find((edition) => edition.index === index);
    if (!summary) continue;
    const cached = contentCache.get(summary.digestId);
    if (cached) out.set(index, cached);
    else missing.push(summary.digestId);
  }
  if (missing.length > 0) {
    const records = await getEditions(kv, missing);
    for (const summary of digest.editions) {
      const record = records.get(summary.digestId);
      if (!record) continue;
      remember(contentCache, summary.digestId, record.content);
      out.set(summary.index, record.content);
    }
  }
  return out;
}

/** Per edition, the readers of a batch who were skipped or refused; absent when none were. */
function dropsOf(recipients: DigestRecipient[], current: DigestRecipient[], refusedIndexes: number[]): EditionDrop[] | undefined {
  const kept = new Set(current);
  const drops = new Map<number, EditionDrop>();
  const drop = (recipient: DigestRecipient) => {
    const edition = recipient.edition ?? 0;
    let row = drops.get(edition);
    if (!row) drops.set(edition, (row = { edition, skipped: 0, rejected: 0 }));
    return row;
  };
  for (const recipient of recipients) if (!kept.has(recipient)) drop(recipient).skipped++;
  for (const index of refusedIndexes) if (current[index]) drop(current[index]).rejected++;
  return drops.size > 0 ? [...drops.values()] : undefined;
}

// Each edition's parts JSON-escaped once per isolate, for the Resend mailer's
// prebuilt request body (see src/mail/resend-json.ts): kept as long as the
// cached content object itself.
const escapedCache = new WeakMap<StoredDigestContent, EscapedParts>();

function escapedFor(content: StoredDigestContent): EscapedParts | undefined {
  if (isLegacyContent(content)) return undefined;
  let escaped = escapedCache.get(content);
  if (!escaped) {
    escaped = escapeParts(content);
    escapedCache.set(content, escaped);
  }
  return escaped;
}

export async function idempotencyKeyFor(message: Pick<DigestBatchMessage, "digestId" | "batchIndex" | "recipients">): Promise<string> {
  const recipients = await sha256Hex(message.recipients.map((r) => r.id).join(","));
  return `digest-${message.digestId}-${message.batchIndex}-${recipients.slice(0, 16)}`;
}

export async function sendDigestBatch(deps: BatchDeps, message: DigestBatchMessage): Promise<BatchOutcome> {
  const digest = await loadDigest(deps.kv, message.digestId);
  if (!digest) return { status: "missing-digest" };
  const existing = await getBatch(deps.kv, message.digestId, message.batchIndex);
  if (existing && existing.status !== "deferred") return { status: "duplicate" };

  const now = deps.now();
  // Deferred batches are sent by the next digest run, once the quota has reset.
  const defer = async (reason: string): Promise<BatchOutcome> => {
    await saveBatch(deps.kv, message.digestId, message.batchIndex, {
      status: "deferred",
      sent: 0,
      skipped: 0,
      rejected: 0,
      at: now.toISOString(),
      error: reason,
    });
    return { status: "deferred", reason };
  };
  const pause = await getQuotaPause(deps.kv, now);
  if (pause) return defer(pause.reason);

  const statuses = await getSubscriberStatuses(
    deps.kv,
    message.recipients.map((r) => r.id),
  );
  const current = message.recipients.filter((r) => statuses.get(r.id)?.status === "confirmed");
  const skipped = message.recipients.length - current.length;

  const contents = await loadEditionContents(deps.kv, digest, new Set(current.map((r) => r.edition ?? 0)));
  const emails: OutgoingEmail[] = [];
  // Only Resend takes the prebuilt JSON; the outbox keeps html and text.
  const prebuild = deps.mailer.kind === "resend";
  for (const recipient of current) {
    const content = contents.get(recipient.edition ?? 0);
    if (!content) throw new Error(`edition ${recipient.edition} of digest ${digest.id} is missing`);
    emails.push(
      personaliseDigest(content, {
        // Readers from before personal tokens lack one in their metadata: computed here (two HMACs).
        token: recipient.token ?? createPersonalToken(deps.signingSecret, recipient.id),
        to: recipient.email,
        from: deps.emailFrom,
        publicUrl: deps.publicUrl,
        digestId: digest.editions ? editionDigestId(digest.id, recipient.edition ?? 0) : digest.id,
        inboundAddress: deps.inboundAddress,
        escaped: prebuild ? escapedFor(content) : undefined,
      }),
    );
  }

  let record: BatchRecord;
  let drops: EditionDrop[] | undefined;
  if (emails.length === 0) {
    record = { status: "sent", sent: 0, skipped, rejected: 0, at: now.toISOString() };
    drops = dropsOf(message.recipients, current, []);
  } else {
    const result = await deps.mailer.sendBatch(emails, { idempotencyKey: await idempotencyKeyFor(message) });
    switch (result.status) {
      case "sent":
        record = { status: "sent", sent: result.ids.filter(Boolean).length, skipped, rejected: result.rejected.length, at: now.toISOString() };
        drops = dropsOf(
          message.recipients,
          current,
          result.rejected.map((r) => r.index),
        );
        break;
      case "already-sent":
        // The key was used with another body: an earlier attempt went through
        // before someone in the batch unsubscribed. Sending again would repeat it.
        record = { status: "sent", sent: emails.length, skipped, rejected: 0, at: now.toISOString(), error: result.message };
        drops = dropsOf(message.recipients, current, []);
        break;
      case "retry":
        return { status: "retry", retryAfterSeconds: result.retryAfterSeconds, reason: result.message };
      case "quota":
        await pauseForQuota(deps.kv, now, result.message);
        return defer(result.message);
      case "rejected":
        record = { status: "failed", sent: 0, skipped, rejected: emails.length, at: now.toISOString(), error: result.message };
        drops = dropsOf(
          message.recipients,
          current,
          current.map((_, i) => i),
        );
        break;
    }
  }
  if (drops) record.drops = drops;
  await saveBatch(deps.kv, message.digestId, message.batchIndex, record);
  // The consumer finishes the digest itself (no read of its progress is
  // needed): when the last batch settles, or when an earlier one settles
  // after it (a retry or a resumed batch finishing late). One read per batch;
  // the list behind finishIfComplete happens only from the last batch on.
  const lastIndex = message.batchCount - 1;
  if (message.batchIndex === lastIndex || (await getBatch(deps.kv, message.digestId, lastIndex))) await finishIfComplete(deps.kv, digest, now);
  return { status: "done", record };
}

/** A batch that exhausted its retries (dead-letter queue): count it as failed, unless it was sent after all. */
export async function recordDeadBatch(deps: Pick<BatchDeps, "kv" | "now">, message: DigestBatchMessage): Promise<void> {
  const existing = await getBatch(deps.kv, message.digestId, message.batchIndex);
  if (existing?.status === "sent") return;
  await saveBatch(deps.kv, message.digestId, message.batchIndex, {
    status: "failed",
    sent: 0,
    skipped: 0,
    rejected: message.recipients.length,
    at: deps.now().toISOString(),
    error: "gave up after repeated failures (dead-letter queue)",
  });
  const digest = await getDigest(deps.kv, message.digestId);
  if (digest) await finishIfComplete(deps.kv, digest, deps.now());
}
