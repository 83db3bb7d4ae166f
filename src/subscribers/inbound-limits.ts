// Limits on the inbound-mail path, so mail to the command address cannot be
// used to mail other people or to spend the sending quota the digest needs.
//
// Two layers, because Workers KV is eventually consistent (a write can take
// up to 60 s to be seen elsewhere) and takes one write per second per key:
// - Bursts: Rate Limiting bindings (counted where the mail is handled, no KV):
//   INBOUND_SENDER_LIMITER caps messages per envelope sender and per domain
//   each minute; INBOUND_REPLY_LIMITER lets one mail per minute go to any one
//   address, which closes the race of several parallel messages all reading
//   "nothing sent yet" from KV.
// - Days and hours: one KV ledger per UTC day of the mails this path sent
//   (mail-ledger.ts), with keyed hashes instead of addresses. One read and
//   one write per mail sent decide: one mail per address per 24 h,
//   MAX_MAILS_PER_SENDER_PER_DAY per envelope sender,
//   MAX_MAILS_PER_DOMAIN_PER_DAY per domain, and the global hourly and daily
//   caps. Two parallel writers can lose one another's entry (the burst
//   limiters keep that to a few per minute); a failed ledger write (KV's
//   per-key limit in production) means the mail is not sent: fail closed.
// - Two budgets under the global caps: mail for senders whose domain
//   Cloudflare's verdict vouches for (verified) and for everyone else. A From:
//   is free to forge, so forged floods spend only the unverified budget, half
//   the caps; verified readers keep the full caps of their own. At worst the
//   path sends one and a half times the caps.
import { hmacSign, toBase64Url } from "../lib/crypto";
import { appendLedger, checkGlobalCaps, readLedger } from "./mail-ledger";

export const MAX_MAILS_PER_SENDER_PER_DAY = 3;
export const MAX_MAILS_PER_DOMAIN_PER_DAY = 10;
const LEDGER_PREFIX = "v1:inbound-ledger:";

export interface InboundLimitDeps {
  kv: KVNamespace;
  senderLimiter: RateLimit;
  replyLimiter: RateLimit;
  /** Keys the hashes kept in KV and given to the limiters, so they cannot be tested against guessed addresses. */
  secret: string;
  now: () => Date;
  maxMailsPerHour: number;
  maxMailsPerDay: number;
}

interface LedgerEntry {
  /** When the mail was reserved (ms since epoch). */
  at: number;
  /** Envelope sender, domains involved, recipient: keyed hashes. */
  sender: string;
  domains: string[];
  to: string;
  /** Which budget the mail was counted in (absent on entries from before budgets: unverified). */
  verified?: boolean;
}

export type LimitCheck = { ok: true } | { ok: false; reason: string };

async function keyedHash(secret: string, kind: string, value: string): Promise<string> {
  return toBase64Url(await hmacSign(secret, `inbound-limit:${kind}:${value.toLowerCase()}`)).slice(0, 22);
}

/** Per-minute burst check for every message that would be acted on: its envelope sender and its domains. */
export async function checkSenderBurst(deps: InboundLimitDeps, envelopeSender: string, domains: string[]): Promise<LimitCheck> {
  const sender = await deps.senderLimiter.limit({ key: `sender:${await keyedHash(deps.secret, "sender", envelopeSender)}` });
  if (!sender.success) return { ok: false, reason: "envelope sender over its per-minute limit" };
  for (const domain of new Set(domains.map((d) => d.toLowerCase()))) {
    const check = await deps.senderLimiter.limit({ key: `domain:${await keyedHash(deps.secret, "domain", domain)}` });
    if (!check.success) return { ok: false, reason: "domain over its per-minute limit" };
  }
  return { ok: true };
}

/** Reserves the right to send one mail to `recipient`; records it when granted. */
export async function reserveInboundMail(
  deps: InboundLimitDeps,
  request: { envelopeSender: string; domains: string[]; recipient: string; verified?: boolean },
): Promise<LimitCheck> {
  if (deps.maxMailsPerHour <= 0 || deps.maxMailsPerDay <= 0) return { ok: false, reason: "inbound replies are switched off" };
  const to = await keyedHash(deps.secret, "to", request.recipient);
  const burst = await deps.replyLimiter.limit({ key: `to:${to}` });
  if (!burst.success) return { ok: false, reason: "address already got an inbound mail this minute" };

  const now = deps.now();
  const ledger = await readLedger<LedgerEntry>(deps.kv, LEDGER_PREFIX, now);
  const recent = ledger.recent;
  const sender = await keyedHash(deps.secret, "sender", request.envelopeSender);
  const domains = [...new Set(await Promise.all(request.domains.map((domain) => keyedHash(deps.secret, "domain", domain))))];
  if (recent.some((entry) => entry.to === to)) return { ok: false, reason: "address already got an inbound mail in the last 24 h" };
  if (recent.filter((entry) => entry.sender === sender).length >= MAX_MAILS_PER_SENDER_PER_DAY)
    return { ok: false, reason: "envelope sender over its daily limit" };
  if (domains.some((domain) => recent.filter((entry) => entry.domains.includes(domain)).length >= MAX_MAILS_PER_DOMAIN_PER_DAY)) {
    return { ok: false, reason: "domain over its daily limit" };
  }
  const verified = request.verified === true;
  const budget = recent.filter((entry) => (entry.verified === true) === verified);
  const caps = verified
    ? { maxPerHour: deps.maxMailsPerHour, maxPerDay: deps.maxMailsPerDay }
    : { maxPerHour: Math.max(1, Math.floor(deps.maxMailsPerHour / 2)), maxPerDay: Math.max(1, Math.floor(deps.maxMailsPerDay / 2)) };
  const cap = checkGlobalCaps(budget, caps, now);
  if (!cap.ok) return { ok: false, reason: `${cap.reason} (${verified ? "verified" : "unverified"} senders)` };

  const entry: LedgerEntry = { at: now.getTime(), sender, domains, to, verified };
  if (!(await appendLedger(deps.kv, ledger, entry))) return { ok: false, reason: "could not record the mail (KV write refused)" };
  return { ok: true };
}
