// Subscriber counts by status, live and as one small snapshot a day for the
// console's "confirmed readers per day" chart. Key owned here:
//   v1:stats:day:<yyyy-mm-dd>   the counts at the first hourly ingest of that
//                               UTC day, in the value and the list metadata
// One KV write a day (the hourly cron checks for today's key and writes it
// once), and one list call reads the last 30 days back.
import type { SubscriberStatus } from "./subscriber";
import { listSubscriberPage } from "./subscriber-store";

const PREFIX = "v1:stats:day:";
/** Keep a little more than the chart shows. */
const KEEP_DAYS = 120;

export type StatusCounts = Record<SubscriberStatus, number>;

export interface DailyCounts {
  day: string;
  counts: StatusCounts;
}

export function emptyCounts(): StatusCounts {
  return { unconfirmed: 0, confirmed: 0, unsubscribed: 0, suppressed: 0 };
}

/** Every subscriber by status, from list metadata: ⌈N/1000⌉ KV list calls, no reads. */
export async function countSubscribers(kv: KVNamespace): Promise<StatusCounts> {
  const counts = emptyCounts();
  let cursor: string | null = null;
  do {
    const page = await listSubscriberPage(kv, cursor);
    for (const { meta } of page.subscribers) if (meta.status in counts) counts[meta.status]++;
    cursor = page.cursor;
  } while (cursor);
  return counts;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Called by the hourly cron: writes today's snapshot if it is not there yet. Returns true when it wrote. */
export async function saveDailyCountsIfMissing(kv: KVNamespace, now: Date): Promise<boolean> {
  const key = PREFIX + dayOf(now);
  if ((await kv.get(key)) !== null) return false;
  const counts = await countSubscribers(kv);
  await kv.put(key, JSON.stringify(counts), { metadata: counts, expirationTtl: KEEP_DAYS * 86_400 });
  return true;
}

/** Snapshots of the last `days` UTC days up to today, oldest first, from one list call. Days without a snapshot are left out. */
export async function listDailyCounts(kv: KVNamespace, now: Date, days: number): Promise<DailyCounts[]> {
  const from = dayOf(new Date(now.getTime() - (days - 1) * 86_400_000));
  const out: DailyCounts[] = [];
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<StatusCounts> = await kv.list<StatusCounts>({ prefix: PREFIX, cursor });
    for (const key of page.keys) {
      const day = key.name.slice(PREFIX.length);
      if (key.metadata && day >= from && day <= dayOf(now)) out.push({ day, counts: { ...emptyCounts(), ...key.metadata } });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out.sort((a, b) => (a.day < b.day ? -1 : 1));
}
