// The control API of the local test servers (tests/node/), shared by the
// servers themselves and by the worker-side helpers that drive them. Types
// only: imported from both Node and workerd code. It lives under bench/
// because the bench drives the same servers and bench/ may not import tests/.

/** A document registered on the local feed server. */
export interface FeedDefinition {
  body?: string;
  /** Raw bytes for charset tests. */
  bodyBase64?: string;
  status?: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  delayMs?: number;
  /** Stream this many bytes of filler after the body (size-cap tests). */
  padBytes?: number;
  /** Send no Content-Length (streaming size checks). */
  omitLength?: boolean;
}

/** Fault and rate rules on the local Resend server, per recipient domain. */
export interface ResendRules {
  /** This domain's own rate-limit window (as if another team), requests per second; without it the team's limit applies. */
  requestsPerSecond?: number;
  /** Answer 500 to every n-th request. */
  failEvery?: number;
  /** Answer 500 to the next n requests. */
  failNext?: number;
  /** Hold the next n requests for `delayMs` before answering (client timeouts). */
  delayNext?: number;
  delayMs?: number;
  /** Accept this many more emails, then answer 429 with `quotaError` (default daily_quota_exceeded). */
  quotaRemaining?: number;
  quotaError?: "daily_quota_exceeded" | "monthly_quota_exceeded";
  /** Process the next n requests, then drop the answer with a 500 (the send happened). */
  dropAnswerNext?: number;
}

/** An email the local Resend server accepted. */
export interface ReceivedEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
  tags?: { name: string; value: string }[];
  idempotencyKey: string | null;
  receivedAt: number;
}

/** A Resend team's settings on the local server (one team per API key). */
export interface ResendTeamSettings {
  /** Requests per second (Resend's default: 2). */
  requestsPerSecond?: number;
  /** Emails per UTC day, then 429 daily_quota_exceeded (none: unlimited). */
  dailyQuota?: number;
  /** Emails per UTC month, then 429 monthly_quota_exceeded (none: unlimited). */
  monthlyQuota?: number;
}
