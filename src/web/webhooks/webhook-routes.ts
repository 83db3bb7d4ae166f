// POST /webhooks/resend: bounces and complaints from Resend (Svix-signed).
// Without RESEND_WEBHOOK_SECRET the route refuses everything.
import { Hono } from "hono";
import { applySuppression, suppressionFor, verifyResendWebhook } from "../../subscribers/resend-webhook";
import { readTextCapped } from "../../lib/read-body";
import type { AppEnv } from "../types";

export const webhookRoutes = new Hono<AppEnv>();

const MAX_WEBHOOK_BYTES = 256 * 1024;

webhookRoutes.post("/resend", async (c) => {
  const secret = c.get("config").resendWebhookSecret;
  if (secret === null) return c.json({ error: "webhooks are disabled: set RESEND_WEBHOOK_SECRET to enable them" }, 403);
  // Counted while reading, before any signature work: a huge body costs at most the cap.
  const read = await readTextCapped(c.req.raw, MAX_WEBHOOK_BYTES);
  if (!read.ok) return c.json({ error: "payload too large" }, 413);
  const payload = read.text;
  const check = verifyResendWebhook(secret, payload, c.req.raw.headers);
  if (!check.ok) return c.json({ error: `signature check failed: ${check.reason}` }, 401);
  const suppression = suppressionFor(check.event);
  if (!suppression) return c.json({ received: true, action: "none" });
  const changed = await applySuppression(c.env.KV, suppression.addresses, suppression.reason, new Date());
  return c.json({ received: true, action: "suppressed", changed });
});
