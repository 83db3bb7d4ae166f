// A Resend-compatible HTTP server on 127.0.0.1 for tests and benchmarks.
// It speaks Resend's wire protocol (POST /emails, POST /emails/batch) and
// checks every request body against Resend's published OpenAPI spec
// (tests/fixtures/resend-openapi.yaml), plus the documented limits the spec
// does not encode: ≤ 100 emails per batch, ≤ 50 recipients, Idempotency-Key
// ≤ 256 chars with replay of the first answer and 409 on a changed body.
// Faults (429 storms, 5xx, timeouts, quota exhaustion) are injected per
// recipient domain, so test files running side by side do not disturb
// each other. Control endpoints live under /__control.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import type { ReceivedEmail as SentEmail, ResendRules as DomainRules } from "../servers-api";

interface DomainState {
  rules: DomainRules;
  requests: number;
  rejectedRequests: number;
  /** Arrival time of each request, ms since epoch. */
  requestTimes: number[];
  windowStart: number;
  windowCount: number;
}

interface IdempotencyEntry {
  bodyHash: string;
  status: number;
  body: unknown;
}

const MAX_BATCH = 100;
const MAX_RECIPIENTS = 50;

export async function startResendServer(specPath: string): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const spec = parseYaml(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: "resend", components: spec.components });
  const validateEmail = ajv.compile({ $ref: "resend#/components/schemas/SendEmailRequest" });

  const emails: SentEmail[] = [];
  const domains = new Map<string, DomainState>();
  const idempotency = new Map<string, IdempotencyEntry>();
  const inFlight = new Set<string>();
  let totalRequests = 0;

  function domainOf(address: string): string {
    const match = /<([^>]+)>/.exec(address);
    const bare = (match ? match[1]! : address).trim().toLowerCase();
    return bare.slice(bare.lastIndexOf("@") + 1);
  }

  function state(domain: string): DomainState {
    let entry = domains.get(domain);
    if (!entry) {
      entry = { rules: {}, requests: 0, rejectedRequests: 0, requestTimes: [], windowStart: 0, windowCount: 0 };
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
    if (!/^Bearer re_\w+/.test(auth)) return error(res, 403, "invalid_api_key", "API key is invalid.");
    const key = (req.headers["idempotency-key"] as string | undefined) ?? null;
    if (key !== null && (key.length < 1 || key.length > 256)) {
      return error(res, 400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
    }
    const raw = await readBody(req);
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return error(res, 422, "validation_error", "Body is not valid JSON.");
    }
    const items: unknown[] = batch ? (Array.isArray(payload) ? payload : []) : [payload];
    if (batch && !Array.isArray(payload)) return error(res, 422, "validation_error", "The batch body must be an array.");
    if (items.length === 0) return error(res, 422, "validation_error", "The batch is empty.");
    if (items.length > MAX_BATCH) return error(res, 422, "validation_error", `Too many emails in one batch: ${items.length} > ${MAX_BATCH}.`);

    const firstTo = (items[0] as { to?: unknown })?.to;
    const domain = domainOf(Array.isArray(firstTo) ? String(firstTo[0] ?? "") : String(firstTo ?? ""));
    const dom = state(domain);
    dom.requests++;
    const rules = dom.rules;
    const now = Date.now();
    dom.requestTimes.push(now);

    // Rate limit: fixed one-second windows, the way Resend documents its headers.
    const limit = rules.requestsPerSecond;
    const rateHeaders: Record<string, string> = {};
    if (limit !== undefined) {
      if (now - dom.windowStart >= 1000) {
        dom.windowStart = now;
        dom.windowCount = 0;
      }
      dom.windowCount++;
      const reset = Math.max(1, Math.ceil((dom.windowStart + 1000 - now) / 1000));
      rateHeaders["ratelimit-limit"] = String(limit);
      rateHeaders["ratelimit-remaining"] = String(Math.max(0, limit - dom.windowCount));
      rateHeaders["ratelimit-reset"] = String(reset);
      if (dom.windowCount > limit) {
        dom.rejectedRequests++;
        return error(res, 429, "rate_limit_exceeded", "Too many requests. You can only make a limited number of requests per second.", {
          ...rateHeaders,
          "retry-after": String(reset),
        });
      }
    }
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
    if (key !== null) {
      const previous = idempotency.get(key);
      if (previous) {
        if (previous.bodyHash !== bodyHash) {
          return error(res, 409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.", rateHeaders);
        }
        return send(res, previous.status, previous.body, rateHeaders);
      }
      if (inFlight.has(key)) {
        return error(res, 409, "concurrent_idempotent_requests", "Same idempotency key used while a previous request is still in progress.", rateHeaders);
      }
    }
    if (key !== null) inFlight.add(key);
    try {
      if (rules.delayNext && rules.delayNext > 0) {
        rules.delayNext--;
        await new Promise((resolve) => setTimeout(resolve, rules.delayMs ?? 30_000));
      }
      return finishSend(req, res, { items, batch, key, bodyHash, rules, dom, rateHeaders, now });
    } finally {
      if (key !== null) inFlight.delete(key);
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
      rateHeaders: Record<string, string>;
      now: number;
    },
  ): void {
    const { items, batch, key, bodyHash, rules, dom, rateHeaders, now } = ctx;

    const strict = batch && (req.headers["x-batch-validation"] ?? "strict") !== "permissive";
    const problems = items.map(validate);
    if (!batch && problems[0]) return error(res, 422, "validation_error", problems[0], rateHeaders);
    if (strict && problems.some(Boolean)) {
      const index = problems.findIndex(Boolean);
      return error(res, 422, "validation_error", `emails[${index}]: ${problems[index]}`, rateHeaders);
    }
    const accepted = items.filter((_, index) => !problems[index]);
    if (rules.quotaRemaining !== undefined) {
      if (rules.quotaRemaining < accepted.length) {
        dom.rejectedRequests++;
        return error(res, 429, "daily_quota_exceeded", "You have reached your daily email sending quota.", rateHeaders);
      }
      rules.quotaRemaining -= accepted.length;
    }
    const data: { id: string }[] = [];
    for (const item of accepted) {
      const email = item as Omit<SentEmail, "id" | "idempotencyKey" | "receivedAt" | "to"> & { to: string | string[] };
      const id = randomUUID();
      data.push({ id });
      emails.push({ ...email, to: Array.isArray(email.to) ? email.to : [email.to], id, idempotencyKey: key, receivedAt: now });
    }
    const errors = problems.flatMap((problem, index) => (problem ? [{ index, message: problem }] : []));
    const body = batch ? (errors.length ? { data, errors } : { data }) : data[0];
    if (key !== null) idempotency.set(key, { bodyHash, status: 200, body });
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
        requestTimes: dom?.requestTimes ?? [],
        emails: emails.filter(matches).length,
      });
    }
    if (req.method === "PUT" && url.pathname === "/__control/rules" && domain) {
      state(domain).rules = JSON.parse(await readBody(req)) as DomainRules;
      return send(res, 200, { ok: true });
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
