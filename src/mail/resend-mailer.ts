// Mailer over Resend's batch API, through the official SDK. One client per
// invocation (config arrives through env), ≤ 100 emails per call, the
// caller's Idempotency-Key, permissive batch validation so one bad address
// does not sink the other 99. Requests are paced to Resend's rate limit
// (its ratelimit-* headers when present, the configured rate otherwise);
// 429 and 5xx are retried with backoff within a bounded wait, then handed
// back as "retry" so the queue can try later. Quota errors stop at once.
//
// A batch whose every email carries a prebuilt JSON body (the digest's, see
// src/mail/resend-json.ts) goes out as that body with fetch, to the same
// endpoint with the same headers the SDK sends; its answer is read the way
// the SDK reads it, so the retry, pacing and quota handling below is shared.
import { Resend } from "resend";
import { joinBatchBody } from "./resend-json";
import { assertBatchSize, type BatchResult, type Mailer, type OutgoingEmail, type SendOptions } from "./mailer";

export interface ResendMailerOptions {
  apiKey: string;
  baseUrl: string;
  requestsPerSecond: number;
  /** Attempts per sendBatch call before handing back "retry". */
  maxAttempts?: number;
  /** Longest single wait honoured inside one call (longer waits go back to the queue). */
  maxWaitMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** What the SDK's client.batch.send resolves to: the fields this mailer reads. */
interface SendResponse {
  data: unknown;
  error: ResendError | null;
  headers: Record<string, string> | null;
}

const USER_AGENT = "nato-digest (resend-node compatible)";

/**
 * POST /emails/batch with a body already serialised, answered like the
 * SDK's fetchRequest: JSON error bodies as they are, other failures as
 * application_error, a network failure or timeout with no status.
 */
async function postRawBatch(baseUrl: string, apiKey: string, body: Uint8Array, idempotencyKey: string, signal: AbortSignal): Promise<SendResponse> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/emails/batch`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${apiKey}`,
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "Idempotency-Key": idempotencyKey,
        "x-batch-validation": "permissive",
      },
      body,
      signal,
    });
  } catch {
    return {
      data: null,
      error: { name: "application_error", statusCode: null, message: "Unable to fetch data. The request could not be resolved." },
      headers: null,
    };
  }
  const headers = Object.fromEntries(response.headers.entries());
  let text: string;
  try {
    text = await response.text();
  } catch {
    return {
      data: null,
      error: { name: "application_error", statusCode: response.ok ? null : response.status, message: "Unable to read the answer." },
      headers,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const error = { name: "application_error", statusCode: response.ok ? null : response.status, message: "Internal server error. The answer was not JSON." };
    return { data: null, error, headers };
  }
  if (!response.ok) return { data: null, error: parsed as ResendError, headers };
  return { data: parsed, error: null, headers };
}

const QUOTA_ERRORS = new Set(["daily_quota_exceeded", "monthly_quota_exceeded"]);

interface ResendError {
  name?: string;
  message?: string;
  statusCode?: number | null;
}

/**
 * Pacing state per Resend team (API key and base URL), kept for the
 * isolate's life: the rate limit is per team, not per invocation, so what
 * one queue invocation learnt from Resend's headers still holds for the
 * next. Only what the team's answers said is kept (the last
 * `ratelimit-limit` and the next free slot); the configured rate is each
 * mailer's own, so a mailer created with other options is never slowed by
 * an earlier one's setting.
 */
interface Pacer {
  /** The team's limit per second from the last `ratelimit-limit` header, if any. */
  learntLimit: number | null;
  nextSlotAt: number;
  /** When the last request went out. */
  lastSlotAt: number;
}

const pacers = new Map<string, Pacer>();

function pacerFor(apiKey: string, baseUrl: string): Pacer {
  const key = `${baseUrl}|${apiKey}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = { learntLimit: null, nextSlotAt: 0, lastSlotAt: 0 };
    pacers.set(key, pacer);
  }
  return pacer;
}

export function createResendMailer(options: ResendMailerOptions): Mailer {
  const client = new Resend(options.apiKey, { baseUrl: options.baseUrl });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => Date.now());
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const pacer = pacerFor(options.apiKey, options.baseUrl);

  /**
   * The slower of the configured rate and the team's limit from its headers,
   * with a 5 % margin on the latter for timer and network jitter: one 429
   * costs a whole retry-after second, far more than the margin does.
   */
  function minIntervalMs(): number {
    const configured = 1000 / options.requestsPerSecond;
    return pacer.learntLimit ? Math.max(configured, (1000 / pacer.learntLimit) * 1.05) : configured;
  }

  async function waitForSlot(): Promise<void> {
    const wait = pacer.nextSlotAt - now();
    if (wait > 0) await sleep(wait);
    pacer.lastSlotAt = Math.max(now(), pacer.nextSlotAt);
    pacer.nextSlotAt = pacer.lastSlotAt + minIntervalMs();
  }

  /**
   * Learns the limit from draft-ietf-httpapi-ratelimit-headers (limit per
   * window; Resend's window is one second). Spacing requests evenly at
   * limit/window keeps every window within the limit; waiting for
   * `ratelimit-reset` on top would overshoot, since Resend rounds it up to
   * whole seconds.
   */
  function learnFromHeaders(headers: Record<string, string> | null): void {
    if (!headers) return;
    const limit = Number(headers["ratelimit-limit"]);
    // Resend sends it on every answer: the latest value is the team's limit now.
    if (Number.isFinite(limit) && limit > 0) {
      pacer.learntLimit = limit;
      // The slot after the request just answered was booked at the old rate.
      pacer.nextSlotAt = Math.max(pacer.nextSlotAt, pacer.lastSlotAt + minIntervalMs());
    }
  }

  function retryAfterMs(headers: Record<string, string> | null, attempt: number): number {
    const header = Number(headers?.["retry-after"]);
    if (Number.isFinite(header) && header >= 0) return header * 1000;
    const reset = Number(headers?.["ratelimit-reset"]);
    if (Number.isFinite(reset) && reset > 0) return reset * 1000;
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ...
    return 500 * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
  }

  return {
    kind: "resend",
    async sendBatch(emails: OutgoingEmail[], sendOptions: SendOptions): Promise<BatchResult> {
      assertBatchSize(emails);
      if (emails.length === 0) return { status: "sent", ids: [], rejected: [] };
      // Every email prebuilt: the body is their JSON joined, never re-serialised.
      const rawBody = emails.every((email) => email.resendJson !== undefined) ? joinBatchBody(emails.map((email) => email.resendJson!)) : null;
      const payload =
        rawBody !== null
          ? []
          : emails.map((email) => ({
              from: email.from,
              to: [email.to],
              subject: email.subject,
              html: email.html,
              text: email.text,
              headers: email.headers,
              tags: email.tags,
            }));
      let lastMessage = "";
      let lastDelayMs = 0;
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        await waitForSlot();
        const signal = AbortSignal.timeout(timeoutMs);
        const response: SendResponse =
          rawBody !== null
            ? await postRawBatch(options.baseUrl, options.apiKey, rawBody, sendOptions.idempotencyKey, signal)
            : ((await client.batch.send(payload, {
                idempotencyKey: sendOptions.idempotencyKey,
                batchValidation: "permissive",
                signal,
              } as Parameters<typeof client.batch.send>[1])) as SendResponse);
        const headers = response.headers;
        learnFromHeaders(headers);
        if (!response.error) {
          return parseSuccess(response.data as unknown, emails.length);
        }
        const error = response.error;
        const status = error.statusCode ?? null;
        const name = error.name ?? "unknown_error";
        lastMessage = `${status ?? "network"} ${name}: ${error.message ?? ""}`.trim();
        if (QUOTA_ERRORS.has(name)) return { status: "quota", message: lastMessage };
        if (status === 409 && name === "invalid_idempotent_request") return { status: "already-sent", message: lastMessage };
        const retryable = status === null || status === 429 || status === 409 || status >= 500 || name === "application_error";
        if (!retryable) return { status: "rejected", message: lastMessage };
        lastDelayMs = retryAfterMs(headers, attempt);
        if (attempt === maxAttempts || lastDelayMs > maxWaitMs) break;
        pacer.nextSlotAt = Math.max(pacer.nextSlotAt, now() + lastDelayMs);
      }
      return { status: "retry", retryAfterSeconds: Math.max(1, Math.ceil(lastDelayMs / 1000)), message: lastMessage };
    },
  };
}

function parseSuccess(data: unknown, count: number): BatchResult {
  const body = (data ?? {}) as { data?: { id?: unknown }[]; errors?: { index?: unknown; message?: unknown }[] };
  const rejected = (body.errors ?? [])
    .filter((entry) => typeof entry.index === "number")
    .map((entry) => ({ index: entry.index as number, message: String(entry.message ?? "rejected") }));
  const rejectedIndexes = new Set(rejected.map((entry) => entry.index));
  // Permissive mode returns ids only for the accepted emails, in order.
  const accepted = (body.data ?? []).map((entry) => (typeof entry.id === "string" ? entry.id : null));
  const ids: (string | null)[] = [];
  let next = 0;
  for (let index = 0; index < count; index++) ids.push(rejectedIndexes.has(index) ? null : (accepted[next++] ?? null));
  return { status: "sent", ids, rejected };
}
