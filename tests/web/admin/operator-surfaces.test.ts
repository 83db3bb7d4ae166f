// Admin path parameters decoded once (item 6), the dev outbox behind the
// token (item 10), and public errors that name no configuration value (Info).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newSubscriber } from "../../../src/subscribers/subscriber";
import { getSubscriber, saveSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { isLoopbackIp } from "../../../src/web/dev/outbox-routes";
import { ADMIN_AUTH, call } from "../../support/worker";
import { uniqueDomain } from "../../support/servers";

async function seed(address: string, status: "confirmed" | "suppressed" = "confirmed") {
  await saveSubscriber(env.KV, newSubscriber({ id: await subscriberIdFor(address), email: address, source: "import", status }, new Date()));
}

describe("admin path parameters are decoded once", () => {
  it("DELETE …/pct%2541%40… erases pct%41@…, never pcta@…", async () => {
    const domain = uniqueDomain("pct");
    await seed(`pcta@${domain}`);
    const miss = await call(`https://digest.example.test/admin/subscribers/pct%2541%40${domain}`, { method: "DELETE", headers: ADMIN_AUTH });
    expect(miss.status).toBe(200);
    expect(await miss.json()).toEqual({ erased: false });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`pcta@${domain}`))).not.toBeNull();

    await seed(`pct%41@${domain}`);
    const hit = await call(`https://digest.example.test/admin/subscribers/pct%2541%40${domain}`, { method: "DELETE", headers: ADMIN_AUTH });
    expect(await hit.json()).toEqual({ erased: true });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`pct%41@${domain}`))).toBeNull();
  });

  it("a literal % in an address is no 500 on delete or unsuppress", async () => {
    const domain = uniqueDomain("percent");
    const erase = await call(`https://digest.example.test/admin/subscribers/100%25%40${domain}`, { method: "DELETE", headers: ADMIN_AUTH });
    expect(erase.status).toBe(200);
    const lift = await call(`https://digest.example.test/admin/subscribers/100%25%40${domain}/unsuppress`, { method: "POST", headers: ADMIN_AUTH });
    expect(lift.status).toBe(404);

    await seed(`100%@${domain}`, "suppressed");
    const cleared = await call(`https://digest.example.test/admin/subscribers/100%25%40${domain}/unsuppress`, { method: "POST", headers: ADMIN_AUTH });
    expect(await cleared.json()).toEqual({ result: "cleared" });
  });
});

describe("/dev/outbox", () => {
  const outboxMode = { RESEND_API_KEY: "" };
  const open = { RESEND_API_KEY: "", DEV_OUTBOX_OPEN: "true" };

  it.each([
    ["Host: localhost from another machine", "http://localhost/dev/outbox", { "CF-Connecting-IP": "192.0.2.44" }, open, 404],
    ["Host: localhost without any client address", "http://localhost/dev/outbox", {}, open, 404],
    ["loopback without the opt-in", "http://localhost/dev/outbox", { "CF-Connecting-IP": "127.0.0.1" }, outboxMode, 404],
    ["a loopback client naming a public host", "https://digest.example.org/dev/outbox", { "CF-Connecting-IP": "127.0.0.1" }, open, 404],
    ["loopback with the opt-in", "http://127.0.0.1/dev/outbox", { "CF-Connecting-IP": "127.0.0.1" }, open, 200],
    ["IPv6 loopback with the opt-in", "http://[::1]/dev/outbox", { "CF-Connecting-IP": "::1" }, open, 200],
    ["the admin token from anywhere", "https://digest.example.org/dev/outbox", { "CF-Connecting-IP": "192.0.2.44", ...ADMIN_AUTH }, outboxMode, 200],
    ["a wrong token", "https://digest.example.org/dev/outbox", { Authorization: "Bearer nope" }, outboxMode, 404],
    ["the token when a Resend key is set", "https://digest.example.org/dev/outbox", ADMIN_AUTH, {}, 404],
  ])("%s → %i", async (_, url, headers, overrides, status) => {
    expect((await call(url, { headers }, overrides)).status).toBe(status);
  });

  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["::ffff:127.0.0.1", true],
    ["10.0.0.1", false],
    ["1270.0.0.1", false],
    ["", false],
  ])("isLoopbackIp(%j) → %s", (ip, expected) => {
    expect(isLoopbackIp(ip)).toBe(expected);
  });
});

describe("configuration errors in public", () => {
  const broken: [string, Record<string, string | undefined>, string][] = [
    ["EMAIL_FROM", { EMAIL_FROM: "Digest <secret-mailbox-at-internal>" }, "secret-mailbox-at-internal"],
    ["PUBLIC_URL", { PUBLIC_URL: "ftp://intranet.secret.example" }, "intranet.secret.example"],
    ["FEED_URLS", { FEED_URLS: "gopher://hidden.example/feed" }, "hidden.example"],
  ];

  it.each(broken)("a bad %s: pages and JSON say misconfigured and name no value", async (name, overrides, value) => {
    const page = await call("https://digest.example.test/", { headers: { Accept: "text/html" } }, overrides);
    expect(page.status).toBe(500);
    const html = await page.text();
    expect(html).toMatch(/misconfigured/);
    expect(html).not.toContain(value);
    expect(html).not.toContain(name);

    const json = await call(
      "https://digest.example.test/subscribe",
      { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" },
      overrides,
    );
    expect(json.status).toBe(500);
    const body = await json.text();
    expect(body).toMatch(/misconfigured/);
    expect(body).not.toContain(value);

    const anonymous = await call("https://digest.example.test/admin/status", {}, overrides);
    expect(await anonymous.text()).not.toContain(value);
  });

  it("the operator sees the details on /admin/* with the admin token", async () => {
    const response = await call("https://digest.example.test/admin/status", { headers: ADMIN_AUTH }, { PUBLIC_URL: "ftp://intranet.secret.example" });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/PUBLIC_URL must be an http\(s\) URL/) });
  });
});
