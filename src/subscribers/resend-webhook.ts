// Resend's delivery webhooks (POST /webhooks/resend), signed by Svix.
// Verification uses the Standard Webhooks library that Svix's SDK wraps
// (svix-* headers are webhook-* headers; secret in whsec_… form; ±5 min
// timestamp tolerance; constant-time signature comparison). A permanent
// bounce or a spam complaint suppresses the address: it is never mailed
// again, even if it signs up again, until an admin clears it. Events are
// idempotent, so Svix's retries and replays change nothing.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { parseEmailAddress } from "./address";
import { newSubscriber, suppress, type Subscriber } from "./subscriber";
import { getSubscriber, saveStatusStop, saveSubscriber, subscriberIdFor } from "./subscriber-store";

export interface ResendEvent {
  type: string;
  created_at?: string;
  data?: { email_id?: string; to?: unknown; bounce?: { type?: string; subType?: string; message?: string } };
}

export type WebhookCheck = { ok: true; event: ResendEvent } | { ok: false; reason: string };

export function verifyResendWebhook(secret: string, payload: string, headers: Headers): WebhookCheck {
  const id = headers.get("svix-id") ?? headers.get("webhook-id");
  const timestamp = headers.get("svix-timestamp") ?? headers.get("webhook-timestamp");
  const signature = headers.get("svix-signature") ?? headers.get("webhook-signature");
  if (!id || !timestamp || !signature) return { ok: false, reason: "missing signature headers" };
  try {
    const event = new Webhook(secret).verify(payload, { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature }) as ResendEvent;
    if (typeof event !== "object" || event === null || typeof event.type !== "string") return { ok: false, reason: "not a Resend event" };
    return { ok: true, event };
  } catch (error) {
    return { ok: false, reason: error instanceof WebhookVerificationError ? error.message : "invalid payload" };
  }
}

/** What an event asks of us: which addresses to suppress and why, if any. Pure. */
export function suppressionFor(event: ResendEvent): { addresses: string[]; reason: string } | null {
  const to = Array.isArray(event.data?.to) ? event.data!.to.filter((a): a is string => typeof a === "string") : [];
  if (event.type === "email.complained") return { addresses: to, reason: "complained (marked as spam)" };
  if (event.type === "email.bounced") {
    const bounce = event.data?.bounce;
    // Transient bounces (full mailbox, greylisting) resolve themselves; only permanent ones suppress.
    if (bounce?.type !== "Permanent") return null;
    return { addresses: to, reason: `bounced (${bounce.subType ?? "permanent"})` };
  }
  return null;
}

export async function applySuppression(kv: KVNamespace, addresses: string[], reason: string, now: Date): Promise<number> {
  let changed = 0;
  for (const raw of addresses) {
    const parsed = parseEmailAddress(raw);
    if (!parsed.ok) continue;
    const id = await subscriberIdFor(parsed.address);
    // Unknown addresses (a test send, an erased record) are remembered as
    // suppressed too, so a later sign-up cannot mail them.
    const existing: Subscriber = (await getSubscriber(kv, id)) ?? newSubscriber({ id, email: parsed.address, source: "api", status: "unsubscribed" }, now);
    const outcome = suppress({ ...existing, email: existing.email || parsed.address }, reason, now);
    if (outcome.changed) {
      await saveStatusStop(kv, outcome.subscriber);
      await saveSubscriber(kv, outcome.subscriber);
      changed++;
    }
  }
  return changed;
}

/** Admin: lift a suppression. The address becomes unsubscribed and must opt in again. */
export async function clearSuppression(kv: KVNamespace, address: string, now: Date): Promise<"cleared" | "not-suppressed" | "unknown"> {
  const parsed = parseEmailAddress(address);
  if (!parsed.ok) return "unknown";
  const existing = await getSubscriber(kv, await subscriberIdFor(parsed.address));
  if (!existing) return "unknown";
  if (existing.status !== "suppressed") return "not-suppressed";
  const at = now.toISOString();
  await saveSubscriber(kv, { ...existing, email: "", status: "unsubscribed", unsubscribedAt: at, suppressedAt: null, suppressedReason: null, updatedAt: at });
  return "cleared";
}
