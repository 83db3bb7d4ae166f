// Global caps on the confirmation mail that web and API sign-ups send
// (SIGNUP_MAX_MAILS_PER_HOUR, SIGNUP_MAX_MAILS_PER_DAY), so nobody holding
// many addresses or many networks can spend the quota the digest needs, or
// flood other people's inboxes. The per-client limit (SIGNUP_LIMITER) bounds
// one network; these bound everyone together. A ledger of the confirmations
// sent (mail-ledger.ts; times only, no addresses) is read on the answer path,
// before anything about the address is looked up, so the answer over a cap
// is the same for every address; the mail itself is reserved in the ledger
// after the answer, just before the sign-up would be stored and enqueued.
import { appendLedger, checkGlobalCaps, readLedger, type CapCheck, type GlobalCaps } from "./mail-ledger";

const SIGNUP_LEDGER = "v1:signup-ledger:";

/** Whether a sign-up may be taken now (read only: the answer path). */
export async function checkSignupCaps(kv: KVNamespace, caps: GlobalCaps, now: Date): Promise<CapCheck> {
  const ledger = await readLedger(kv, SIGNUP_LEDGER, now);
  return checkGlobalCaps(ledger.recent, caps, now);
}

/** Reserves one confirmation mail under the caps; false (send and store nothing) when full or when KV refused the write. */
export async function reserveSignupMail(kv: KVNamespace, caps: GlobalCaps, now: Date): Promise<boolean> {
  const ledger = await readLedger(kv, SIGNUP_LEDGER, now);
  if (!checkGlobalCaps(ledger.recent, caps, now).ok) return false;
  return appendLedger(kv, ledger, { at: now.getTime() });
}
