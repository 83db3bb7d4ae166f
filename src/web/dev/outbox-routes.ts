// /dev/outbox: read the local outbox in a browser. It exists only in outbox
// mode (no RESEND_API_KEY), so a deployment that forgot its Resend key does
// not publish everyone's confirmation links, and it needs the admin token.
// The one exception is an explicit opt-in for local development
// (DEV_OUTBOX_OPEN=true, which `npm start` writes to .dev.vars): then a
// request whose Host and CF-Connecting-IP are both loopback gets in without
// the token. A Host header alone proves nothing (`wrangler dev --ip 0.0.0.0`
// answers anyone who sends `Host: localhost`); CF-Connecting-IP is set from
// the socket by wrangler dev and by Cloudflare's edge, but wrangler dev keeps
// one a client sent, so the opt-in is for a dev server listening on loopback
// only (wrangler's default; `npm start` pins `--ip 127.0.0.1`).
// The worker cannot check that itself: workerd shows it neither the socket
// nor the address it listens on. Measured under `wrangler dev --ip 0.0.0.0`:
// a request from 192.0.2.2 sending `Host: localhost` and `CF-Connecting-IP:
// 127.0.0.1` reaches the worker as http://localhost/… from 127.0.0.1, the
// same as a local one. So the bind address is the guard, set where wrangler
// starts, and README says never to combine the opt-in with another one.
import { Hono } from "hono";
import { html } from "hono/html";
import { hasBearerToken } from "../bearer";
import { getOutboxMessage, listOutbox } from "../../mail/outbox-mailer";
import type { AppEnv } from "../types";
import { page } from "../layout";

export const devOutboxRoutes = new Hono<AppEnv>();

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** 127.0.0.0/8 and ::1 (also as an IPv4-mapped address). */
export function isLoopbackIp(ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const bare = ip
    .trim()
    .toLowerCase()
    .replace(/^::ffff:/, "");
  return /^127(\.\d{1,3}){3}$/.test(bare) || bare === "::1" || bare === "0:0:0:0:0:0:0:1";
}

devOutboxRoutes.use("*", async (c, next) => {
  const config = c.get("config");
  if (config.resendApiKey !== null) return c.notFound();
  const isAdmin = await hasBearerToken(c, config.adminToken);
  const isLocalDev = config.devOutboxOpen && LOOPBACK_HOSTS.has(new URL(c.req.url).hostname) && isLoopbackIp(c.req.header("CF-Connecting-IP"));
  if (!isAdmin && !isLocalDev) return c.notFound();
  await next();
});

devOutboxRoutes.get("/", async (c) => {
  const messages = await listOutbox(c.env.KV, 200);
  if (c.req.header("Accept")?.includes("application/json")) return c.json({ messages });
  return c.html(
    page({
      title: "Local outbox",
      body: html`<h1>Local outbox</h1>
        <p>Mails the worker would have sent through Resend, newest first. There is no Resend key configured, so nothing left this machine.</p>
        ${
          messages.length === 0
            ? html`<p>The outbox is empty.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Sent</th>
                    <th scope="col">To</th>
                    <th scope="col">Subject</th>
                  </tr>
                </thead>
                <tbody>
                  ${messages.map(
                    (m) =>
                      html`<tr>
                        <td>${m.sentAt}</td>
                        <td>${m.to}</td>
                        <td><a href="/dev/outbox/${m.id}">${m.subject}</a></td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }`,
    }),
  );
});

devOutboxRoutes.get("/:id", async (c) => {
  const message = await getOutboxMessage(c.env.KV, c.req.param("id"));
  if (!message) return c.notFound();
  if (c.req.header("Accept")?.includes("application/json")) return c.json(message);
  return c.html(
    page({
      title: message.subject,
      wide: true,
      body: html`<p><a href="/dev/outbox">← Outbox</a></p>
        <h1>${message.subject}</h1>
        <dl>
          <dt>From</dt>
          <dd>${message.from}</dd>
          <dt>To</dt>
          <dd>${message.to}</dd>
          <dt>Sent</dt>
          <dd>${message.sentAt}</dd>
          ${Object.entries(message.headers ?? {}).map(
            ([name, value]) =>
              html`<dt>${name}</dt>
                <dd>${value}</dd>`,
          )}
        </dl>
        <h2>HTML part</h2>
        <iframe
          title="HTML part of the email"
          sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
          srcdoc="${message.html}"
          style="width:100%;height:70vh;border:1px solid #ccc"
        ></iframe>
        <h2>Text part</h2>
        <pre>${message.text}</pre>`,
    }),
  );
});
