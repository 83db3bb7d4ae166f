// Subscribers in KV under v1:sub:<id>, id = SHA-256 of the case-folded
// address, so signing up again finds the same record. The list metadata
// carries everything a digest run needs per reader: {status, email} and,
// once set, the personal token, the cadence and the edition key. One list()
// call returns up to 1,000 readers ready to send to, with no read per reader.
// Metadata written before these fields existed simply lacks them: a daily
// reader of the default edition, whose token is computed when needed.
//
// v1:edition:<key>: the preferences behind an edition key (content-addressed,
// so never rewritten with another value). Topics can be 10 × 40 characters,
// too much for every reader's 1,024-byte metadata; the key is 16 characters.
//
// v1:stop:<id>: {status, at, generation}, written only by an unsubscribe or a
// suppression, never by a preferences save. KV is last-write-wins and up to
// 60 s stale elsewhere, so a save that read the record before an unsubscribe
// can put `confirmed` back into v1:sub:<id>. Every read here therefore lays
// the stop over the record: a record of the same token generation that looks
// active (confirmed, unconfirmed) reads as stopped. The send path re-checks
// statuses through getSubscriberStatuses, so such a write sends nothing. A
// fresh sign-up draws a new generation, which the old stop does not cover.
import { sha256Hex, sha256HexSync } from "../lib/crypto";
import { identityOf } from "./address";
import { canonicalPreferences, isDefaultPreferences, preferencesOf, type Cadence, type Preferences } from "./preferences";
import { generationOf, type Subscriber, type SubscriberStatus } from "./subscriber";
import { getBulk } from "../lib/kv-bulk";

const PREFIX = "v1:sub:";
const EDITION = "v1:edition:";
const STOP = "v1:stop:";

/** An unsubscribe or suppression, for one token generation of one reader. */
export interface StatusStop {
  status: "unsubscribed" | "suppressed";
  at: string;
  generation: string;
}

export interface SubscriberMeta {
  status: SubscriberStatus;
  email: string;
  /** The personal token (absent on records from before it existed). */
  token?: string;
  /** Absent: daily. */
  cadence?: Cadence;
  /** Absent: the default preferences. */
  edition?: string;
}

/** The key of a reader's preferences: null for the defaults. */
export function editionKeyOf(preferences: Preferences): string | null {
  return isDefaultPreferences(preferences) ? null : sha256HexSync(canonicalPreferences(preferences)).slice(0, 16);
}

export function metadataOf(subscriber: Subscriber): SubscriberMeta {
  const metadata: SubscriberMeta = { status: subscriber.status, email: subscriber.email };
  if (subscriber.status !== "confirmed") return metadata;
  if (subscriber.personalToken) metadata.token = subscriber.personalToken;
  const preferences = preferencesOf(subscriber);
  if (preferences.cadence !== "daily") metadata.cadence = preferences.cadence;
  const edition = editionKeyOf(preferences);
  if (edition) metadata.edition = edition;
  return metadata;
}

/** Stores the preferences behind an edition key, once (a read first: writes are the scarce KV operation). */
export async function saveEditionPreferences(kv: KVNamespace, preferences: Preferences): Promise<void> {
  const key = editionKeyOf(preferences);
  if (key === null || (await kv.get(EDITION + key)) !== null) return;
  await kv.put(EDITION + key, canonicalPreferencesValue(preferences));
}

function canonicalPreferencesValue(preferences: Preferences): string {
  const { cadence, topics, lang, sources, otherLanguage } = preferences;
  return JSON.stringify(otherLanguage === "skip" ? { cadence, topics, lang, sources, otherLanguage } : { cadence, topics, lang, sources });
}

/** The preferences behind edition keys, 100 per bulk read. Unknown keys are absent from the map. */
export async function getEditionPreferences(kv: KVNamespace, keys: string[]): Promise<Map<string, Preferences>> {
  const out = new Map<string, Preferences>();
  const values = await getBulk<Preferences>(
    kv,
    keys.map((key) => EDITION + key),
    "json",
  );
  for (const key of keys) {
    const value = values.get(EDITION + key);
    if (value) out.set(key, preferencesOf({ preferences: value }));
  }
  return out;
}

export async function subscriberIdFor(address: string): Promise<string> {
  return (await sha256Hex(`subscriber:${identityOf(address)}`)).slice(0, 32);
}

export function subscriberKey(id: string): string {
  return PREFIX + id;
}

/** The record as it stands once its stop (if any, and of its generation) is laid over it. */
export function withStop(subscriber: Subscriber, stop: StatusStop | null | undefined): Subscriber {
  if (!stop || stop.generation !== generationOf(subscriber)) return subscriber;
  if (subscriber.status !== "confirmed" && subscriber.status !== "unconfirmed") return subscriber;
  if (stop.status === "suppressed")
    return { ...subscriber, status: "suppressed", suppressedAt: stop.at, suppressedReason: subscriber.suppressedReason ?? "suppressed" };
  return { ...subscriber, status: "unsubscribed", email: "", unsubscribedAt: stop.at, signupNonce: null, preferences: undefined };
}

export async function getSubscriber(kv: KVNamespace, id: string): Promise<Subscriber | null> {
  const values = await kv.get<Subscriber | StatusStop>([subscriberKey(id), STOP + id], "json");
  const subscriber = values.get(subscriberKey(id)) as Subscriber | null | undefined;
  return subscriber ? withStop(subscriber, values.get(STOP + id) as StatusStop | null | undefined) : null;
}

/**
 * Records an unsubscribe or a suppression in the reader's stop key. Only those
 * paths call this; a preferences save never does, so it cannot undo one.
 */
export async function saveStatusStop(kv: KVNamespace, subscriber: Subscriber): Promise<void> {
  if (subscriber.status !== "unsubscribed" && subscriber.status !== "suppressed") throw new TypeError("only a stop is recorded");
  const at = (subscriber.status === "suppressed" ? subscriber.suppressedAt : subscriber.unsubscribedAt) ?? subscriber.updatedAt;
  await kv.put(STOP + subscriber.id, JSON.stringify({ status: subscriber.status, at, generation: generationOf(subscriber) } satisfies StatusStop));
}

/** saveEditionPreferences for many readers at once (an import chunk): one bulk read per 100 distinct keys, a write per key not stored yet. */
export async function saveEditionPreferencesOf(kv: KVNamespace, subscribers: Subscriber[]): Promise<void> {
  const wanted = new Map<string, Preferences>();
  for (const subscriber of subscribers) {
    const key = metadataOf(subscriber).edition;
    if (key && !wanted.has(key)) wanted.set(key, preferencesOf(subscriber));
  }
  const stored = await getBulk(
    kv,
    [...wanted.keys()].map((key) => EDITION + key),
  );
  for (const [key, preferences] of wanted) if (!stored.has(EDITION + key)) await kv.put(EDITION + key, canonicalPreferencesValue(preferences));
}

/**
 * Saves the record; a confirmed reader's edition preferences are stored first, so a run never meets an unknown edition key
 * (`editionSaved`: the caller already stored them with saveEditionPreferencesOf).
 */
export async function saveSubscriber(kv: KVNamespace, subscriber: Subscriber, options: { editionSaved?: boolean } = {}): Promise<void> {
  const metadata = metadataOf(subscriber);
  if (metadata.edition && !options.editionSaved) await saveEditionPreferences(kv, preferencesOf(subscriber));
  await kv.put(subscriberKey(subscriber.id), JSON.stringify(subscriber), { metadata });
}

/** Erasure: the record and its stop (a fresh sign-up after it draws a new generation anyway). */
export async function deleteSubscriber(kv: KVNamespace, id: string): Promise<void> {
  await Promise.all([kv.delete(subscriberKey(id)), kv.delete(STOP + id)]);
}

/** Current status of subscribers, 100 per bulk read of records and one of their stops: what the send path checks before mailing. */
export async function getSubscriberStatuses(kv: KVNamespace, ids: string[]): Promise<Map<string, SubscriberMeta | null>> {
  const out = new Map<string, SubscriberMeta | null>();
  const found = new Map((await getSubscribersByIds(kv, ids)).map((subscriber) => [subscriber.id, subscriber]));
  for (const id of ids) {
    const subscriber = found.get(id);
    out.set(id, subscriber ? { status: subscriber.status, email: subscriber.email } : null);
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

/** Records as they stand (stops laid over them), 100 per bulk read of records and one of stops. */
export async function getSubscribersByIds(kv: KVNamespace, ids: string[]): Promise<Subscriber[]> {
  const [values, stops] = await Promise.all([
    getBulk<Subscriber>(kv, ids.map(subscriberKey), "json"),
    getBulk<StatusStop>(
      kv,
      ids.map((id) => STOP + id),
      "json",
    ),
  ]);
  return ids.flatMap((id) => {
    const value = values.get(subscriberKey(id));
    return value ? [withStop(value, stops.get(STOP + id))] : [];
  });
}
