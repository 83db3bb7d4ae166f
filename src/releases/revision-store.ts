// Revisions in KV: v1:revision:<yyyy-mm-dd>:<release id>, keyed by the UTC
// day NATO's change was seen, so a digest lists only the days since its last
// one (as releases do). The value says what readers were sent and what the
// release says now; the release record itself is updated at the same time,
// while past digests keep what they rendered.
import type { StoryLang } from "./story";
import { getBulk } from "../lib/kv-bulk";

const PREFIX = "v1:revision:";

export interface Revision {
  releaseId: string;
  revisedAt: string;
  /** The release as it reads now. */
  title: string;
  summary: string;
  link: string;
  publishedAt: string;
  sourceUrl: string;
  firstSeenAt: string;
  lang?: StoryLang | null;
  storyKey?: string;
  /** What it said before this change. */
  previousTitle: string;
  previousSummary: string;
  /** Whether the story had a version in the other language when revised. */
  translated: boolean;
}

export interface RevisionMeta {
  revisedAt: string;
  firstSeenAt: string;
}

export async function saveRevision(kv: KVNamespace, revision: Revision): Promise<void> {
  const metadata: RevisionMeta = { revisedAt: revision.revisedAt, firstSeenAt: revision.firstSeenAt };
  // Kept a month: long past any digest window.
  await kv.put(`${PREFIX}${revision.revisedAt.slice(0, 10)}:${revision.releaseId}`, JSON.stringify(revision), { metadata, expirationTtl: 31 * 86_400 });
}

/** Revisions seen after `since` (up to `now`) of releases first seen at or before `since`: the ones readers were mailed. */
export async function listRevisionsSince(kv: KVNamespace, since: Date, now: Date): Promise<Revision[]> {
  const keys: string[] = [];
  const day = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
  for (; day.getTime() <= now.getTime(); day.setUTCDate(day.getUTCDate() + 1)) {
    let cursor: string | undefined;
    do {
      const page: KVNamespaceListResult<RevisionMeta> = await kv.list<RevisionMeta>({ prefix: `${PREFIX}${day.toISOString().slice(0, 10)}:`, cursor });
      for (const key of page.keys) {
        const meta = key.metadata;
        if (!meta) continue;
        const revised = Date.parse(meta.revisedAt);
        if (revised > since.getTime() && revised <= now.getTime() && Date.parse(meta.firstSeenAt) <= since.getTime()) keys.push(key.name);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
  }
  const values = await getBulk<Revision>(kv, keys, "json");
  return keys.flatMap((key) => values.get(key) ?? []);
}
