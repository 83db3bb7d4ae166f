// The local outbox: a Mailer that keeps every email in KV instead of sending
// it, used when RESEND_API_KEY is absent. /dev/outbox shows what it holds,
// so a newcomer can read the mails locally with no account anywhere.
// It honours idempotency keys the way Resend does (24 h, same body replays,
// another body conflicts), so local runs show the same exactly-once
// behaviour as production.
import { sha256Hex } from "../lib/crypto";
import { assertBatchSize, type BatchResult, type Mailer, type OutgoingEmail, type SendOptions } from "./mailer";

const PREFIX = "v1:outbox:";
const KEY_PREFIX = "v1:outbox-key:";
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** Local mail is for reading, not archiving. */
const MAIL_TTL_SECONDS = 14 * 24 * 3600;
// Newest first in KV's ascending key order: store the time counted down from here.
const TIME_CEILING = 9_999_999_999_999;

export interface OutboxMessage extends OutgoingEmail {
  id: string;
  sentAt: string;
}

export interface OutboxSummary {
  id: string;
  to: string;
  subject: string;
  sentAt: string;
}

export function createOutboxMailer(kv: KVNamespace, now: () => Date = () => new Date()): Mailer {
  return {
    kind: "outbox",
    async sendBatch(emails: OutgoingEmail[], options: SendOptions): Promise<BatchResult> {
      assertBatchSize(emails);
      const bodyHash = await sha256Hex(JSON.stringify(emails));
      const idempotencyKey = KEY_PREFIX + (await sha256Hex(options.idempotencyKey));
      const previous = await kv.get<{ bodyHash: string; ids: string[] }>(idempotencyKey, "json");
      if (previous) {
        if (previous.bodyHash === bodyHash) return { status: "sent", ids: previous.ids, rejected: [] };
        return { status: "already-sent", message: "409 invalid_idempotent_request: key reused with another body" };
      }
      const sentAt = now();
      const ids: string[] = [];
      for (const [index, email] of emails.entries()) {
        const id = `${String(TIME_CEILING - sentAt.getTime()).padStart(13, "0")}-${String(index).padStart(3, "0")}-${crypto.randomUUID().slice(0, 8)}`;
        const message: OutboxMessage = { ...email, id, sentAt: sentAt.toISOString() };
        const summary: OutboxSummary = { id, to: email.to, subject: email.subject.slice(0, 300), sentAt: message.sentAt };
        await kv.put(PREFIX + id, JSON.stringify(message), { metadata: summary, expirationTtl: MAIL_TTL_SECONDS });
        ids.push(id);
      }
      await kv.put(idempotencyKey, JSON.stringify({ bodyHash, ids }), { expirationTtl: IDEMPOTENCY_TTL_SECONDS });
      return { status: "sent", ids, rejected: [] };
    },
  };
}

export async function listOutbox(kv: KVNamespace, limit = 100): Promise<OutboxSummary[]> {
  const out: OutboxSummary[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<OutboxSummary> = await kv.list<OutboxSummary>({ prefix: PREFIX, cursor, limit: Math.min(1000, limit - out.length) });
    for (const key of page.keys) if (key.metadata) out.push(key.metadata);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor && out.length < limit);
  return out;
}

export async function getOutboxMessage(kv: KVNamespace, id: string): Promise<OutboxMessage | null> {
  if (!/^[0-9a-f-]{1,64}$/i.test(id)) return null;
  return kv.get<OutboxMessage>(PREFIX + id, "json");
}
