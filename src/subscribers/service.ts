// Subscription use cases, wired to KV and the send queue but free of HTTP:
// the web routes, the inbound-mail handler and the admin import all call
// these. Every outcome a caller may show a person is deliberately the same
// for new, pending, confirmed and unsubscribed addresses, so no answer
// reveals who is subscribed.
import type { SendQueue } from "../queue-messages";
import { parseEmailAddress } from "./address";
import { confirmSubscription, requestSubscription, unsubscribe, type ConsentSource, type Subscriber } from "./subscriber";
import { getSubscriber, saveSubscriber, subscriberIdFor } from "./subscriber-store";
import { verifyToken } from "./tokens";

export interface SubscriptionDeps {
  kv: KVNamespace;
  queue: SendQueue;
  signingSecret: string;
  confirmationIntervalMs: number;
  now: () => Date;
}

export type SubscribeResult = { ok: true } | { ok: false; message: string };

export async function subscribeAddress(deps: SubscriptionDeps, input: unknown, source: ConsentSource): Promise<SubscribeResult> {
  const parsed = parseEmailAddress(input);
  if (!parsed.ok) return parsed;
  const id = await subscriberIdFor(parsed.address);
  const now = deps.now();
  const outcome = requestSubscription(await getSubscriber(deps.kv, id), { id, email: parsed.address, source }, now, deps.confirmationIntervalMs);
  if (outcome.sendConfirmation) {
    const subscriber: Subscriber = { ...outcome.subscriber, lastConfirmationSentAt: now.toISOString() };
    // Saved before enqueueing: the record exists even if the queue is down,
    // and the interval check sees this request.
    await saveSubscriber(deps.kv, subscriber);
    await deps.queue.send({ kind: "confirmation", subscriberId: id, requestedAt: now.toISOString() });
  } else if (outcome.changed) {
    await saveSubscriber(deps.kv, outcome.subscriber);
  }
  return { ok: true };
}

export type TokenActionResult =
  | { ok: true; subscriber: Subscriber }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" | "unknown" | "unsubscribed" | "suppressed" };

export async function confirmByToken(deps: SubscriptionDeps, token: unknown): Promise<TokenActionResult> {
  const check = await verifyToken(deps.signingSecret, token, "confirm", deps.now());
  if (!check.ok) return check;
  const existing = await getSubscriber(deps.kv, check.subscriberId);
  if (!existing) return { ok: false, reason: "unknown" };
  const outcome = confirmSubscription(existing, deps.now());
  if (!outcome.ok) return outcome;
  if (outcome.changed) await saveSubscriber(deps.kv, outcome.subscriber);
  return { ok: true, subscriber: outcome.subscriber };
}

export async function unsubscribeByToken(deps: SubscriptionDeps, token: unknown): Promise<TokenActionResult> {
  const check = await verifyToken(deps.signingSecret, token, "unsubscribe", deps.now());
  if (!check.ok) return check;
  return unsubscribeById(deps, check.subscriberId);
}

export async function unsubscribeById(deps: Pick<SubscriptionDeps, "kv" | "now">, id: string): Promise<TokenActionResult> {
  const existing = await getSubscriber(deps.kv, id);
  // An unknown id with a valid signature was erased by an admin: nothing to do, and that is success.
  if (!existing) return { ok: false, reason: "unknown" };
  const outcome = unsubscribe(existing, deps.now());
  if (outcome.changed) await saveSubscriber(deps.kv, outcome.subscriber);
  return { ok: true, subscriber: outcome.subscriber };
}

export async function unsubscribeAddress(deps: Pick<SubscriptionDeps, "kv" | "now">, address: string): Promise<void> {
  const parsed = parseEmailAddress(address);
  if (!parsed.ok) return;
  await unsubscribeById(deps, await subscriberIdFor(parsed.address));
}
