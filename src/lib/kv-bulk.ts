// Bulk reads from Workers KV: one `get` of up to 100 keys counts as one KV
// operation, so every store that reads many keys goes through here.
export const KV_BULK_GET_MAX = 100;

/** The values stored under these keys (absent keys are missing from the map): one bulk read per 100 keys, in order. */
export async function getBulk(kv: KVNamespace, keys: readonly string[]): Promise<Map<string, string>>;
export async function getBulk<T>(kv: KVNamespace, keys: readonly string[], type: "json"): Promise<Map<string, T>>;
export async function getBulk<T>(kv: KVNamespace, keys: readonly string[], type?: "json"): Promise<Map<string, T | string>> {
  const out = new Map<string, T | string>();
  for (let start = 0; start < keys.length; start += KV_BULK_GET_MAX) {
    const slice = keys.slice(start, start + KV_BULK_GET_MAX);
    const values: Map<string, T | string | null> = type === "json" ? await kv.get<T>(slice, "json") : await kv.get(slice);
    for (const key of slice) {
      const value = values.get(key);
      if (value != null) out.set(key, value);
    }
  }
  return out;
}
