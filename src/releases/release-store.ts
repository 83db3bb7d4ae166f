// Releases in KV. Each release lives under v1:release:<yyyy-mm-dd>:<id>,
// keyed by the UTC day it was first seen, so a digest lists only the days
// since the last one (KV list has prefixes, not ranges). The list metadata
// carries what selection needs, so choosing a digest costs list calls only.
// v1:release-id:<id> points at the day key, for deduplication across
// sources and days.
import type { Release } from "./release";
import { getBulk } from "../lib/kv-bulk";

const PREFIX = "v1:release:";
const ID_PREFIX = "v1:release-id:";
/** KV metadata is capped at 1024 bytes: keep it small. */
const META_TITLE_LENGTH = 120;

export interface StoredRelease extends Release {
  /** Queued for a digest. False for what a source's first ingest only marked as seen. */
  eligible: boolean;
}

export interface ReleaseMeta {
  firstSeenAt: string;
  publishedAt: string;
  eligible: boolean;
  title: string;
}

export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}

export function releaseKey(release: Pick<Release, "id" | "firstSeenAt">): string {
  return `${PREFIX}${dayOf(release.firstSeenAt)}:${release.id}`;
}

export async function hasRelease(kv: KVNamespace, id: string): Promise<boolean> {
  return (await kv.get(ID_PREFIX + id)) !== null;
}

/** Which of these ids are already stored (from any source): one bulk read per 100 ids. */
export async function listKnownReleaseIds(kv: KVNamespace, ids: string[]): Promise<Set<string>> {
  const values = await getBulk(
    kv,
    ids.map((id) => ID_PREFIX + id),
  );
  return new Set(ids.filter((id) => values.has(ID_PREFIX + id)));
}

/** The stored releases behind these ids: two bulk reads per 100 (the id pointers, then the records). */
export async function getReleasesByIds(kv: KVNamespace, ids: string[]): Promise<StoredRelease[]> {
  const pointers = await getBulk(
    kv,
    ids.map((id) => ID_PREFIX + id),
  );
  const keys: string[] = [];
  for (const id of ids) {
    const key = pointers.get(ID_PREFIX + id);
    if (key) keys.push(key);
  }
  return getReleases(kv, keys);
}

export async function saveRelease(kv: KVNamespace, release: StoredRelease): Promise<void> {
  await updateRelease(kv, release);
  await kv.put(ID_PREFIX + release.id, releaseKey(release));
}

/** Rewrites a stored release's record (NATO revised it); its key and id pointer stay. */
export async function updateRelease(kv: KVNamespace, release: StoredRelease): Promise<void> {
  const key = releaseKey(release);
  const metadata: ReleaseMeta = {
    firstSeenAt: release.firstSeenAt,
    publishedAt: release.publishedAt,
    eligible: release.eligible,
    title: release.title.slice(0, META_TITLE_LENGTH),
  };
  await kv.put(key, JSON.stringify(release), { metadata });
}

export async function getReleases(kv: KVNamespace, keys: string[]): Promise<StoredRelease[]> {
  const values = await getBulk<StoredRelease>(kv, keys, "json");
  return keys.flatMap((key) => values.get(key) ?? []);
}

export interface ListedRelease {
  key: string;
  meta: ReleaseMeta;
}

/** Lists every release first seen on the UTC days from `from` to `to`, inclusive. */
export async function listReleaseKeys(kv: KVNamespace, from: Date, to: Date): Promise<ListedRelease[]> {
  const out: ListedRelease[] = [];
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  for (; day.getTime() <= to.getTime(); day.setUTCDate(day.getUTCDate() + 1)) {
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<ReleaseMeta> = await kv.list<ReleaseMeta>({
        prefix: `${PREFIX}${day.toISOString().slice(0, 10)}:`,
        cursor,
      });
      for (const key of page.keys) if (key.metadata) out.push({ key: key.name, meta: key.metadata });
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }
  return out;
}

/** Newest first by publication date, looking back `days` days of first-seen keys. */
export async function listRecentReleases(kv: KVNamespace, now: Date, days: number, limit: number): Promise<StoredRelease[]> {
  const from = new Date(now.getTime() - days * 86_400_000);
  const listed = await listReleaseKeys(kv, from, now);
  listed.sort((a, b) => (a.meta.publishedAt < b.meta.publishedAt ? 1 : a.meta.publishedAt > b.meta.publishedAt ? -1 : 0));
  return getReleases(
    kv,
    listed.slice(0, limit).map((entry) => entry.key),
  );
}
