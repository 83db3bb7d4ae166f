// A Resend-compatible HTTP server on 127.0.0.1 for tests and benchmarks.
// It speaks Resend's wire protocol (POST /emails, POST /emails/batch) and
// checks every request body against Resend's published OpenAPI spec
// (tests/fixtures/resend-openapi.yaml), plus what Resend documents outside
// the spec:
//   - ≤ 100 emails per batch, ≤ 50 recipients; a bad request is 400
//     `validation_error` (Resend's error reference);
//   - Idempotency-Key ≤ 256 chars, scoped to the team (API key), kept 24 h:
//     the first answer is replayed, a changed body is 409, a key still in
//     flight is 409; after 24 h the key is forgotten;
//   - a rate limit per team (default 2 requests/s, fixed one-second
//     windows) with `ratelimit-limit/remaining/reset` on EVERY response and
//     `retry-after` on a 429;
//   - daily and monthly email quotas per team (429 `daily_quota_exceeded` /
//     `monthly_quota_exceeded`), counted per UTC day and month.
// Time (idempotency expiry, quota days and months) runs on a clock per team
// that the tests move forward (/__control/clock), never on sleeps.
// Faults (500s, slow or lost answers, a quota that runs out) are injected
// per recipient domain, so test files running side by side, which share the
// worker's one API key, do not disturb each other; a domain may also get its
// own rate-limit window (a test device standing in for "another team").
// Control endpoints live under /__control.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import type { ReceivedEmail as SentEmail, ResendRules as DomainRules, ResendTeamSettings as TeamSettings } from "../../bench/shared/servers-api";

interface DomainState {
  rules: DomainRules;
  requests: number;
  rejectedRequests: number;
  /** Requests that sent emails (not replays, not refused). */
  acceptedRequests: number;
  /** Requests answered from the idempotency store. */
  replayedRequests: number;
  /** Arrival time of each request, ms since epoch. */
  requestTimes: number[];
  window: RateWindow;
}

interface RateWindow {
  start: number;
  count: number;
}

interface IdempotencyEntry {
  bodyHash: string;
  status: number;
  body: unknown;
  /** Team clock time when the key was first used. */
  at: number;
}

/** A Resend team: one API key. */
interface Team {
  settings: TeamSettings;
  window: RateWindow;
  /** Added to Date.now() for this team's clock (idempotency expiry, quota days). */
  clockOffsetMs: number;
  idempotency: Map<string, IdempotencyEntry>;
  /** Emails sent per UTC day ("2026-01-31") and per UTC month ("2026-01"). */
  sentPerDay: Map<string, number>;
  sentPerMonth: Map<string, number>;
  requests: number;
  rateLimited: number;
}

const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;
/** Resend keeps an idempotency key for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** Resend's default rate limit per team. */
export const DEFAULT_REQUESTS_PER_SECOND = 2;

export interface ResendServerOptions {
  /** Settings for known teams (by API key); other teams get Resend's defaults. */
  teams?: Record<string, TeamSettings>;
}

export async function startResendServer(
  specPath: string,
  options: ResendServerOptions = {},
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const spec = parseYaml(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "resend", components: spec.components });
  const validateEmail = ajv.compile({ $ref: "resend#/components/schemas/SendEmailRequest" });

  const emails: SentEmail[] = [];
  const domains = new Map<string, DomainState>();
  const teams = new Map<string, Team>();
  const inFlight = new Set<string>();
  let totalRequests = 0;

  function team(apiKey: string): Team {
    let entry = teams.get(apiKey);
    if (!entry) {
      entry = {
        settings: { ...options.teams?.[apiKey] },
        window: { start: 0, count: 0 },
        clockOffsetMs: 0,
        idempotency: new Map(),
        sentPerDay: new Map(),
        sentPerMonth: new Map(),
        requests: 0,
        rateLimited: 0,
      };
      teams.set(apiKey, entry);
    }
    return entry;
  }

  const teamNow = (t: Team) => Date.now() + t.clockOffsetMs;

  /** Counts one request in a fixed one-second window; returns the ratelimit-* headers and whether it is over. */
  function rateLimit(window: RateWindow, limit: number): { headers: Record<string, string>; over: boolean } {
    const now = Date.now();
    if (now - window.start >= 1000) {
      window.start = now;
      window.count = 0;
    }
    window.count++;
    const reset = Math.max(1, Math.ceil((window.start + 1000 - now) / 1000));
    const headers = {
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(Math.max(0, limit - window.count)),
      "ratelimit-reset": String(reset),
    };
    return { headers, over: window.count > limit };
  }

  function domainOf(address: string): string {
    const match = /<([^>]+)>/.exec(address);
    const bare = (match ? match[1]! : address).trim().toLowerCase();
    return bare.slice(bare.lastIndexOf("@") + 1);
  }

  function state(domain: string): DomainState {
    let entry = domains.get(domain);
    if (!entry) {
      entry = { rules: {}, requests: 0, rejectedRequests: 0, acceptedRequests: 0, replayedRequests: 0, requestTimes: [], window: { start: 0, count: 0 } };
      domains.set(domain, entry);
    }
    return entry;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  function error(res: ServerResponse, status: number, name: string, message: string, headers: Record<string, string> = {}): void {
    send(res, status, { statusCode: status, name, message }, headers);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  function validate(email: unknown): string | null {
    if (!validateEmail(email)) {
      return ajv.errorsText(validateEmail.errors, { dataVar: "email" });
    }
    const item = email as { to: string | string[]; html?: string; text?: string; template?: unknown };
    const recipients = Array.isArray(item.to) ? item.to : [item.to];
    if (recipients.length > MAX_RECIPIENTS) return `email.to has ${recipients.length} recipients, max ${MAX_RECIPIENTS}`;
    for (const to of recipients) if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(to)) return `Invalid \`to\` field: ${to}`;
    if (item.html === undefined && item.text === undefined && item.template === undefined) return "email needs html, text or template";
    return null;
  }

  async function handleSend(req: IncomingMessage, res: ServerResponse, batch: boolean): Promise<void> {
    totalRequests++;
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ")) return error(res, 401, "missing_api_key", "Missing API key in the authorization header.");
    if (!/^Bearer re_\w+$/.test(auth)) return error(res, 403, "invalid_api_key", "API key is invalid.");
    const t = team(auth.slice("Bearer ".length));
    t.requests++;
    const raw = await readBody(req);
    let payload: unknown = undefined;
    try {
      payload = JSON.parse(raw);
    } catch {
      /* answered below, after the rate limit counted the request */
    }
    const items: unknown[] = batch ? (Array.isArray(payload) ? payload : []) : payload === undefined ? [] : [payload];
    const firstTo = (items[0] as { to?: unknown } | undefined)?.to;
    const domain = domainOf(Array.isArray(firstTo) ? String(firstTo[0] ?? "") : String(firstTo ?? ""));
    const dom = state(domain);
    dom.requests++;
    const rules = dom.rules;
    dom.requestTimes.push(Date.now());

    // Rate limit per team, on every request, with headers on every answer.
    // A domain with its own `requestsPerSecond` rule gets its own window.
    const limited =
      rules.requestsPerSecond !== undefined
        ? rateLimit(dom.window, rules.requestsPerSecond)
        : rateLimit(t.window, t.settings.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
    const rateHeaders = limited.headers;
    if (limited.over) {
      dom.rejectedRequests++;
      t.rateLimited++;
      return error(res, 429, "rate_limit_exceeded", "Too many requests. You can only make a limited number of requests per second.", {
        ...rateHeaders,
        "retry-after": rateHeaders["ratelimit-reset"]!,
      });
    }

    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    if (key !== null && (key.length < 1 || key.length > 256)) {
      return error(res, 400, "invalid_idempotency_key", "The key must be between 1-256 chars.", rateHeaders);
    }
    if (payload === undefined) return error(res, 400, "validation_error", "Body is not valid JSON.", rateHeaders);
    if (batch && !Array.isArray(payload)) return error(res, 400, "validation_error", "The batch body must be an array.", rateHeaders);
    if (items.length === 0) return error(res, 400, "validation_error", "The batch is empty.", rateHeaders);
    if (items.length > MAX_BATCH) return error(res, 400, "validation_error", `Too many emails in one batch: ${items.length} > ${MAX_BATCH}.`, rateHeaders);

    if ((rules.failNext ?? 0) > 0) {
      rules.failNext!--;
      dom.rejectedRequests++;
      return error(res, 500, "internal_server_error", "Injected fault.", rateHeaders);
    }
    if (rules.failEvery && dom.requests % rules.failEvery === 0) {
      dom.rejectedRequests++;
      return error(res, 500, "internal_server_error", "Injected fault (every n-th).", rateHeaders);
    }

    const bodyHash = createHash("sha256").update(raw).digest("hex");
    const scopedKey = key === null ? null : `${auth}|${key}`;
    if (key !== null) {
      const previous = t.idempotency.get(key);
      // Resend keeps a key for 24 hours, then forgets it.
      if (previous && teamNow(t) - previous.at >= IDEMPOTENCY_TTL_MS) t.idempotency.delete(key);
      else if (previous) {
        if (previous.bodyHash !== bodyHash) {
          return error(res, 409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.", rateHeaders);
        }
        dom.replayedRequests++;
        return send(res, previous.status, previous.body, rateHeaders);
      }
      if (inFlight.has(scopedKey!)) {
        return error(res, 409, "concurrent_idempotent_requests", "Same idempotency key used while a previous request is still in progress.", rateHeaders);
      }
    }
    if (scopedKey !== null) inFlight.add(scopedKey);
    try {
      if (rules.delayNext && rules.delayNext > 0) {
        rules.delayNext--;
        await new Promise((resolve) => setTimeout(resolve, rules.delayMs ?? 30_000));
      }
      return finishSend(req, res, { items, batch, key, bodyHash, rules, dom, team: t, rateHeaders });
    } finally {
      if (scopedKey !== null) inFlight.delete(scopedKey);
    }
  }

  function finishSend(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: {
      items: unknown[];
      batch: boolean;
      key: string | null;
      bodyHash: string;
      rules: DomainRules;
      dom: DomainState;
      team: Team;
      rateHeaders: Record<string, string>;
    },
  ): void {
    const { items, batch, key, bodyHash, rules, dom, team: t, rateHeaders } = ctx;

    const strict = batch && (req.headers["x-batch-validation"] ?? "strict") !== "permissive";
    const problems = items.map(validate);
    if (!batch && problems[0]) return error(res, 400, "validation_error", problems[0], rateHeaders);
    if (strict && problems.some(Boolean)) {
      const index = problems.findIndex(Boolean);
      return error(res, 400, "validation_error", `emails[${index}]: ${problems[index]}`, rateHeaders);
    }
    const accepted = items.filter((_, index) => !problems[index]);
    if (rules.quotaRemaining !== undefined) {
      if (rules.quotaRemaining < accepted.length) {
        dom.rejectedRequests++;
        return error(res, 429, rules.quotaError ?? "daily_quota_exceeded", "You have reached your email sending quota.", rateHeaders);
      }
      rules.quotaRemaining -= accepted.length;
    }
    // The team's quotas, per UTC day and month of the team's clock.
    const today = new Date(teamNow(t)).toISOString().slice(0, 10);
    const month = today.slice(0, 7);
    const sentToday = t.sentPerDay.get(today) ?? 0;
    const sentThisMonth = t.sentPerMonth.get(month) ?? 0;
    if (t.settings.monthlyQuota !== undefined && sentThisMonth + accepted.length > t.settings.monthlyQuota) {
      dom.rejectedRequests++;
      return error(res, 429, "monthly_quota_exceeded", "You have reached your monthly email sending quota.", rateHeaders);
    }
    if (t.settings.dailyQuota !== undefined && sentToday + accepted.length > t.settings.dailyQuota) {
      dom.rejectedRequests++;
      return error(res, 429, "daily_quota_exceeded", "You have reached your daily email sending quota.", rateHeaders);
    }
    t.sentPerDay.set(today, sentToday + accepted.length);
    t.sentPerMonth.set(month, sentThisMonth + accepted.length);

    const now = Date.now();
    const data: { id: string }[] = [];
    for (const item of accepted) {
      const email = item as Omit<SentEmail, "id" | "idempotencyKey" | "receivedAt" | "to"> & { to: string | string[] };
      const id = randomUUID();
      data.push({ id });
      emails.push({ ...email, to: Array.isArray(email.to) ? email.to : [email.to], id, idempotencyKey: key, receivedAt: now });
    }
    dom.acceptedRequests++;
    const errors = problems.flatMap((problem, index) => (problem ? [{ index, message: problem }] : []));
    const body = batch ? (errors.length ? { data, errors } : { data }) : data[0];
    if (key !== null) t.idempotency.set(key, { bodyHash, status: 200, body, at: teamNow(t) });
    if ((rules.dropAnswerNext ?? 0) > 0) {
      rules.dropAnswerNext!--;
      return error(res, 500, "internal_server_error", "Injected fault after processing.", rateHeaders);
    }
    send(res, 200, body, rateHeaders);
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const domain = url.searchParams.get("domain");
    const matches = (email: SentEmail) => domain === null || email.to.some((to) => domainOf(to) === domain);
    if (req.method === "GET" && url.pathname === "/__control/emails") {
      return send(res, 200, { emails: emails.filter(matches) });
    }
    if (req.method === "GET" && url.pathname === "/__control/stats") {
      const dom = domain ? domains.get(domain) : undefined;
      return send(res, 200, {
        totalRequests,
        requests: dom?.requests ?? 0,
        rejectedRequests: dom?.rejectedRequests ?? 0,
        acceptedRequests: dom?.acceptedRequests ?? 0,
        replayedRequests: dom?.replayedRequests ?? 0,
        requestTimes: dom?.requestTimes ?? [],
        emails: emails.filter(matches).length,
      });
    }
    if (req.method === "PUT" && url.pathname === "/__control/rules" && domain) {
      state(domain).rules = JSON.parse(await readBody(req)) as DomainRules;
      return send(res, 200, { ok: true });
    }
    const apiKey = url.searchParams.get("team");
    if (req.method === "PUT" && url.pathname === "/__control/team" && apiKey) {
      team(apiKey).settings = JSON.parse(await readBody(req)) as TeamSettings;
      return send(res, 200, { ok: true });
    }
    if (req.method === "GET" && url.pathname === "/__control/team" && apiKey) {
      const t = team(apiKey);
      return send(res, 200, { requests: t.requests, rateLimited: t.rateLimited, now: new Date(teamNow(t)).toISOString() });
    }
    if (req.method === "POST" && url.pathname === "/__control/clock" && apiKey) {
      const { advanceMs } = JSON.parse(await readBody(req)) as { advanceMs: number };
      team(apiKey).clockOffsetMs += advanceMs;
      return send(res, 200, { now: new Date(teamNow(team(apiKey))).toISOString() });
    }
    if (req.method === "POST" && url.pathname === "/__control/reset" && domain) {
      domains.delete(domain);
      for (let index = emails.length - 1; index >= 0; index--) if (matches(emails[index]!)) emails.splice(index, 1);
      return send(res, 200, { ok: true });
    }
    return error(res, 404, "not_found", "Unknown control endpoint.");
  }

  const server = createServer((req, res) => {
    // No keep-alive: a pooled connection the server closes while idle makes
    // the next request fail with "Network connection lost" in workerd.
    res.shouldKeepAlive = false;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const done = (promise: Promise<void>) =>
      promise.catch((cause: unknown) => {
        if (!res.headersSent) error(res, 500, "application_error", String(cause));
      });
    if (url.pathname.startsWith("/__control/")) return void done(handleControl(req, res, url));
    if (req.method === "POST" && url.pathname === "/emails/batch") return void done(handleSend(req, res, true));
    if (req.method === "POST" && url.pathname === "/emails") return void done(handleSend(req, res, false));
    error(res, 404, "not_found", "The requested endpoint does not exist.");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
