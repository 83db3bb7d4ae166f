// The worker under test, driven as Cloudflare drives it: one call() for HTTP
// requests (the worker's real fetch handler with the test bindings, plus
// any overrides), cron() for the scheduled handler, and the secrets and
// origin the test bindings use (defined once, in tests/node/worker-bindings.ts).
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { readConfig, type Config } from "../../src/config";
import worker from "../../src/index";
import { TEST_SECRETS } from "../node/worker-bindings";

/** PUBLIC_URL in the test bindings: requests to it are same-origin. */
export const ORIGIN = "https://digest.example.test";
export const { ADMIN_TOKEN, SIGNING_SECRET, RESEND_WEBHOOK_SECRET } = TEST_SECRETS;
export const ADMIN_AUTH = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * One request through the worker's fetch handler, after everything it left
 * in waitUntil() has finished. `path` is a path on ORIGIN or a full URL;
 * `overrides` replace bindings (undefined removes one).
 */
export async function call(path: string, init: RequestInit = {}, overrides: object = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const url = /^https?:\/\//.test(path) ? path : `${ORIGIN}${path}`;
  const response = await worker.fetch(new Request(url, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** One cron trigger through the worker's scheduled handler, waitUntil() included. */
export async function cron(expression: string, overrides: object = {}, scheduledTime = Date.now()): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: expression, scheduledTime }), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
}

/** The worker's config from the test bindings plus `overrides`. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return readConfig({ ...env, ...overrides });
}

/** A client address of its own, so per-IP rate limits of one test never touch another's. */
export function randomIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}
