// The subscription state machine (after listmonk):
//   unconfirmed → confirmed → unsubscribed, and suppressed (bounce or
//   complaint) from anywhere, which only an admin clears.
// Pure functions: each takes the current record (or null) and the time, and
// returns the next record plus what should happen next.
//
// Fields added later are optional and read with defaults, so records written
// before them need no migration: no `preferences` = the defaults (see
// preferences.ts), no `personalToken` = computed when first needed, no
// `signupNonce` = a sign-up from before confirm links were bound to one, no
// `tokenGeneration` = generation "0" (personal links from before generations).
import type { Preferences } from "./preferences";
import { newTokenGeneration } from "./tokens";

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
  /** The reader's choices; absent on records older than preferences (read as the defaults). */
  preferences?: Preferences;
  /** The reader's one non-expiring link token (unsubscribe and preferences), set at confirmation. */
  personalToken?: string;
  /** Random per sign-up and carried in its confirm link, so a link only confirms the sign-up it was sent for. */
  signupNonce?: string | null;
  /**
   * The generation of the reader's personal token, drawn afresh by every new
   * sign-up (after an unsubscribe, or an erasure that deleted the record), so
   * links from an earlier subscription no longer work. Absent: "0".
   */
  tokenGeneration?: string;
}

/** The record's token generation ("0" for records from before generations). */
export function generationOf(subscriber: Pick<Subscriber, "tokenGeneration">): string {
  return subscriber.tokenGeneration ?? "0";
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

/** A fresh sign-up nonce: 12 random bytes, base64url. */
export function newSignupNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}

export function requestSubscription(
  existing: Subscriber | null,
  input: { id: string; email: string; source: ConsentSource; preferences?: Preferences; nonce?: string },
  now: Date,
  confirmationIntervalMs: number,
): SubscribeOutcome {
  const at = now.toISOString();
  const { preferences, nonce = newSignupNonce(), ...identity } = input;
  const chosen = preferences ? { preferences } : {};
  if (existing === null) {
    return {
      subscriber: { ...newSubscriber({ ...identity, status: "unconfirmed" }, now), ...chosen, signupNonce: nonce, tokenGeneration: newTokenGeneration() },
      sendConfirmation: true,
      changed: true,
    };
  }
  switch (existing.status) {
    case "confirmed":
    case "suppressed":
      return { subscriber: existing, sendConfirmation: false, changed: false };
    case "unsubscribed":
      // Coming back goes through double opt-in again.
      return {
        subscriber: {
          ...existing,
          ...chosen,
          email: input.email,
          status: "unconfirmed",
          source: input.source,
          updatedAt: at,
          lastConfirmationSentAt: null,
          // A new sign-up: links sent for an earlier one no longer confirm, and
          // the earlier subscription's personal links no longer work.
          signupNonce: nonce,
          tokenGeneration: newTokenGeneration(),
          personalToken: undefined,
        },
        sendConfirmation: true,
        changed: true,
      };
    case "unconfirmed": {
      const last = existing.lastConfirmationSentAt ? Date.parse(existing.lastConfirmationSentAt) : 0;
      const due = now.getTime() - last >= confirmationIntervalMs;
      if (!due) {
        // Still pending: the latest choices count; the nonce stays, so every link already sent still works.
        if (preferences) return { subscriber: { ...existing, preferences, updatedAt: at }, sendConfirmation: false, changed: true };
        return { subscriber: existing, sendConfirmation: false, changed: false };
      }
      // A new confirmation goes to the address just submitted, not the form an earlier sign-up used.
      return {
        subscriber: { ...existing, email: input.email, source: input.source, updatedAt: at, ...(preferences ? { preferences } : {}) },
        sendConfirmation: true,
        changed: true,
      };
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
    subscriber: {
      ...existing,
      email: "",
      status: "unsubscribed",
      unsubscribedAt: at,
      updatedAt: at,
      lastConfirmationSentAt: null,
      signupNonce: null,
      preferences: undefined,
    },
    changed: true,
  };
}

export function suppress(existing: Subscriber, reason: string, now: Date): { subscriber: Subscriber; changed: boolean } {
  if (existing.status === "suppressed") return { subscriber: existing, changed: false };
  const at = now.toISOString();
  return { subscriber: { ...existing, status: "suppressed", suppressedAt: at, suppressedReason: reason, updatedAt: at }, changed: true };
}
