// A KV namespace that counts the operations it forwards, as Cloudflare bills
// and limits them: a bulk get of up to 100 keys counts once.
export interface KvCounts {
  reads: number;
  writes: number;
  lists: number;
  deletes: number;
}

export function countingKv(kv: KVNamespace): { kv: KVNamespace; counts: KvCounts } {
  const counts: KvCounts = { reads: 0, writes: 0, lists: 0, deletes: 0 };
  const wrapped = {
    get: (...args: unknown[]) => {
      counts.reads++;
      return (kv.get as (...a: unknown[]) => unknown)(...args);
    },
    getWithMetadata: (...args: unknown[]) => {
      counts.reads++;
      return (kv.getWithMetadata as (...a: unknown[]) => unknown)(...args);
    },
    put: (...args: unknown[]) => {
      counts.writes++;
      return (kv.put as (...a: unknown[]) => unknown)(...args);
    },
    list: (...args: unknown[]) => {
      counts.lists++;
      return (kv.list as (...a: unknown[]) => unknown)(...args);
    },
    delete: (...args: unknown[]) => {
      counts.deletes++;
      return (kv.delete as (...a: unknown[]) => unknown)(...args);
    },
  };
  return { kv: wrapped as unknown as KVNamespace, counts };
}
