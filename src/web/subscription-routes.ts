// Public subscription routes: the sign-up page, POST /subscribe (form or
// JSON), scanner-safe confirmation (GET shows a button, only POST acts) and
// unsubscribe, including RFC 8058 one-click POSTs from mail clients.
import { Hono, type Context } from "hono";
import type { SendQueue } from "../queue-messages";
import { parseEmailAddress } from "../subscribers/address";
import { confirmByToken, subscribeAddress, unsubscribeByToken, type SubscriptionDeps } from "../subscribers/service";
import { verifyToken } from "../subscribers/tokens";
import { readBody, wantsJson } from "./read-body";
import {
  checkInboxPage,
  confirmedPage,
  confirmPage,
  errorPage,
  linkProblemPage,
  signupPage,
  unsubscribedPage,
  unsubscribeHelpPage,
  unsubscribePage,
} from "./subscription-pages";
import { isTurnstileEnabled, verifyTurnstile } from "./turnstile";
import type { AppEnv } from "./types";

export const subscriptionRoutes = new Hono<AppEnv>();

export function subscriptionDeps(c: Context<AppEnv>): SubscriptionDeps {
  const config = c.get("config");
  return {
    kv: c.env.KV,
    queue: c.env.SEND_QUEUE as SendQueue,
    signingSecret: config.signingSecret,
    confirmationIntervalMs: config.confirmEmailIntervalMinutes * 60_000,
    now: () => new Date(),
  };
}

const ACCEPTED_MESSAGE = "If the address can receive the digest, a confirmation email is on its way.";

subscriptionRoutes.get("/", (c) => {
  const config = c.get("config");
  return c.html(signupPage({ turnstileSiteKey: isTurnstileEnabled(config) ? config.turnstileSiteKey : null }));
});

subscriptionRoutes.post("/subscribe", async (c) => {
  const config = c.get("config");
  const json = wantsJson(c);
  const fail = (status: 400 | 413 | 415 | 429 | 503, message: string, email?: string) => {
    if (status === 429) c.header("Retry-After", "60");
    if (json) return c.json({ error: message }, status);
    if (status === 400) {
      return c.html(signupPage({ turnstileSiteKey: isTurnstileEnabled(config) ? config.turnstileSiteKey : null, error: message, email }), 400);
    }
    return c.html(errorPage(status, message), status);
  };

  const ip = c.req.header("CF-Connecting-IP") ?? "unknown";
  const { success } = await c.env.SIGNUP_LIMITER.limit({ key: `signup:${ip}` });
  if (!success) return fail(429, "Too many sign-ups from your network in the last minute. Please wait a minute and try again.");

  const body = await readBody(c);
  if (!body.ok) return fail(body.status, body.message);
  const email = typeof body.fields.email === "string" ? body.fields.email : undefined;

  // Bots fill every field; people never see this one. Answer as if accepted.
  const honeypot = body.fields.website;
  if (typeof honeypot === "string" && honeypot !== "") {
    return json ? c.json({ status: "accepted", message: ACCEPTED_MESSAGE }, 202) : c.html(checkInboxPage(), 202);
  }

  if (isTurnstileEnabled(config)) {
    const token = body.kind === "json" ? body.fields.turnstileToken : body.fields["cf-turnstile-response"];
    const check = await verifyTurnstile(config, token, ip === "unknown" ? null : ip);
    if (!check.ok) return fail(check.status, check.message, email);
  }

  const address = parseEmailAddress(body.fields.email);
  if (!address.ok) return fail(400, address.message, email);
  // New and known addresses must answer alike: the lookup, the write and the
  // queue send run after the answer, so timing tells nothing.
  c.executionCtx.waitUntil(subscribeInBackground(subscriptionDeps(c), address.address, body.kind === "json" ? "api" : "form"));
  return json ? c.json({ status: "accepted", message: ACCEPTED_MESSAGE }, 202) : c.html(checkInboxPage(), 202);
});

async function subscribeInBackground(deps: SubscriptionDeps, address: string, source: "api" | "form"): Promise<void> {
  try {
    await subscribeAddress(deps, address, source);
  } catch (error) {
    // The person already has their 202; the error (never the address) goes to the logs.
    console.error("sign-up failed after the answer:", error instanceof Error ? error.message : String(error));
  }
}

function problemStatus(reason: string): 400 | 410 {
  return reason === "expired" || reason === "unknown" || reason === "unsubscribed" || reason === "suppressed" ? 410 : 400;
}

subscriptionRoutes.get("/confirm", async (c) => {
  const token = c.req.query("token");
  const check = await verifyToken(c.get("config").signingSecret, token, "confirm", new Date());
  if (!check.ok) return c.html(linkProblemPage(check.reason === "expired" ? "expired" : "invalid"), problemStatus(check.reason));
  return c.html(confirmPage(token!));
});

subscriptionRoutes.post("/confirm", async (c) => {
  const body = await readBody(c);
  const token = body.ok ? body.fields.token : undefined;
  const result = await confirmByToken(subscriptionDeps(c), token ?? c.req.query("token"));
  if (!result.ok) {
    const reason =
      result.reason === "expired" || result.reason === "unknown" || result.reason === "unsubscribed" || result.reason === "suppressed"
        ? result.reason
        : "invalid";
    return c.html(linkProblemPage(reason), problemStatus(reason));
  }
  return c.html(confirmedPage());
});

subscriptionRoutes.get("/unsubscribe", async (c) => {
  const token = c.req.query("token");
  // The web version of a digest links here without a token.
  if (token === undefined) return c.html(unsubscribeHelpPage());
  const check = await verifyToken(c.get("config").signingSecret, token, "unsubscribe", new Date());
  if (!check.ok) return c.html(linkProblemPage("invalid"), 400);
  return c.html(unsubscribePage(token!));
});

// RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the URL from
// the List-Unsubscribe header; the token is in the query string.
subscriptionRoutes.post("/unsubscribe", async (c) => {
  let token: unknown = c.req.query("token");
  if (token === undefined) {
    const body = await readBody(c);
    token = body.ok ? body.fields.token : undefined;
  }
  const result = await unsubscribeByToken(subscriptionDeps(c), token);
  // A valid token whose record an admin erased: the reader is not subscribed, which is what they asked.
  if (!result.ok && result.reason !== "unknown") return c.html(linkProblemPage("invalid"), 400);
  return c.html(unsubscribedPage());
});
