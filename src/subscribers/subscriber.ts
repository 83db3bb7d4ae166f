// The subscription state machine (after listmonk):
//   unconfirmed → confirmed → unsubscribed, and suppressed (bounce or
//   complaint) from anywhere, which only an admin clears.
// Pure functions: each takes the current record (or null) and the time, and
// returns the next record plus what should happen next.

export type SubscriberStatus = "unconfirmed" | "confirmed" | "unsubscribed" | "suppressed";
export type ConsentSource = "form" | "api" | "email" | "import";

export interface Subscriber {
  id: string;
  /** Empty once unsubscribed: the id (a hash) is all it takes to honour an unsubscribe. */
  email: string;
  status: SubscriberStatus;
  createdAt: string;
  updatedAt: string;
  /** Where the latest sign-up came from. */
  source: ConsentSource;
  /** When the reader confirmed (consent), and through which source. */
  consentAt: string | null;
  consentSource: ConsentSource | null;
  unsubscribedAt: string | null;
  suppressedAt: string | null;
  suppressedReason: string | null;
  lastConfirmationSentAt: string | null;
}

/** A fresh record: every optional field empty. */
export function newSubscriber(input: { id: string; email: string; source: ConsentSource; status: SubscriberStatus }, now: Date): Subscriber {
  const at = now.toISOString();
  return {
    id: input.id,
    email: input.email,
    status: input.status,
    createdAt: at,
    updatedAt: at,
    source: input.source,
    consentAt: null,
    consentSource: null,
    unsubscribedAt: null,
    suppressedAt: null,
    suppressedReason: null,
    lastConfirmationSentAt: null,
  };
}

export interface SubscribeOutcome {
  subscriber: Subscriber;
  /** A confirmation email should go out now. */
  sendConfirmation: boolean;
  /** The record changed and must be saved. */
  changed: boolean;
}

export function requestSubscription(
  existing: Subscriber | null,
  input: { id: string; email: string; source: ConsentSource },
  now: Date,
  confirmationIntervalMs: number,
): SubscribeOutcome {
  const at = now.toISOString();
  if (existing === null) {
    return { subscriber: newSubscriber({ ...input, status: "unconfirmed" }, now), sendConfirmation: true, changed: true };
  }
  switch (existing.status) {
    case "confirmed":
    case "suppressed":
      return { subscriber: existing, sendConfirmation: false, changed: false };
    case "unsubscribed":
      // Coming back goes through double opt-in again.
      return {
        subscriber: { ...existing, email: input.email, status: "unconfirmed", source: input.source, updatedAt: at, lastConfirmationSentAt: null },
        sendConfirmation: true,
        changed: true,
      };
    case "unconfirmed": {
      const last = existing.lastConfirmationSentAt ? Date.parse(existing.lastConfirmationSentAt) : 0;
      const due = now.getTime() - last >= confirmationIntervalMs;
      if (!due) return { subscriber: existing, sendConfirmation: false, changed: false };
      // A new confirmation goes to the address just submitted, not the form an earlier sign-up used.
      return { subscriber: { ...existing, email: input.email, source: input.source, updatedAt: at }, sendConfirmation: true, changed: true };
    }
  }
}

export type ConfirmOutcome = { ok: true; subscriber: Subscriber; changed: boolean } | { ok: false; reason: "unsubscribed" | "suppressed" };

export function confirmSubscription(existing: Subscriber, now: Date): ConfirmOutcome {
  switch (existing.status) {
    case "confirmed":
      return { ok: true, subscriber: existing, changed: false };
    case "unconfirmed": {
      const at = now.toISOString();
      return { ok: true, subscriber: { ...existing, status: "confirmed", consentAt: at, consentSource: existing.source, updatedAt: at }, changed: true };
    }
    case "unsubscribed":
    case "suppressed":
      return { ok: false, reason: existing.status };
  }
}

export function unsubscribe(existing: Subscriber, now: Date): { subscriber: Subscriber; changed: boolean } {
  if (existing.status === "unsubscribed" || existing.status === "suppressed") return { subscriber: existing, changed: false };
  const at = now.toISOString();
  return {
    // Keep only what honouring the unsubscribe needs: the id, the status and when.
    subscriber: { ...existing, email: "", status: "unsubscribed", unsubscribedAt: at, updatedAt: at, lastConfirmationSentAt: null },
    changed: true,
  };
}

export function suppress(existing: Subscriber, reason: string, now: Date): { subscriber: Subscriber; changed: boolean } {
  if (existing.status === "suppressed") return { subscriber: existing, changed: false };
  const at = now.toISOString();
  return { subscriber: { ...existing, status: "suppressed", suppressedAt: at, suppressedReason: reason, updatedAt: at }, changed: true };
}
