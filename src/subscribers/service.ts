// Subscription use cases, wired to KV and the send queue but free of HTTP:
// the web routes, the inbound-mail handler and the admin import all call
// these. Every outcome a caller may show a person is deliberately the same
// for new, pending, confirmed and unsubscribed addresses, so no answer
// reveals who is subscribed.
import type { SendQueue } from "../queue-messages";
import { parseEmailAddress } from "./address";
import type { Preferences } from "./preferences";
import { confirmSubscription, generationOf, requestSubscription, unsubscribe, type ConsentSource, type Subscriber } from "./subscriber";
import { getSubscriber, saveStatusStop, saveSubscriber, subscriberIdFor } from "./subscriber-store";
import { createPersonalToken, verifyConfirmToken, verifyPersonalToken } from "./tokens";

export interface SubscriptionDeps {
  kv: KVNamespace;
  queue: SendQueue;
  signingSecret: string;
  confirmationIntervalMs: number;
  now: () => Date;
}

export type SubscribeResult = { ok: true } | { ok: false; message: string };

/**
 * A sign-up. `preferences` (already validated) apply to a new or pending
 * sign-up; a confirmed reader changes them from the preferences page only,
 * so nobody can change someone else's choices by signing them up.
 */
export async function subscribeAddress(
  deps: SubscriptionDeps,
  input: unknown,
  source: ConsentSource,
  preferences?: Preferences,
  /** Asked before a confirmation is stored and sent (the global caps); refused: nothing is stored or sent. */
  reserveMail?: () => Promise<boolean>,
): Promise<SubscribeResult> {
  const parsed = parseEmailAddress(input);
  if (!parsed.ok) return parsed;
  const id = await subscriberIdFor(parsed.address);
  const now = deps.now();
  const outcome = requestSubscription(await getSubscriber(deps.kv, id), { id, email: parsed.address, source, preferences }, now, deps.confirmationIntervalMs);
  if (outcome.sendConfirmation) {
    if (reserveMail && !(await reserveMail())) return { ok: true };
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
  | {
      ok: false;
      reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" | "unknown" | "unsubscribed" | "suppressed" | "superseded" | "revoked";
    };

/** Whether a confirm token belongs to the record's current sign-up. */
function sameSignup(subscriber: Subscriber, nonce: string | null): boolean {
  const current = subscriber.signupNonce ?? null;
  // Tokens from before nonces existed confirm only sign-ups from before then.
  if (nonce === null || current === null) return nonce === current;
  return nonce.length === current.length && crypto.subtle.timingSafeEqual(new TextEncoder().encode(nonce), new TextEncoder().encode(current));
}

/** Checks a confirm link without changing anything (GET /confirm). */
export async function checkConfirmToken(deps: Pick<SubscriptionDeps, "kv" | "signingSecret" | "now">, token: unknown): Promise<TokenActionResult> {
  const check = await verifyConfirmToken(deps.signingSecret, token, deps.now());
  if (!check.ok) return check;
  const existing = await getSubscriber(deps.kv, check.subscriberId);
  if (!existing) return { ok: false, reason: "unknown" };
  if (existing.status === "unsubscribed" || existing.status === "suppressed") return { ok: false, reason: existing.status };
  if (!sameSignup(existing, check.nonce)) return { ok: false, reason: "superseded" };
  return { ok: true, subscriber: existing };
}

export async function confirmByToken(deps: SubscriptionDeps, token: unknown): Promise<TokenActionResult> {
  const check = await checkConfirmToken(deps, token);
  if (!check.ok) return check;
  const outcome = confirmSubscription(check.subscriber, deps.now());
  if (!outcome.ok) return outcome;
  // The personal token is computed once, here, and travels with the list metadata to every digest.
  const subscriber = withPersonalToken(outcome.subscriber, deps.signingSecret);
  if (outcome.changed || subscriber !== outcome.subscriber) await saveSubscriber(deps.kv, subscriber);
  return { ok: true, subscriber };
}

/** The record with the personal token of its generation set (the same object when it already has it). */
export function withPersonalToken(subscriber: Subscriber, secret: string): Subscriber {
  if (subscriber.personalToken) return subscriber;
  return { ...subscriber, personalToken: createPersonalToken(secret, subscriber.id, generationOf(subscriber)) };
}

/** The record a personal token names: unknown when erased, revoked when the token is of an earlier subscription. */
async function recordForToken(deps: Pick<SubscriptionDeps, "kv" | "signingSecret">, token: unknown): Promise<TokenActionResult> {
  const check = await verifyPersonalToken(deps.signingSecret, token);
  if (!check.ok) return check;
  const existing = await getSubscriber(deps.kv, check.subscriberId);
  if (!existing) return { ok: false, reason: "unknown" };
  if (check.generation !== generationOf(existing)) return { ok: false, reason: "revoked" };
  return { ok: true, subscriber: existing };
}

export async function unsubscribeByToken(deps: SubscriptionDeps, token: unknown): Promise<TokenActionResult> {
  const found = await recordForToken(deps, token);
  if (!found.ok) return found;
  return unsubscribeRecord(deps, found.subscriber);
}

/** The reader behind a personal token, for the preferences page; changes nothing. */
export async function readerByToken(deps: Pick<SubscriptionDeps, "kv" | "signingSecret">, token: unknown): Promise<TokenActionResult> {
  const found = await recordForToken(deps, token);
  if (!found.ok) return found;
  if (found.subscriber.status === "unsubscribed" || found.subscriber.status === "suppressed") return { ok: false, reason: found.subscriber.status };
  return found;
}

/** Saves a reader's new choices (already validated). A reader who unsubscribed must sign up again. */
export async function savePreferencesByToken(deps: SubscriptionDeps, token: unknown, preferences: Preferences): Promise<TokenActionResult> {
  const found = await readerByToken(deps, token);
  if (!found.ok) return found;
  return savePreferences(deps, found.subscriber, preferences);
}

/**
 * Saves new choices on the record as read. The read may be stale (KV, up to
 * 60 s), so the write may carry an old `confirmed`: it never decides a
 * status, because every read lays the reader's stop key over the record
 * (subscriber-store.ts), and only unsubscribe and suppression write that key.
 */
export async function savePreferences(
  deps: Pick<SubscriptionDeps, "kv" | "signingSecret" | "now">,
  read: Subscriber,
  preferences: Preferences,
): Promise<TokenActionResult> {
  if (read.status === "unsubscribed" || read.status === "suppressed") return { ok: false, reason: read.status };
  const subscriber = withPersonalToken({ ...read, preferences, updatedAt: deps.now().toISOString() }, deps.signingSecret);
  await saveSubscriber(deps.kv, subscriber);
  return { ok: true, subscriber };
}

export async function unsubscribeById(deps: Pick<SubscriptionDeps, "kv" | "now">, id: string): Promise<TokenActionResult> {
  const existing = await getSubscriber(deps.kv, id);
  // An unknown id with a valid signature was erased by an admin: nothing to do, and that is success.
  if (!existing) return { ok: false, reason: "unknown" };
  return unsubscribeRecord(deps, existing);
}

async function unsubscribeRecord(deps: Pick<SubscriptionDeps, "kv" | "now">, existing: Subscriber): Promise<TokenActionResult> {
  const outcome = unsubscribe(existing, deps.now());
  if (outcome.changed) {
    // The stop first: it is what every later read and the send path trust.
    await saveStatusStop(deps.kv, outcome.subscriber);
    await saveSubscriber(deps.kv, outcome.subscriber);
  }
  return { ok: true, subscriber: outcome.subscriber };
}

export async function unsubscribeAddress(deps: Pick<SubscriptionDeps, "kv" | "now">, address: string): Promise<void> {
  const parsed = parseEmailAddress(address);
  if (!parsed.ok) return;
  await unsubscribeById(deps, await subscriberIdFor(parsed.address));
}
