// Worker-side clients of the local feed and Resend-compatible servers
// (tests/node/), over HTTP as the worker itself reaches them: register a
// feed, set fault rules, read what Resend received. Shared by the tests
// (through tests/support/servers.ts) and the bench; imports nothing of src/,
// and lives under bench/ because bench/ may not import tests/.
import { inject, TestRunner } from "vitest";
import type { FeedDefinition, ReceivedEmail, ResendRules, ResendTeamSettings } from "./servers-api";

export type { FeedDefinition, ReceivedEmail, ResendRules, ResendTeamSettings };

export const feedServerUrl = (): string => inject("feedServerUrl");
export const resendServerUrl = (): string => inject("resendServerUrl");

/** A name no other test file uses, so files running side by side never share data. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A recipient domain of its own: the Resend server keeps rules, emails and stats per domain. */
export function uniqueDomain(prefix: string): string {
  return `${uniqueName(prefix)}.example.test`;
}

/**
 * Polls until `check` returns a truthy value; past `timeoutMs` fails with
 * "timed out after N s waiting for <what>", naming what never came. The wait
 * also ends a second before the running test's own timeout, so the failure
 * names what never came instead of vitest's bare "Test timed out".
 */
export async function waitFor<T>(check: () => Promise<T>, timeoutMs = 15_000, what = "condition"): Promise<NonNullable<T>> {
  const started = Date.now();
  const test = TestRunner.getCurrentTest();
  const testEnds = test?.result?.startTime && test.timeout ? test.result.startTime + test.timeout - 1_000 : Infinity;
  const deadline = Math.min(started + timeoutMs, testEnds);
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const cut = deadline < started + timeoutMs ? ` (cut short by the test's ${test!.timeout / 1000} s timeout)` : "";
      throw new Error(`timed out after ${((Date.now() - started) / 1000).toFixed(1)} s${cut} waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Registers a document on the local feed server and returns its URL. */
export async function serveFeed(path: string, feed: FeedDefinition): Promise<string> {
  const response = await fetch(`${feedServerUrl()}/__control/feeds${path}`, { method: "PUT", body: JSON.stringify(feed) });
  if (response.status !== 204) throw new Error(`feed server refused ${path}: ${response.status}`);
  return `${feedServerUrl()}${path}`;
}

/** The requests the feed server answered for one path, oldest first. */
export async function feedHits(
  path: string,
): Promise<{ ifNoneMatch: string | null; ifModifiedSince: string | null; userAgent: string | null; status: number }[]> {
  const response = await fetch(`${feedServerUrl()}/__control/feeds${path}`);
  return ((await response.json()) as { hits: [] }).hits;
}

/** Fault and rate rules on the local Resend server, for emails to one domain. */
export async function setResendRules(domain: string, rules: ResendRules): Promise<void> {
  await fetch(`${resendServerUrl()}/__control/rules?domain=${encodeURIComponent(domain)}`, { method: "PUT", body: JSON.stringify(rules) });
}

/** Every email the Resend server accepted for one domain. */
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
