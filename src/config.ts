// Reads the Worker's environment once per invocation into a typed Config.
// Defaults live here and nowhere else; a malformed setting fails fast with an
// error that names it.

export const CRON_INGEST = "17 * * * *";
export const CRON_DIGEST = "0 7 * * *";
/** Mondays at 07:00 UTC: the weekly edition for weekly readers. */
export const CRON_WEEKLY_DIGEST = "0 7 * * 1";

export const DEFAULT_FEED_URL = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml";
/** NATO's French news feed: the English one with /fr/ for /en/ (wrangler.toml configures both). */
export const NATO_FR_FEED_URL = DEFAULT_FEED_URL.replace("/en/", "/fr/");
/**
 * wrangler.toml's FEED_LANGUAGES and FEED_TITLES name NATO's two feeds; an
 * operator who sets FEED_URLS alone (a --var, the dashboard) must not fail on
 * them, so entries for these two URLs are dropped when FEED_URLS leaves them
 * out. Any other URL missing from FEED_URLS is still an error (a typo).
 */
const NATO_FEED_URLS: readonly string[] = [DEFAULT_FEED_URL, NATO_FR_FEED_URL];
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
  /** Min time between two confirmation emails to one address, in ms (CONFIRM_EMAIL_INTERVAL_MINUTES). */
  confirmEmailIntervalMs: number;
  /** Global caps on mails sent in answer to inbound email (src/subscribers/inbound-limits.ts). */
  inboundMaxMailsPerHour: number;
  inboundMaxMailsPerDay: number;
  /** Global caps on sign-up confirmation mail, web and API together (src/subscribers/signup-limits.ts). */
  signupMaxMailsPerHour: number;
  signupMaxMailsPerDay: number;
  /** Opt-in: /dev/outbox answers loopback-looking requests without the admin token. */
  devOutboxOpen: boolean;
  /** Who runs the service, shown in every email's footer when set (OPERATOR_NAME). */
  operatorName: string | null;
  /** The operator's postal address, shown in the footer when set (OPERATOR_ADDRESS). */
  operatorAddress: string | null;
  /** The address Email Routing delivers to the worker (INBOUND_ADDRESS): a mailto: in List-Unsubscribe and the footer's contact. */
  inboundAddress: string | null;
  /** Feed URL → language ("en" | "fr"), from FEED_LANGUAGES; overrides what the feed declares. */
  feedLanguages: Record<string, "en" | "fr">;
  /** Feed URL → title shown to readers, from FEED_TITLES; overrides the feed's own title. */
  feedTitles: Record<string, string>;
  /** Cloudflare Access in front of the console (ACCESS_TEAM_DOMAIN + ACCESS_AUD), or null when neither is set. */
  access: AccessConfig | null;
}

export interface AccessConfig {
  /** https://<team>.cloudflareaccess.com: the JWT's issuer and the home of its signing keys. */
  teamDomain: string;
  /** The Access application's audience tag. */
  audience: string;
}

/** Turnstile guards the sign-up form when both of its keys are set. */
export function isTurnstileEnabled(config: Pick<Config, "turnstileSiteKey" | "turnstileSecretKey">): boolean {
  return config.turnstileSiteKey !== null && config.turnstileSecretKey !== null;
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

/** One line of text for a footer: no line breaks (they would end up in headers or markup), bounded length. */
function readLine(env: RawEnv, name: string, max: number): string | null {
  const value = readString(env, name);
  if (value === null) return null;
  if (/[\r\n]/.test(value) || value.length > max) throw new ConfigError(`${name} must be one line of at most ${max} characters`);
  return value;
}

function readInboundAddress(env: RawEnv): string | null {
  const value = readString(env, "INBOUND_ADDRESS");
  if (value === null) return null;
  if (!/^[^\s@<>,;"()]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(value) || value.length > 254) {
    throw new ConfigError("INBOUND_ADDRESS must be a plain email address, like digest@example.org");
  }
  return value;
}

/** Both settings or neither; a half-configured Access is a configuration error, not a silent fallback. */
export function parseAccessConfig(team: string | null, audience: string | null): AccessConfig | null {
  if (team === null && audience === null) return null;
  if (team === null || audience === null) throw new ConfigError("set both ACCESS_TEAM_DOMAIN and ACCESS_AUD to accept Cloudflare Access, or neither");
  // Only Cloudflare's own team domains: the keys fetched from here decide who is signed in.
  const match = /^https:\/\/([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.cloudflareaccess\.com\/?$/i.exec(team);
  if (!match) throw new ConfigError("ACCESS_TEAM_DOMAIN must be https://<team>.cloudflareaccess.com");
  return { teamDomain: `https://${match[1]!.toLowerCase()}.cloudflareaccess.com`, audience };
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

/**
 * FEED_LANGUAGES: `url=lang` pairs separated by whitespace or commas, e.g.
 * "https://www.nato.int/cps/rss/fr/natohq/rssFeed.xsl/rssFeed.xml=fr".
 * Every URL must be one of FEED_URLS.
 */
export function parseFeedLanguages(raw: string | null, feedUrls: string[]): Record<string, "en" | "fr"> {
  const out: Record<string, "en" | "fr"> = {};
  for (const part of (raw ?? "").split(/[,\s]+/).filter(Boolean)) {
    const at = part.lastIndexOf("=");
    const url = normaliseFeedUrl(at > 0 ? part.slice(0, at) : "");
    const lang = part.slice(at + 1).toLowerCase();
    if (url !== null && !feedUrls.includes(url) && NATO_FEED_URLS.includes(url)) continue;
    if (url === null || !feedUrls.includes(url))
      throw new ConfigError(`FEED_LANGUAGES names a URL that is not in FEED_URLS: ${JSON.stringify(part.slice(0, at))}`);
    if (lang !== "en" && lang !== "fr") throw new ConfigError(`FEED_LANGUAGES: the language must be en or fr, got ${JSON.stringify(lang)}`);
    out[url] = lang;
  }
  return out;
}

/** FEED_TITLES: `url=title` entries separated by new lines or "|" (titles may hold commas and spaces). */
export function parseFeedTitles(raw: string | null, feedUrls: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? "")
    .split(/[\n|]+/)
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf("=", part.indexOf("://") + 3);
    const url = normaliseFeedUrl(at > 0 ? part.slice(0, at).trim() : "");
    const title = part.slice(at + 1).trim();
    if (url !== null && !feedUrls.includes(url) && NATO_FEED_URLS.includes(url)) continue;
    if (url === null || !feedUrls.includes(url))
      throw new ConfigError(`FEED_TITLES names a URL that is not in FEED_URLS: ${JSON.stringify(part.slice(0, Math.max(at, 0)))}`);
    if (title === "" || title.length > 100) throw new ConfigError("FEED_TITLES: each title must be 1 to 100 characters");
    out[url] = title;
  }
  return out;
}

function normaliseFeedUrl(text: string): string | null {
  try {
    return new URL(text).toString();
  } catch {
    return null;
  }
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
  const feedUrls = parseFeedUrls(readString(env, "FEED_URLS"));
  return {
    feedUrls,
    feedLanguages: parseFeedLanguages(readString(env, "FEED_LANGUAGES"), feedUrls),
    feedTitles: parseFeedTitles(readString(env, "FEED_TITLES"), feedUrls),
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
    confirmEmailIntervalMs: readNumber(env, "CONFIRM_EMAIL_INTERVAL_MINUTES", 10, 0, 24 * 60) * 60_000,
    inboundMaxMailsPerHour: readNumber(env, "INBOUND_MAX_MAILS_PER_HOUR", 10, 0, 1000),
    inboundMaxMailsPerDay: readNumber(env, "INBOUND_MAX_MAILS_PER_DAY", 30, 0, 10_000),
    // Sized for Resend Free (100 mails a day): at most 20 confirmations a day
    // leave the digest most of the day's quota even under a flood (README).
    signupMaxMailsPerHour: readNumber(env, "SIGNUP_MAX_MAILS_PER_HOUR", 10, 0, 10_000),
    signupMaxMailsPerDay: readNumber(env, "SIGNUP_MAX_MAILS_PER_DAY", 20, 0, 100_000),
    devOutboxOpen: readString(env, "DEV_OUTBOX_OPEN") === "true",
    operatorName: readLine(env, "OPERATOR_NAME", 100),
    operatorAddress: readLine(env, "OPERATOR_ADDRESS", 300),
    inboundAddress: readInboundAddress(env),
    access: parseAccessConfig(readString(env, "ACCESS_TEAM_DOMAIN"), readString(env, "ACCESS_AUD")),
  };
}
