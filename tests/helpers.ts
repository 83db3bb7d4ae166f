// Helpers for tests that run inside workerd. The local servers live on the
// Node side (tests/node/); these talk to them over HTTP like the worker does.
import { env } from "cloudflare:test";
import { inject } from "vitest";
import { readConfig, type Config } from "../src/config";
import natoNews from "./fixtures/nato-news.xml?raw";
import type { FeedDefinition, ReceivedEmail, ResendRules, ResendTeamSettings } from "./servers-api";

export type { FeedDefinition, ReceivedEmail, ResendRules, ResendTeamSettings };

export { natoNews };

export const feedServerUrl = (): string => inject("feedServerUrl");
export const resendServerUrl = (): string => inject("resendServerUrl");

/** Registers a document on the local feed server and returns its URL. */
export async function serveFeed(path: string, feed: FeedDefinition): Promise<string> {
  const response = await fetch(`${feedServerUrl()}/__control/feeds${path}`, { method: "PUT", body: JSON.stringify(feed) });
  if (response.status !== 204) throw new Error(`feed server refused ${path}: ${response.status}`);
  return `${feedServerUrl()}${path}`;
}

export async function feedHits(
  path: string,
): Promise<{ ifNoneMatch: string | null; ifModifiedSince: string | null; userAgent: string | null; status: number }[]> {
  const response = await fetch(`${feedServerUrl()}/__control/feeds${path}`);
  return ((await response.json()) as { hits: [] }).hits;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return readConfig({ ...env, ...overrides });
}

export interface TestItem {
  title?: string;
  link?: string;
  description?: string;
  pubDate?: string;
  guid?: string;
}

/** An RSS 2.0 document; values are inserted as given (escape them yourself). */
export function rss(items: TestItem[], channelExtra = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://example.test/</link>${channelExtra}
${items
  .map(
    (item) =>
      `<item>${item.title !== undefined ? `<title>${item.title}</title>` : ""}${item.link !== undefined ? `<link>${item.link}</link>` : ""}${
        item.guid !== undefined ? `<guid>${item.guid}</guid>` : ""
      }${item.description !== undefined ? `<description>${item.description}</description>` : ""}${item.pubDate !== undefined ? `<pubDate>${item.pubDate}</pubDate>` : ""}</item>`,
  )
  .join("\n")}
</channel></rss>`;
}

/** NATO's own date style: "12 Feb. 2025 15:30:00 GMT". */
export function natoDate(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())} ${months[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT`;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Fault and rate rules on the local Resend server, for emails to one domain. */
export async function setResendRules(domain: string, rules: ResendRules): Promise<void> {
  await fetch(`${resendServerUrl()}/__control/rules?domain=${encodeURIComponent(domain)}`, { method: "PUT", body: JSON.stringify(rules) });
}

export async function receivedEmails(domain: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${resendServerUrl()}/__control/emails?domain=${encodeURIComponent(domain)}`);
  return ((await response.json()) as { emails: ReceivedEmail[] }).emails;
}

export interface ResendStats {
  /** Every request addressed to the domain. */
  requests: number;
  /** Answered 429 (rate or quota) or an injected 5xx. */
  rejectedRequests: number;
  /** Requests that sent emails: neither refused nor answered from the idempotency store. */
  acceptedRequests: number;
  /** Requests answered from the idempotency store. */
  replayedRequests: number;
  emails: number;
  requestTimes: number[];
}

export async function resendStats(domain: string): Promise<ResendStats> {
  const response = await fetch(`${resendServerUrl()}/__control/stats?domain=${encodeURIComponent(domain)}`);
  return response.json();
}

/** A Resend team of its own (an API key the local server has not seen), with its settings. */
export async function newResendTeam(settings: ResendTeamSettings | null = { requestsPerSecond: 100 }): Promise<string> {
  const apiKey = `re_${crypto.randomUUID().replaceAll("-", "")}`;
  if (settings) await fetch(`${resendServerUrl()}/__control/team?team=${apiKey}`, { method: "PUT", body: JSON.stringify(settings) });
  return apiKey;
}

/** Moves one team's clock on the local Resend server forward (idempotency expiry, quota days). */
export async function advanceResendClock(apiKey: string, ms: number): Promise<void> {
  await fetch(`${resendServerUrl()}/__control/clock?team=${apiKey}`, { method: "POST", body: JSON.stringify({ advanceMs: ms }) });
}

export function uniqueDomain(prefix: string): string {
  return `${uniqueName(prefix)}.example.test`;
}

/** Polls until `check` returns a truthy value or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T>, timeoutMs = 15_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function randomIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}

/** Extracts the first link to `path` from a text part. */
export function linkIn(text: string | undefined, path: string): string {
  const match = new RegExp(`https?://[^\\s]*${path.replace(/[/?]/g, "\\$&")}\\?token=[A-Za-z0-9._-]+`).exec(text ?? "");
  if (!match) throw new Error(`no ${path} link in: ${text?.slice(0, 500)}`);
  return match[0];
}

import { newSubscriber, type Subscriber } from "../src/subscribers/subscriber";
import { saveSubscriber, subscriberIdFor } from "../src/subscribers/subscriber-store";
import type { Preferences } from "../src/subscribers/preferences";
import { createPersonalToken } from "../src/subscribers/tokens";

export const ADMIN_AUTH = { Authorization: "Bearer test-admin-token-0123456789" };

/** Writes `count` subscribers made by `make` straight into KV, 50 at a time, as `${prefix}${index}@${domain}`. */
async function seedEach(
  domain: string,
  prefix: string,
  count: number,
  make: (email: string, index: number, now: Date) => Promise<Subscriber>,
): Promise<string[]> {
  const addresses: string[] = [];
  const now = new Date();
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, async (_, offset) => {
        const email = `${prefix}${start + offset}@${domain}`;
        addresses.push(email);
        await saveSubscriber(env.KV, await make(email, start + offset, now));
      }),
    );
  }
  return addresses;
}

/** Writes subscribers straight into KV (as an import would), `count` of them at `domain`. */
export function seedSubscribers(domain: string, count: number, status: Subscriber["status"] = "confirmed", prefix = "reader"): Promise<string[]> {
  return seedEach(domain, prefix, count, async (email, _, now) => {
    const base = newSubscriber({ id: await subscriberIdFor(email), email: status === "unsubscribed" ? "" : email, source: "import", status }, now);
    return {
      ...base,
      consentAt: status === "confirmed" ? base.createdAt : null,
      consentSource: status === "confirmed" ? "import" : null,
      unsubscribedAt: status === "unsubscribed" ? base.createdAt : null,
      suppressedAt: status === "suppressed" ? base.createdAt : null,
      suppressedReason: status === "suppressed" ? "bounced" : null,
    };
  });
}

/**
 * Writes confirmed readers with the given choices straight into KV (as a
 * confirmation would), `count` of them at `domain`. `withToken` says which
 * carry a personal token (by their index); the others predate personal
 * tokens, and theirs is computed at send time.
 */
export function seedReaders(
  domain: string,
  prefix: string,
  count: number,
  preferences: Preferences | null,
  withToken: boolean | ((index: number) => boolean) = true,
): Promise<string[]> {
  return seedEach(domain, prefix, count, async (email, index, now) => {
    const id = await subscriberIdFor(email);
    const tokened = typeof withToken === "function" ? withToken(index) : withToken;
    return {
      ...newSubscriber({ id, email, source: "import", status: "confirmed" }, now),
      consentAt: now.toISOString(),
      consentSource: "import",
      ...(preferences ? { preferences } : {}),
      ...(tokened ? { personalToken: createPersonalToken(env.SIGNING_SECRET, id) } : {}),
    };
  });
}

/**
 * The explicit signal that the send queue has done everything enqueued so
 * far: enqueues a confirmation email to a sentinel reader of its own and
 * waits until the Resend server has it. The queue's consumer takes messages
 * in order, one batch at a time (max_concurrency = 1), so once the sentinel
 * is sent, every message enqueued before it has been handled (only a
 * message the consumer chose to retry later can still be pending). Use it to
 * show that nothing was sent, instead of sleeping.
 */
export async function drainSendQueue(): Promise<void> {
  const domain = uniqueDomain("sentinel");
  const [address] = await seedSubscribers(domain, 1, "unconfirmed", "sentinel");
  await env.SEND_QUEUE.send({ kind: "confirmation", subscriberId: await subscriberIdFor(address!), requestedAt: new Date().toISOString() });
  await waitFor(async () => (await receivedEmails(domain)).length > 0, 30_000, "the send queue to reach its sentinel");
}

/**
 * Miniflare's rate limiter counts in windows aligned to the wall clock
 * (every key rolls over at the same instant). A test that needs N requests
 * inside one window waits, when the current window has less than `marginMs`
 * left, for the next one to start: then all its requests land in one window.
 */
export async function awayFromWindowEdge(periodSeconds: number, marginMs = 15_000): Promise<void> {
  const periodMs = periodSeconds * 1000;
  const left = periodMs - (Date.now() % periodMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
