// The story index in KV: v1:story:<story key> → the versions of one story
// known so far ({en?, fr?}), so a translation that arrives hours (or runs)
// after its original finds it. Written only when a new release is stored;
// read in bulk (one KV operation per 100 keys), never per release.
import { sha256HexSync } from "../lib/crypto";
import type { StoryLang, StoryVersion } from "./story";
import { getBulk } from "../lib/kv-bulk";

const PREFIX = "v1:story:";
/** KV keys are capped at 512 bytes; long path keys are hashed. */
const MAX_PLAIN_KEY = 200;

export type StoryEntry = Partial<Record<StoryLang, StoryVersion>>;

function kvKey(storyKey: string): string {
  return PREFIX + (storyKey.length > MAX_PLAIN_KEY ? `h:${sha256HexSync(storyKey).slice(0, 32)}` : storyKey);
}

/** The entries of these story keys (absent keys are missing from the map): one bulk read per 100 keys. */
export async function getStories(kv: KVNamespace, storyKeys: string[]): Promise<Map<string, StoryEntry>> {
  const out = new Map<string, StoryEntry>();
  const unique = [...new Set(storyKeys)];
  const values = await getBulk<StoryEntry>(kv, unique.map(kvKey), "json");
  for (const storyKey of unique) {
    const value = values.get(kvKey(storyKey));
    if (value) out.set(storyKey, value);
  }
  return out;
}

export async function saveStory(kv: KVNamespace, storyKey: string, entry: StoryEntry): Promise<void> {
  // Stories outlive the digest window by far; a month covers any late translation.
  await kv.put(kvKey(storyKey), JSON.stringify(entry), { expirationTtl: 31 * 86_400 });
}
