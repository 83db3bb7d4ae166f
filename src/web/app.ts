// The HTTP surface: one Hono app, one sub-app per area, errors turned into
// responses in one place. Config is read once per request and shared.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { ConfigError, readConfig } from "../config";
import { consoleRoutes } from "./console/routes";
import { withSampleFeed } from "../feeds/sample-feed";
import { adminRoutes } from "./admin/admin-routes";
import { archiveRoutes } from "./public/archive-routes";
import { hasBearerToken } from "./bearer";
import { devOutboxRoutes } from "./dev/outbox-routes";
import { errorPage } from "./public/subscription-pages";
import { subscriptionRoutes } from "./public/subscription-routes";
import { webhookRoutes } from "./webhooks/webhook-routes";
import type { AppEnv } from "./types";

/** ADMIN_TOKEN read raw: the error handler runs when the config itself may not parse. */
function rawAdminToken(env: Env): string | null {
  return typeof env.ADMIN_TOKEN === "string" ? env.ADMIN_TOKEN.trim() : null;
}

function prefersHtml(accept: string | undefined): boolean {
  return (accept ?? "").includes("text/html");
}

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        // Turnstile's widget, when enabled, and the console's static script
        // (/console/static/console.js) are the only script sources.
        scriptSrc: ["'self'", "https://challenges.cloudflare.com"],
        frameSrc: ["https://challenges.cloudflare.com", "'self'"],
        connectSrc: ["'self'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
      crossOriginEmbedderPolicy: false,
    }),
  );

  app.use("*", async (c, next) => {
    c.set("config", await withSampleFeed(readConfig(c.env), c.env));
    await next();
  });

  app.route("/admin", adminRoutes);
  app.route("/console", consoleRoutes);
  app.route("/dev/outbox", devOutboxRoutes);
  app.route("/webhooks", webhookRoutes);
  app.route("/", archiveRoutes);
  app.route("/", subscriptionRoutes);

  app.get("/healthz", (c) => c.json({ ok: true }));

  app.notFound((c) => c.json({ error: "not found" }, 404));

  // Public answers say what went wrong in plain words and never echo a
  // setting's value or a stack; details go to the logs and, for a
  // configuration error, to the operator on /admin/* with the admin token.
  app.onError(async (error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    const misconfigured = error instanceof ConfigError;
    if (misconfigured) console.error("configuration error:", error.message);
    else console.error("unhandled error", error);
    const message = misconfigured
      ? "The service is misconfigured; the operator can find details in the worker logs."
      : "internal error: something went wrong on our side; the operator can find details in the worker logs.";
    if (misconfigured && c.req.path.startsWith("/admin/") && (await hasBearerToken(c, rawAdminToken(c.env)))) {
      return c.json({ error: `the service is misconfigured: ${error.message}` }, 500);
    }
    if (prefersHtml(c.req.header("Accept"))) return c.html(errorPage(500, message.charAt(0).toUpperCase() + message.slice(1)), 500);
    return c.json({ error: message }, 500);
  });

  return app;
}
