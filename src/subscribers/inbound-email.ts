// Subscribe and unsubscribe by email (Cloudflare Email Routing → email()).
// The message is parsed with postal-mime; the command is "subscribe" or
// "unsubscribe" as the subject or the first line of the body, acting on the
// sender's address. Subscribing still goes through double opt-in (a From
// address can be forged); unsubscribing acts at once and sends nothing.
// Automated mail (bounces, auto-replies, lists) is never answered, so no
// mail loop can start here; anything else gets one help reply a day at most.
import PostalMime, { type Email } from "postal-mime";
import { createElement } from "react";
import { InboundHelpEmail, inboundHelpSubject } from "../../emails/inbound-help";
import { sha256Hex } from "../lib/crypto";
import type { Mailer } from "../mail/mailer";
import { renderEmail } from "../mail/render";
import { parseEmailAddress } from "./address";
import { DEFAULT_PREFERENCES } from "./preferences";
import { subscribeAddress, unsubscribeAddress, type SubscriptionDeps } from "./service";

export const MAX_INBOUND_BYTES = 1024 * 1024;
const HELP_PREFIX = "v1:inbound-help:";
const HELP_INTERVAL_SECONDS = 24 * 3600;

export type InboundCommand = "subscribe" | "unsubscribe" | "unknown";

export type InboundOutcome =
  | { action: "rejected"; reason: string }
  | { action: "ignored"; reason: string }
  | { action: "subscribe" | "unsubscribe"; address: string }
  | { action: "help"; address: string; replied: boolean };

export interface InboundDeps extends SubscriptionDeps {
  mailer: Mailer;
  emailFrom: string;
  publicUrl: string;
}

// "subscribe weekly" asks for the weekly edition (preferences.ts).
const COMMAND = /^\W*(subscribe|unsubscribe)(?:\s+(weekly|daily))?\W*$/i;

/** The cadence named after "subscribe", if any. */
export function requestedCadence(subject: string | undefined, text: string | undefined): "weekly" | "daily" | null {
  const line = COMMAND.test((subject ?? "").trim()) ? (subject ?? "") : (text ?? "").split(/\r?\n/).find((l) => l.trim() !== "" && !l.trim().startsWith(">"));
  return (COMMAND.exec((line ?? "").trim())?.[2]?.toLowerCase() as "weekly" | "daily" | undefined) ?? null;
}

/** The command in the subject, else in the first non-empty, non-quoted line of the text. */
export function parseCommand(subject: string | undefined, text: string | undefined): InboundCommand {
  const fromSubject = COMMAND.exec((subject ?? "").trim());
  if (fromSubject) return fromSubject[1]!.toLowerCase() as InboundCommand;
  const firstLine = (text ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith(">"));
  const fromBody = COMMAND.exec(firstLine ?? "");
  return fromBody ? (fromBody[1]!.toLowerCase() as InboundCommand) : "unknown";
}

const AUTOMATED_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|daemon)([+@.-]|$)/i;

/** Why this message is automated and must not be answered, or null for a person's mail. */
export function automatedReason(email: Email, envelopeFrom: string): string | null {
  const header = (name: string) =>
    email.headers
      .find((h) => h.key === name)
      ?.value.trim()
      .toLowerCase();
  const autoSubmitted = header("auto-submitted");
  if (autoSubmitted && autoSubmitted !== "no") return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = header("precedence");
  if (precedence && /^(bulk|junk|list|auto_reply)$/.test(precedence)) return `Precedence: ${precedence}`;
  const returnPath = header("return-path");
  if (returnPath !== undefined && /^<?\s*>?$/.test(returnPath)) return "empty Return-Path (a bounce)";
  if (envelopeFrom.trim() === "" || envelopeFrom.trim() === "<>") return "empty envelope sender (a bounce)";
  for (const name of ["x-autoreply", "x-autorespond", "x-auto-response-suppress", "list-id", "list-unsubscribe", "feedback-id"]) {
    if (header(name) !== undefined) return `${name} header`;
  }
  if ((header("content-type") ?? "").startsWith("multipart/report")) return "a delivery report";
  const from = email.from?.address ?? envelopeFrom;
  if (AUTOMATED_SENDERS.test(from)) return `automated sender ${from}`;
  return null;
}

function bareAddress(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

export async function handleInboundEmail(message: ForwardableEmailMessage, deps: InboundDeps): Promise<InboundOutcome> {
  if (message.rawSize > MAX_INBOUND_BYTES) {
    message.setReject("Message too large: NATO Digest accepts messages up to 1 MB.");
    return { action: "rejected", reason: "too large" };
  }
  let email: Email;
  try {
    email = await PostalMime.parse(message.raw, { maxNestingDepth: 20, maxHeadersSize: 64 * 1024 });
  } catch (error) {
    message.setReject("Message could not be parsed.");
    return { action: "rejected", reason: `unparseable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const automated = automatedReason(email, message.from);
  if (automated) return { action: "ignored", reason: automated };

  const sender = parseEmailAddress(email.from?.address ?? message.from);
  if (!sender.ok) return { action: "ignored", reason: "no usable sender address" };
  if (sender.address.toLowerCase() === bareAddress(deps.emailFrom).toLowerCase()) return { action: "ignored", reason: "mail from ourselves" };

  const command = parseCommand(email.subject, email.text);
  if (command === "subscribe") {
    const cadence = requestedCadence(email.subject, email.text);
    await subscribeAddress(deps, sender.address, "email", cadence ? { ...DEFAULT_PREFERENCES, cadence } : undefined);
    return { action: "subscribe", address: sender.address };
  }
  if (command === "unsubscribe") {
    await unsubscribeAddress(deps, sender.address);
    return { action: "unsubscribe", address: sender.address };
  }
  return { action: "help", address: sender.address, replied: await sendHelpOncePerDay(deps, sender.address, message.to) };
}

async function sendHelpOncePerDay(deps: InboundDeps, address: string, commandAddress: string): Promise<boolean> {
  const key = HELP_PREFIX + (await sha256Hex(address.toLowerCase())).slice(0, 32);
  if ((await deps.kv.get(key)) !== null) return false;
  // Marked before sending: a failed send costs one help reply, never a loop.
  await deps.kv.put(key, "1", { expirationTtl: HELP_INTERVAL_SECONDS });
  const rendered = await renderEmail(createElement(InboundHelpEmail, { signupUrl: `${deps.publicUrl}/`, commandAddress }));
  const day = deps.now().toISOString().slice(0, 10);
  const result = await deps.mailer.sendBatch(
    [
      {
        from: deps.emailFrom,
        to: address,
        subject: inboundHelpSubject,
        html: rendered.html,
        text: rendered.text,
        headers: { "Auto-Submitted": "auto-replied" },
        tags: [{ name: "kind", value: "help" }],
      },
    ],
    { idempotencyKey: `help-${key.slice(HELP_PREFIX.length)}-${day}` },
  );
  return result.status === "sent" || result.status === "already-sent";
}
