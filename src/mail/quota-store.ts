// A pause on sending after the provider reported its daily or monthly quota
// as spent (v1:state:mail-quota). Batches that meet the pause are deferred
// without calling Resend; the next digest run sends them.
const KEY = "v1:state:mail-quota";

export interface QuotaPause {
  until: string;
  reason: string;
}

export async function getQuotaPause(kv: KVNamespace, now: Date): Promise<QuotaPause | null> {
  const pause = await kv.get<QuotaPause>(KEY, "json");
  return pause && Date.parse(pause.until) > now.getTime() ? pause : null;
}

/** Quotas reset at the start of a UTC day: pause until then. */
export async function pauseForQuota(kv: KVNamespace, now: Date, reason: string): Promise<QuotaPause> {
  const until = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const pause = { until: until.toISOString(), reason };
  await kv.put(KEY, JSON.stringify(pause), { expirationTtl: Math.max(60, Math.ceil((until.getTime() - now.getTime()) / 1000) + 60) });
  return pause;
}

export async function clearQuotaPause(kv: KVNamespace): Promise<void> {
  await kv.delete(KEY);
}

/**
 * A manual send (console, or POST /admin/digest without dryRun) lifts the
 * pause and tries again: the operator may have raised the quota. The first
 * batch that still meets a quota error sets the pause again
 * (send-digest-batch.ts); the crons never lift it. Returns what was lifted.
 */
export async function liftQuotaPause(kv: KVNamespace, now: Date): Promise<QuotaPause | null> {
  const pause = await getQuotaPause(kv, now);
  if (pause) await clearQuotaPause(kv);
  return pause;
}
