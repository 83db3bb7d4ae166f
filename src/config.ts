// Reads the Worker's environment once per invocation into a typed Config.
// Defaults live here and nowhere else; a malformed setting fails fast with an
// error that names it.

export const CRON_INGEST = "17 * * * *";
export const CRON_DIGEST = "0 7 * * *";

export const DEFAULT_FEED_URL = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml";
/** Names the deployment, so a site owner who sees our requests knows whose they are. */
export function userAgentFor(publicUrl: string): string {
  return `NATO-Digest/0.1 (+${publicUrl}; an email digest of NATO's public feeds)`;
}

export interface Config {
  feedUrls: string[];
  publicUrl: string;
  emailFrom: string;
  resendApiKey: string | null;
  resendBaseUrl: string;
  /** Resend's documented default is 2 requests per second per team. */
  resendRequestsPerSecond: number;
  /** A Resend call with no answer after this is abandoned and retried (same idempotency key). */
  resendTimeoutMs: number;
  adminToken: string | null;
  adminEmail: string | null;
  signingSecret: string;
  resendWebhookSecret: string | null;
  turnstileSiteKey: string | null;
  turnstileSecretKey: string | null;
  turnstileVerifyUrl: string;
  feedTimeoutMs: number;
  feedMaxBytes: number;
  /** First ingest of a source: only items published this recently go into a digest. */
  lookbackHours: number;
  /** Never put an item older than this into a digest. */
  maxAgeDays: number;
  /** Min minutes between two confirmation emails to one address. */
  confirmEmailIntervalMinutes: number;
  /** Global caps on mails sent in answer to inbound email (src/subscribers/inbound-limits.ts). */
  inboundMaxMailsPerHour: number;
  inboundMaxMailsPerDay: number;
  /** Opt-in: /dev/outbox answers loopback-looking requests without the admin token. */
  devOutboxOpen: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type RawEnv = Record<string, unknown>;

function readString(env: RawEnv, name: string): string | null {
  const value = env[name];
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function readUrl(env: RawEnv, name: string, fallback: string): string {
  const value = readString(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`${name} must be an http(s) URL, got ${url.protocol}`);
  }
  return url.toString().replace(/\/+$/, "");
}

function readNumber(env: RawEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function parseFeedUrls(raw: string | null): string[] {
  const parts = (raw ?? DEFAULT_FEED_URL)
    .split(/[,\s]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  const urls = parts.map((part) => {
    try {
      const url = new URL(part);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error();
      return url.toString();
    } catch {
      throw new ConfigError(`FEED_URLS has an entry that is not an http(s) URL: ${JSON.stringify(part)}`);
    }
  });
  if (urls.length === 0) throw new ConfigError("FEED_URLS lists no feed");
  return [...new Set(urls)];
}

export function readConfig(envBindings: object): Config {
  const env = envBindings as RawEnv;
  const signingSecret = readString(env, "SIGNING_SECRET");
  if (signingSecret === null) {
    throw new ConfigError("SIGNING_SECRET is not set: run `npx wrangler secret put SIGNING_SECRET` (locally: .dev.vars)");
  }
  if (signingSecret.length < 16) {
    throw new ConfigError("SIGNING_SECRET is too short: use at least 16 characters (32 random bytes recommended)");
  }
  const emailFrom = readString(env, "EMAIL_FROM") ?? "NATO Digest <digest@example.org>";
  if (!/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/.test(emailFrom)) {
    throw new ConfigError(`EMAIL_FROM must be "Name <address>" or an address, got ${JSON.stringify(emailFrom)}`);
  }
  return {
    feedUrls: parseFeedUrls(readString(env, "FEED_URLS")),
    publicUrl: readUrl(env, "PUBLIC_URL", "http://localhost:8787"),
    emailFrom,
    resendApiKey: readString(env, "RESEND_API_KEY"),
    resendBaseUrl: readUrl(env, "RESEND_BASE_URL", "https://api.resend.com"),
    resendRequestsPerSecond: readNumber(env, "RESEND_RATE_LIMIT", 2, 0.1, 100),
    resendTimeoutMs: readNumber(env, "RESEND_TIMEOUT_MS", 20_000, 100, 120_000),
    adminToken: readString(env, "ADMIN_TOKEN"),
    adminEmail: readString(env, "ADMIN_EMAIL"),
    signingSecret,
    resendWebhookSecret: readString(env, "RESEND_WEBHOOK_SECRET"),
    turnstileSiteKey: readString(env, "TURNSTILE_SITE_KEY"),
    turnstileSecretKey: readString(env, "TURNSTILE_SECRET_KEY"),
    turnstileVerifyUrl: readUrl(env, "TURNSTILE_VERIFY_URL", "https://challenges.cloudflare.com/turnstile/v0/siteverify"),
    feedTimeoutMs: readNumber(env, "FEED_TIMEOUT_MS", 10_000, 100, 60_000),
    feedMaxBytes: readNumber(env, "FEED_MAX_BYTES", 5 * 1024 * 1024, 1024, 50 * 1024 * 1024),
    lookbackHours: readNumber(env, "LOOKBACK_HOURS", 48, 0, 24 * 30),
    maxAgeDays: readNumber(env, "MAX_AGE_DAYS", 7, 1, 90),
    confirmEmailIntervalMinutes: readNumber(env, "CONFIRM_EMAIL_INTERVAL_MINUTES", 10, 0, 24 * 60),
    inboundMaxMailsPerHour: readNumber(env, "INBOUND_MAX_MAILS_PER_HOUR", 10, 0, 1000),
    inboundMaxMailsPerDay: readNumber(env, "INBOUND_MAX_MAILS_PER_DAY", 30, 0, 10_000),
    devOutboxOpen: readString(env, "DEV_OUTBOX_OPEN") === "true",
  };
}
