// Subscribe and unsubscribe by email (Cloudflare Email Routing → email()).
// The message is parsed with postal-mime; the command is "subscribe" or
// "unsubscribe" as the subject or the first line of the body, acting on the
// address in the From: header.
//
// A From: header is easy to forge, so a message changes a subscription by
// itself only when Cloudflare's own verdict (the topmost
// Authentication-Results, see authentication-results.ts) vouches for its
// domain. Otherwise the sender gets at most a link that does the action:
// - subscribe: always double opt-in, verified or not: the normal confirmation.
// - unsubscribe, verified: done at once, nothing sent.
// - unsubscribe, not verified: a reply with the reader's unsubscribe page.
// - anything else, verified: one help reply; not verified: nothing (no backscatter).
// Every mail this path sends passes inbound-limits.ts (per sender, per
// domain, global caps in two budgets by verdict, one per address per day).
// An unsubscribe, verified or not, is acted on after the SMTP answer
// (deps.defer): the lookup, the budget, the render and the send happen for
// current readers only, and the answer path must do the same work for every
// address, or its timing would tell who reads the digest. Automated mail (bounces,
// auto-replies, lists) is never answered, so no mail loop can start here.
// Outcomes carry fixed reasons and never an address: index.ts logs them.
import PostalMime, { addressParser, type Email } from "postal-mime";
import { createElement } from "react";
import { InboundHelpEmail, inboundHelpSubject } from "../../emails/inbound-help";
import { InboundUnsubscribeEmail, inboundUnsubscribeSubject } from "../../emails/inbound-unsubscribe";
import { hmacSign, toBase64Url } from "../lib/crypto";
import type { Mailer, OutgoingEmail } from "../mail/mailer";
import { renderEmail } from "../mail/render";
import { parseEmailAddress } from "./address";
import { hasHeaderSafeEnvelope, readSenderVerdict, type SenderVerdict } from "./authentication-results";
import { checkSenderBurst, reserveInboundMail, type InboundLimitDeps } from "./inbound-limits";
import { DEFAULT_PREFERENCES } from "./preferences";
import { subscribeAddress, unsubscribeAddress, type SubscriptionDeps } from "./service";
import { generationOf } from "./subscriber";
import { getSubscriber, subscriberIdFor } from "./subscriber-store";
import { createPersonalToken } from "./tokens";

export const MAX_INBOUND_BYTES = 1024 * 1024;

export type InboundCommandName = "subscribe" | "unsubscribe" | "unknown";

export interface InboundCommand {
  command: InboundCommandName;
  /** The words after the command, lower-cased ("subscribe weekly" → ["weekly"]). */
  args: string[];
}

export type InboundOutcome =
  | { action: "rejected"; reason: string }
  | { action: "ignored"; reason: string }
  | { action: "limited"; command: InboundCommandName; reason: string }
  | { action: "subscribe"; verified: boolean }
  | { action: "unsubscribe"; verified: boolean; deferred: true }
  | { action: "help"; replied: boolean };

export interface InboundDeps extends SubscriptionDeps {
  mailer: Mailer;
  emailFrom: string;
  publicUrl: string;
  limits: Omit<InboundLimitDeps, "kv" | "now" | "secret">;
  /** Runs work after the answer (the Worker's ctx.waitUntil). */
  defer: (work: Promise<unknown>) => void;
}

const COMMAND_LINE = /^\W*(subscribe|unsubscribe)\b(.*)$/i;

function commandIn(line: string): InboundCommand | null {
  const match = COMMAND_LINE.exec(line.trim());
  if (!match) return null;
  const args = match[2]!
    .toLowerCase()
    .split(/[^\p{L}\p{N}_-]+/u)
    .filter(Boolean);
  return { command: match[1]!.toLowerCase() as InboundCommandName, args };
}

/** The command and its argument words in the subject, else in the first non-empty, non-quoted line of the text. */
export function parseCommand(subject: string | undefined, text: string | undefined): InboundCommand {
  const fromSubject = commandIn(subject ?? "");
  if (fromSubject) return fromSubject;
  const firstLine = (text ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith(">"));
  return commandIn(firstLine ?? "") ?? { command: "unknown", args: [] };
}

const AUTOMATED_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|daemon)([+@.-]|$)/i;

/** Why this message is automated and must not be answered, or null for a person's mail. Never names an address. */
export function automatedReason(email: Email, envelopeFrom: string): string | null {
  const header = (name: string) =>
    email.headers
      .find((h) => h.key === name)
      ?.value.trim()
      .toLowerCase();
  const autoSubmitted = header("auto-submitted");
  if (autoSubmitted && autoSubmitted !== "no") return "Auto-Submitted header";
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
  if (AUTOMATED_SENDERS.test(from)) return "automated sender name";
  return null;
}

function bareAddress(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** The single mailbox of the message's single From: header, or null (several From: headers are a known way to fool DMARC checks). */
function singleFromAddress(email: Email): string | null {
  const fromHeaders = email.headers.filter((h) => h.key === "from");
  if (fromHeaders.length !== 1) return null;
  const mailboxes = addressParser(fromHeaders[0]!.value);
  const [mailbox] = mailboxes;
  if (mailboxes.length !== 1 || !mailbox || ("group" in mailbox && mailbox.group) || !mailbox.address) return null;
  return mailbox.address;
}

const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>$/;

/** In-Reply-To and References for a reply (RFC 5322 §3.6.4), from well-formed ids only. */
export function buildReplyHeaders(email: Pick<Email, "messageId" | "references">): Record<string, string> {
  const messageId = email.messageId?.trim();
  if (!messageId || !MESSAGE_ID.test(messageId)) return {};
  const earlier = (email.references ?? "")
    .split(/\s+/)
    .filter((id) => MESSAGE_ID.test(id))
    .slice(-10);
  return { "In-Reply-To": messageId, References: [...earlier, messageId].join(" ") };
}

export async function handleInboundEmail(message: ForwardableEmailMessage, deps: InboundDeps): Promise<InboundOutcome> {
  if (message.rawSize > MAX_INBOUND_BYTES) {
    message.setReject("Message too large: NATO Digest accepts messages up to 1 MB.");
    return { action: "rejected", reason: "too large" };
  }
  let email: Email;
  try {
    email = await PostalMime.parse(message.raw, { maxNestingDepth: 20, maxHeadersSize: 64 * 1024 });
  } catch {
    message.setReject("Message could not be parsed.");
    return { action: "rejected", reason: "unparseable" };
  }
  const automated = automatedReason(email, message.from);
  if (automated) return { action: "ignored", reason: automated };

  const fromAddress = singleFromAddress(email);
  if (fromAddress === null) return { action: "ignored", reason: "not exactly one From: address" };
  const sender = parseEmailAddress(fromAddress);
  if (!sender.ok) return { action: "ignored", reason: "no usable sender address" };
  if (sender.address.toLowerCase() === bareAddress(deps.emailFrom).toLowerCase()) return { action: "ignored", reason: "mail from ourselves" };

  const limitDeps: InboundLimitDeps = { ...deps.limits, kv: deps.kv, now: deps.now, secret: deps.signingSecret };
  const envelopeSender = bareAddress(message.from);
  const domains = [domainOf(sender.address), domainOf(envelopeSender)];
  const { command, args } = parseCommand(email.subject, email.text);
  const burst = await checkSenderBurst(limitDeps, envelopeSender, domains);
  if (!burst.ok) return { action: "limited", command, reason: burst.reason };

  const verdict: SenderVerdict = hasHeaderSafeEnvelope(envelopeSender)
    ? readSenderVerdict(email.headers, domainOf(sender.address))
    : { authenticated: false, reason: "envelope sender could rewrite the Authentication-Results header" };
  const reserve = () => reserveInboundMail(limitDeps, { envelopeSender, domains, recipient: sender.address, verified: verdict.authenticated });
  // "subscribe weekly" / "subscribe daily" choose the edition; any other argument gets the help reply.
  const cadence = command === "subscribe" && args.length === 1 && (args[0] === "weekly" || args[0] === "daily") ? args[0] : null;
  const known = args.length === 0 || cadence ? command : "unknown";

  if (known === "subscribe") {
    const budget = await reserve();
    if (!budget.ok) return { action: "limited", command, reason: budget.reason };
    await subscribeAddress(deps, sender.address, "email", cadence ? { ...DEFAULT_PREFERENCES, cadence } : undefined);
    return { action: "subscribe", verified: verdict.authenticated };
  }
  if (known === "unsubscribe") {
    // Started once the answer has gone (a macrotask later), so the answer path is the same for every address.
    const after = new Promise((resolve) => setTimeout(resolve, 0)).then(() => actOnUnsubscribe(deps, email, sender.address, verdict.authenticated, reserve));
    deps.defer(after.catch((error) => console.error("inbound unsubscribe failed after the answer:", error instanceof Error ? error.message : String(error))));
    return { action: "unsubscribe", verified: verdict.authenticated, deferred: true };
  }
  if (!verdict.authenticated) return { action: "ignored", reason: `help not sent: ${verdict.reason}` };
  const budget = await reserve();
  if (!budget.ok) return { action: "limited", command: known, reason: budget.reason };
  const rendered = await renderEmail(createElement(InboundHelpEmail, { signupUrl: `${deps.publicUrl}/`, commandAddress: message.to }));
  return { action: "help", replied: await sendReply(deps, email, sender.address, "help", inboundHelpSubject, rendered) };
}

/**
 * After the answer: a verified unsubscribe is done at once; otherwise only a
 * current reader has something to undo, and gets a link that does it (the
 * reply goes to the address itself, so nobody else learns anything).
 */
async function actOnUnsubscribe(deps: InboundDeps, email: Email, address: string, verified: boolean, reserve: () => Promise<{ ok: boolean }>): Promise<void> {
  if (verified) {
    await unsubscribeAddress(deps, address);
    return;
  }
  const existing = await getSubscriber(deps.kv, await subscriberIdFor(address));
  if (!existing || (existing.status !== "confirmed" && existing.status !== "unconfirmed")) return;
  if (!(await reserve()).ok) return;
  const token = existing.personalToken ?? createPersonalToken(deps.signingSecret, existing.id, generationOf(existing));
  const rendered = await renderEmail(createElement(InboundUnsubscribeEmail, { unsubscribeUrl: `${deps.publicUrl}/unsubscribe?token=${token}` }));
  await sendReply(deps, email, address, "unsubscribe-link", inboundUnsubscribeSubject, rendered);
}

async function sendReply(
  deps: InboundDeps,
  incoming: Email,
  to: string,
  kind: "help" | "unsubscribe-link",
  subject: string,
  rendered: { html: string; text: string },
): Promise<boolean> {
  const email: OutgoingEmail = {
    from: deps.emailFrom,
    to,
    subject,
    html: rendered.html,
    text: rendered.text,
    headers: { "Auto-Submitted": "auto-replied", ...buildReplyHeaders(incoming) },
    tags: [{ name: "kind", value: kind }],
  };
  const day = deps.now().toISOString().slice(0, 10);
  const recipient = toBase64Url(await hmacSign(deps.signingSecret, `inbound-reply:${to.toLowerCase()}`)).slice(0, 22);
  const result = await deps.mailer.sendBatch([email], { idempotencyKey: `${kind}-${recipient}-${day}` });
  return result.status === "sent" || result.status === "already-sent";
}
