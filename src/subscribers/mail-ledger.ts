// Global ledgers of mail sent on a path that strangers can trigger (inbound
// commands, web and API sign-ups), so such mail cannot spend the sending
// quota the digest needs. One KV value per UTC day per ledger holds the
// day's entries (times and keyed hashes, never addresses); one bulk read of
// today and yesterday gives the rolling hour and 24 hours, one write records
// a mail. KV is eventually consistent and takes one write per second per
// key: two parallel writers can lose one another's entry, and a refused
// write means the mail is not sent (fail closed).

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

export interface LedgerEntry {
  /** When the mail was reserved (ms since epoch). */
  at: number;
}

export interface LedgerRead<E extends LedgerEntry> {
  /** Entries of the last 24 hours. */
  recent: E[];
  /** Today's stored entries, the value a new entry is appended to. */
  today: E[];
  todayKey: string;
}

export interface GlobalCaps {
  maxPerHour: number;
  maxPerDay: number;
}

export type CapCheck = { ok: true } | { ok: false; reason: "global hourly cap reached" | "global daily cap reached"; retryAfterSeconds: number };

function ledgerKey(prefix: string, day: Date): string {
  return prefix + day.toISOString().slice(0, 10);
}

/** Today's and yesterday's entries in one bulk read. */
export async function readLedger<E extends LedgerEntry>(kv: KVNamespace, prefix: string, now: Date): Promise<LedgerRead<E>> {
  const todayKey = ledgerKey(prefix, now);
  const yesterdayKey = ledgerKey(prefix, new Date(now.getTime() - DAY_MS));
  const stored = await kv.get<E[]>([yesterdayKey, todayKey], "json");
  const today = stored.get(todayKey) ?? [];
  const recent = [...(stored.get(yesterdayKey) ?? []), ...today].filter((entry) => entry.at > now.getTime() - DAY_MS);
  return { recent, today, todayKey };
}

/**
 * Whether one more mail fits the hourly and daily caps, counting `entries`
 * (of the last 24 hours); when not, how long until one does. A cap of 0
 * means the path sends nothing.
 */
export function checkGlobalCaps(entries: LedgerEntry[], caps: GlobalCaps, now: Date): CapCheck {
  const t = now.getTime();
  const lastHour = entries.filter((entry) => entry.at > t - HOUR_MS).sort((a, b) => a.at - b.at);
  if (lastHour.length >= caps.maxPerHour) {
    const freeing = lastHour[lastHour.length - caps.maxPerHour];
    return { ok: false, reason: "global hourly cap reached", retryAfterSeconds: secondsUntil(freeing ? freeing.at + HOUR_MS : t + HOUR_MS, t) };
  }
  if (entries.length >= caps.maxPerDay) {
    const sorted = [...entries].sort((a, b) => a.at - b.at);
    const freeing = sorted[sorted.length - caps.maxPerDay];
    return { ok: false, reason: "global daily cap reached", retryAfterSeconds: secondsUntil(freeing ? freeing.at + DAY_MS : t + DAY_MS, t) };
  }
  return { ok: true };
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** Appends an entry to today's value (kept three days: the rolling window reads yesterday's too). False if KV refused the write. */
export async function appendLedger<E extends LedgerEntry>(kv: KVNamespace, read: LedgerRead<E>, entry: E): Promise<boolean> {
  try {
    await kv.put(read.todayKey, JSON.stringify([...read.today, entry]), { expirationTtl: 3 * 24 * 3600 });
    return true;
  } catch {
    return false;
  }
}
