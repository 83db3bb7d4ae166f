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
// - Days and hours: one KV ledger per UTC day of the mails this path sent,
//   with keyed hashes instead of addresses. One read (today and yesterday in
//   a single bulk get) and one write per mail sent decide: one mail per
//   address per 24 h, MAX_MAILS_PER_SENDER_PER_DAY per envelope sender,
//   MAX_MAILS_PER_DOMAIN_PER_DAY per domain, and the global hourly and daily
//   caps. Two parallel writers can lose one another's entry (the burst
//   limiters keep that to a few per minute); a failed ledger write (KV's
//   per-key limit in production) means the mail is not sent: fail closed.
import { hmacSign, toBase64Url } from "../lib/crypto";

export const MAX_MAILS_PER_SENDER_PER_DAY = 3;
export const MAX_MAILS_PER_DOMAIN_PER_DAY = 10;
const LEDGER_PREFIX = "v1:inbound-ledger:";
const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

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
}

export type LimitCheck = { ok: true } | { ok: false; reason: string };

async function keyedHash(secret: string, kind: string, value: string): Promise<string> {
  return toBase64Url(await hmacSign(secret, `inbound-limit:${kind}:${value.toLowerCase()}`)).slice(0, 22);
}

function ledgerKey(day: Date): string {
  return LEDGER_PREFIX + day.toISOString().slice(0, 10);
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
  request: { envelopeSender: string; domains: string[]; recipient: string },
): Promise<LimitCheck> {
  if (deps.maxMailsPerHour <= 0 || deps.maxMailsPerDay <= 0) return { ok: false, reason: "inbound replies are switched off" };
  const to = await keyedHash(deps.secret, "to", request.recipient);
  const burst = await deps.replyLimiter.limit({ key: `to:${to}` });
  if (!burst.success) return { ok: false, reason: "address already got an inbound mail this minute" };

  const now = deps.now();
  const todayKey = ledgerKey(now);
  const stored = await deps.kv.get<LedgerEntry[]>([ledgerKey(new Date(now.getTime() - DAY_MS)), todayKey], "json");
  const today = stored.get(todayKey) ?? [];
  const recent = [...(stored.get(ledgerKey(new Date(now.getTime() - DAY_MS))) ?? []), ...today].filter((entry) => entry.at > now.getTime() - DAY_MS);

  const sender = await keyedHash(deps.secret, "sender", request.envelopeSender);
  const domains = [...new Set(await Promise.all(request.domains.map((domain) => keyedHash(deps.secret, "domain", domain))))];
  if (recent.some((entry) => entry.to === to)) return { ok: false, reason: "address already got an inbound mail in the last 24 h" };
  if (recent.filter((entry) => entry.sender === sender).length >= MAX_MAILS_PER_SENDER_PER_DAY)
    return { ok: false, reason: "envelope sender over its daily limit" };
  if (domains.some((domain) => recent.filter((entry) => entry.domains.includes(domain)).length >= MAX_MAILS_PER_DOMAIN_PER_DAY)) {
    return { ok: false, reason: "domain over its daily limit" };
  }
  if (recent.filter((entry) => entry.at > now.getTime() - HOUR_MS).length >= deps.maxMailsPerHour) return { ok: false, reason: "global hourly cap reached" };
  if (recent.length >= deps.maxMailsPerDay) return { ok: false, reason: "global daily cap reached" };

  try {
    // Kept two days: the rolling 24-hour window reads yesterday's ledger too.
    await deps.kv.put(todayKey, JSON.stringify([...today, { at: now.getTime(), sender, domains, to } satisfies LedgerEntry]), { expirationTtl: 3 * 24 * 3600 });
  } catch {
    return { ok: false, reason: "could not record the mail (KV write refused)" };
  }
  return { ok: true };
}
