// Subscribers in KV under v1:sub:<id>, id = SHA-256 of the case-folded
// address, so signing up again finds the same record. The list metadata
// carries {status, email}: one list() call returns up to 1,000 subscribers
// ready to send to, with no read per subscriber.
import { sha256Hex } from "../lib/crypto";
import { identityOf } from "./address";
import type { Subscriber, SubscriberStatus } from "./subscriber";

const PREFIX = "v1:sub:";

export interface SubscriberMeta {
  status: SubscriberStatus;
  email: string;
}

export async function subscriberIdFor(address: string): Promise<string> {
  return (await sha256Hex(`subscriber:${identityOf(address)}`)).slice(0, 32);
}

export function subscriberKey(id: string): string {
  return PREFIX + id;
}

export async function getSubscriber(kv: KVNamespace, id: string): Promise<Subscriber | null> {
  return kv.get<Subscriber>(subscriberKey(id), "json");
}

export async function saveSubscriber(kv: KVNamespace, subscriber: Subscriber): Promise<void> {
  const metadata: SubscriberMeta = { status: subscriber.status, email: subscriber.email };
  await kv.put(subscriberKey(subscriber.id), JSON.stringify(subscriber), { metadata });
}

export async function deleteSubscriber(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(subscriberKey(id));
}

/** Current status of up to 100 subscribers in one bulk read (value + metadata). */
export async function getSubscriberStatuses(kv: KVNamespace, ids: string[]): Promise<Map<string, SubscriberMeta | null>> {
  const out = new Map<string, SubscriberMeta | null>();
  for (let start = 0; start < ids.length; start += 100) {
    const keys = ids.slice(start, start + 100).map(subscriberKey);
    const values = await kv.getWithMetadata<Subscriber, SubscriberMeta>(keys, "json");
    for (const key of keys) {
      const entry = values.get(key);
      const id = key.slice(PREFIX.length);
      out.set(id, entry?.value ? { status: entry.value.status, email: entry.value.email } : null);
    }
  }
  return out;
}

export interface SubscriberPage {
  subscribers: { id: string; meta: SubscriberMeta }[];
  cursor: string | null;
}

/** One page of up to 1,000 subscribers with their metadata, in key order. */
export async function listSubscriberPage(kv: KVNamespace, cursor: string | null): Promise<SubscriberPage> {
  const page: KVNamespaceListResult<SubscriberMeta> = await kv.list<SubscriberMeta>({ prefix: PREFIX, cursor: cursor ?? undefined, limit: 1000 });
  return {
    subscribers: page.keys.filter((key) => key.metadata).map((key) => ({ id: key.name.slice(PREFIX.length), meta: key.metadata! })),
    cursor: page.list_complete ? null : page.cursor,
  };
}

export async function getSubscribersByIds(kv: KVNamespace, ids: string[]): Promise<Subscriber[]> {
  const out: Subscriber[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    const keys = ids.slice(start, start + 100).map(subscriberKey);
    const values = await kv.get<Subscriber>(keys, "json");
    for (const key of keys) {
      const value = values.get(key);
      if (value) out.push(value);
    }
  }
  return out;
}
