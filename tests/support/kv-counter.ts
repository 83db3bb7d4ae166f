// A KV namespace that counts the operations it forwards, as Cloudflare bills
// and limits them: a bulk get of up to 100 keys counts once.
export interface KvCounts {
  reads: number;
  writes: number;
  lists: number;
  deletes: number;
}

const KIND: Record<string, keyof KvCounts> = { get: "reads", getWithMetadata: "reads", put: "writes", list: "lists", delete: "deletes" };

export function countingKv(inner: KVNamespace): { kv: KVNamespace; counts: KvCounts; operations: () => number } {
  const counts: KvCounts = { reads: 0, writes: 0, lists: 0, deletes: 0 };
  const kv = new Proxy(inner, {
    get(target, name) {
      const value = Reflect.get(target, name) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const kind = KIND[String(name)];
        if (kind) counts[kind]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv, counts, operations: () => counts.reads + counts.writes + counts.lists + counts.deletes };
}
