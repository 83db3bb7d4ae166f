// The HTTP surface: one Hono app, one sub-app per area, errors turned into
// responses in one place. Config is read once per request and shared.
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { ConfigError, readConfig } from "../config";
import { consoleRoutes } from "../console/routes";
import { withSampleFeed } from "../console/sample-feed";
import { adminRoutes } from "./admin-routes";
import { archiveRoutes } from "./archive-routes";
import { devOutboxRoutes } from "./dev-outbox-routes";
import { subscriptionRoutes } from "./subscription-routes";
import { webhookRoutes } from "./webhook-routes";
import type { AppEnv } from "./types";

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

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof ConfigError) {
      console.error("configuration error:", error.message);
      return c.json({ error: `the service is misconfigured: ${error.message}` }, 500);
    }
    console.error("unhandled error", error);
    return c.json({ error: "internal error; the operator can find details in the worker logs" }, 500);
  });

  return app;
}
