// Per-source state in KV under v1:source:<hash of url>: conditional-GET
// validators, the ids seen recently (so a steady feed costs no release
// reads), and health for /admin/status and alerts.
import { sha256Hex } from "../lib/crypto";

const PREFIX = "v1:source:";
/** Enough to cover any real feed's window several times over. */
export const MAX_SEEN_IDS = 2000;

export interface SourceState {
  url: string;
  /** The feed's own title as plain text, from the last successful parse; null when it has none (or in records older than this field). */
  title: string | null;
  /** The feed's language as it declares it (RSS `<language>`, Atom `xml:lang`, JSON Feed `language`), e.g. "fr" or "en-GB"; null when undeclared. */
  language: string | null;
  etag: string | null;
  lastModified: string | null;
  /** Newest first, at most MAX_SEEN_IDS. Empty before the first successful parse. */
  seenIds: string[];
  initialisedAt: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  lastError: string | null;
  lastStatus: number | null;
  itemsInFeed: number;
  lastNewCount: number;
  alertSentAt: string | null;
  /** Release id → fingerprint of its title and summary (releases/revision.ts), for the items in the last document; absent in older records. */
  fingerprints?: Record<string, string>;
}

export function createSourceState(url: string): SourceState {
  return {
    url,
    title: null,
    language: null,
    etag: null,
    lastModified: null,
    seenIds: [],
    initialisedAt: null,
    lastAttemptAt: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    failingSince: null,
    lastError: null,
    lastStatus: null,
    itemsInFeed: 0,
    lastNewCount: 0,
    alertSentAt: null,
  };
}

async function sourceKey(url: string): Promise<string> {
  return PREFIX + (await sha256Hex(url)).slice(0, 24);
}

export async function getSource(kv: KVNamespace, url: string): Promise<SourceState | null> {
  const stored = await kv.get<SourceState>(await sourceKey(url), "json");
  return stored ? { ...createSourceState(url), ...stored } : null;
}

export async function saveSource(kv: KVNamespace, state: SourceState): Promise<void> {
  await kv.put(await sourceKey(state.url), JSON.stringify(state));
}

export async function listSources(kv: KVNamespace, urls: string[]): Promise<SourceState[]> {
  const keys = await Promise.all(urls.map(sourceKey));
  if (keys.length === 0) return [];
  const values = await kv.get<SourceState>(keys, "json");
  return urls.map((url, index) => {
    const stored = values.get(keys[index]!);
    return stored ? { ...createSourceState(url), ...stored } : createSourceState(url);
  });
}
