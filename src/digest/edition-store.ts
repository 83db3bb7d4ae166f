// Editions in KV: the rendered email of one group of readers of a run (same
// language, topics and feeds), under v1:digest:<runId>-e<n>. Written once,
// before the run's record, never changed; read by the consumer (the
// content it personalises) and by /digests/<runId>-e<n> (the "view in
// browser" link of its readers). Written without list metadata, so the
// archive, which lists runs, never lists an edition.
// Editions stored before this type existed are shaped like a run's record
// (DigestRecord); getEdition reads both shapes.
import type { DigestRelease } from "../../emails/release-digest";
import type { Cadence, Lang } from "../subscribers/preferences";
import type { StoredDigestContent } from "./render-digest";
import { getBulk } from "../lib/kv-bulk";

const DIGEST = "v1:digest:";
const ID = /^[0-9a-z-]{1,64}$/;

export interface EditionRecord {
  kind: "edition";
  /** `<runId>-e<index>`: its web view is /digests/<id>. */
  id: string;
  runId: string;
  index: number;
  createdAt: string;
  cadence: Cadence;
  lang: Lang;
  /** The readers' topics: shown in their email, never on a public page. */
  topics: string[];
  /** Feed ids this edition draws from (empty when no feeds are known). */
  sources: string[];
  releases: DigestRelease[];
  recipientCount: number;
  subject: string;
  preheader: string;
  content: StoredDigestContent;
}

export function editionDigestId(runId: string, index: number): string {
  return `${runId}-e${index}`;
}

/** An edition as stored before EditionRecord (a DigestRecord without runs' fields being used). */
interface LegacyEditionRecord {
  id: string;
  createdAt: string;
  cadence?: Cadence;
  subject: string;
  preheader: string;
  releases: DigestRelease[];
  recipientCount: number;
  content: StoredDigestContent;
}

function fromStored(value: EditionRecord | LegacyEditionRecord): EditionRecord {
  if ((value as EditionRecord).kind === "edition") return value as EditionRecord;
  const legacy = value as LegacyEditionRecord;
  const match = /^(.*)-e(\d+)$/.exec(legacy.id);
  const content = legacy.content as { lang?: Lang };
  return {
    kind: "edition",
    id: legacy.id,
    runId: match ? match[1]! : legacy.id,
    index: match ? Number(match[2]) : 0,
    createdAt: legacy.createdAt,
    cadence: legacy.cadence ?? "daily",
    lang: content.lang ?? "en",
    topics: [],
    sources: [],
    releases: legacy.releases,
    recipientCount: legacy.recipientCount,
    subject: legacy.subject,
    preheader: legacy.preheader,
    content: legacy.content,
  };
}

export async function saveEdition(kv: KVNamespace, record: EditionRecord): Promise<void> {
  await kv.put(DIGEST + record.id, JSON.stringify(record));
}

/** One edition; null when there is none (or the key holds a run's record). */
export async function getEdition(kv: KVNamespace, id: string): Promise<EditionRecord | null> {
  if (!ID.test(id)) return null;
  const value = await kv.get<EditionRecord | LegacyEditionRecord>(DIGEST + id, "json");
  return value && isEditionShaped(value) ? fromStored(value) : null;
}

/** Several editions in one bulk read per 100 ids. */
export async function getEditions(kv: KVNamespace, ids: string[]): Promise<Map<string, EditionRecord>> {
  const out = new Map<string, EditionRecord>();
  const valid = ids.filter((id) => ID.test(id));
  const values = await getBulk<EditionRecord | LegacyEditionRecord>(
    kv,
    valid.map((id) => DIGEST + id),
    "json",
  );
  for (const id of valid) {
    const value = values.get(DIGEST + id);
    if (value && isEditionShaped(value)) out.set(id, fromStored(value));
  }
  return out;
}

/** A run's record lists its editions; an edition (old or new) never does. */
function isEditionShaped(value: object): boolean {
  return (value as EditionRecord).kind === "edition" || !("editions" in value);
}
