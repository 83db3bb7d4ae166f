import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { createToken } from "../../../src/subscribers/tokens";
import { call, randomIp, SIGNING_SECRET as SECRET } from "../../support/worker";
import { feedServerUrl, linkIn, receivedEmails, uniqueDomain } from "../../support/servers";
import { waitFor } from "../../support/kv";
import { drainSendQueue } from "../../support/queue";
import { awayFromWindowEdge } from "../../support/time";

function postJson(body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch("https://digest.example.test/subscribe", {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp(), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function postForm(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return SELF.fetch("https://digest.example.test/subscribe", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp(), ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

async function confirmationFor(domain: string, count = 1) {
  const emails = await waitFor(
    async () => {
      const received = await receivedEmails(domain);
      return received.length >= count ? received : null;
    },
    15_000,
    `confirmation email to ${domain}`,
  );
  return emails;
}

const settle = drainSendQueue; // the queue handled everything enqueued so far (tests/support/queue.ts)

describe("sign-up page", () => {
  it("serves an accessible form with strict security headers", async () => {
    const response = await SELF.fetch("https://digest.example.test/");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<label for="email">');
    expect(html).toContain('<form method="post" action="/subscribe"');
    expect(html).toContain('name="website"'); // honeypot
    expect(html).not.toContain("<script");
    const csp = response.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  });
});

describe("POST /subscribe", () => {
  it("JSON: 202, then one confirmation email with the link and what happens if ignored", async () => {
    const domain = uniqueDomain("json");
    const response = await postJson({ email: `  Reader@${domain.toUpperCase()} ` });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: "accepted" });
    const [email] = await confirmationFor(domain);
    expect(email!.to).toEqual([`Reader@${domain}`]);
    expect(email!.subject).toBe("Confirm your NATO Digest subscription");
    expect(email!.text).toMatch(/ignore this email/i);
    const link = linkIn(email!.text, "/confirm");
    expect(link.startsWith("https://digest.example.test/confirm?token=")).toBe(true);
    expect(email!.html).toContain(link.replace(/&/g, "&amp;"));
    expect(link).not.toContain(domain);

    const record = await getSubscriber(env.KV, await subscriberIdFor(`reader@${domain}`));
    expect(record).toMatchObject({ status: "unconfirmed", source: "api" });
  });

  it("form: answers with the check-your-inbox page", async () => {
    const domain = uniqueDomain("form");
    const response = await postForm({ email: `a@${domain}`, website: "" });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain("Check your inbox");
    await confirmationFor(domain);
    expect((await getSubscriber(env.KV, await subscriberIdFor(`a@${domain}`)))!.source).toBe("form");
  });

  it("answers every well-formed address the same, and sends at most one confirmation per 10 minutes", async () => {
    const domain = uniqueDomain("same");
    const first = await postJson({ email: `x@${domain}` });
    await confirmationFor(domain);
    const again = await postJson({ email: `x@${domain}` });
    expect(again.status).toBe(first.status);
    expect(await again.json()).toEqual({ status: "accepted", message: expect.any(String) });
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(1);
  });

  it.each([
    ["malformed address", { email: "not-an-address" }, 400, /exactly one @/],
    ["missing field", { mail: "a@example.org" }, 400, /enter an email/],
    ["wrong type", { email: ["a@example.org"] }, 400, /enter an email/],
    ["array body", [1, 2], 400, /JSON object/],
    ["broken JSON", "{email:", 400, /not valid JSON/],
    ["header injection", { email: "a@example.org\r\nBcc: b@example.org" }, 400, /control/],
  ])("JSON %s → %i with a clear message", async (_, body, status, message) => {
    const response = await postJson(body);
    expect(response.status).toBe(status);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it("form with a malformed address shows the form again with the error, and sends nothing", async () => {
    const domain = uniqueDomain("bad-form");
    const response = await postForm({ email: `bad address@${domain}` });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain(`value="bad address@${domain}"`);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("refuses other content types (415) and bodies over 16 KB (413)", async () => {
    const plain = await SELF.fetch("https://digest.example.test/subscribe", {
      method: "POST",
      headers: { "Content-Type": "text/plain", "CF-Connecting-IP": randomIp() },
      body: "a@example.org",
    });
    expect(plain.status).toBe(415);
    const big = await postJson({ email: "a@example.org", padding: "x".repeat(20_000) });
    expect(big.status).toBe(413);
    const bigForm = await postForm({ email: "a@example.org", padding: "x".repeat(20_000) });
    expect(bigForm.status).toBe(413);
  });

  it("a filled honeypot looks accepted but stores and sends nothing", async () => {
    const domain = uniqueDomain("honeypot");
    const response = await postForm({ email: `bot@${domain}`, website: "https://spam.example" });
    expect(response.status).toBe(202);
    await settle();
    expect(await receivedEmails(domain)).toHaveLength(0);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`bot@${domain}`))).toBeNull();
  });

  it("limits sign-ups per client IP: the 11th in a minute gets 429", async () => {
    await awayFromWindowEdge(60); // miniflare's limiter counts per wall-clock minute
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await postJson({ email: `r${i}@${uniqueDomain("rate")}` }, { "CF-Connecting-IP": ip })).status);
    expect(statuses.slice(0, 10).every((s) => s === 202)).toBe(true);
    expect(statuses[10]).toBe(429);
    const other = await postJson({ email: `ok@${uniqueDomain("rate")}` });
    expect(other.status).toBe(202);
  });
});

describe("confirmation and unsubscribe", () => {
  it("GET /confirm shows a button and changes nothing; POST confirms; twice is harmless", async () => {
    const domain = uniqueDomain("confirm");
    await postJson({ email: `c@${domain}` });
    const [email] = await confirmationFor(domain);
    const link = new URL(linkIn(email!.text, "/confirm"));
    const id = await subscriberIdFor(`c@${domain}`);

    const page = await SELF.fetch(link.toString());
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post" action="/confirm">');
    expect((await getSubscriber(env.KV, id))!.status).toBe("unconfirmed");

    const body = new URLSearchParams({ token: link.searchParams.get("token")! }).toString();
    const confirm = () =>
      SELF.fetch("https://digest.example.test/confirm", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
    const first = await confirm();
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/You(&#39;|')re subscribed/);
    const record = await getSubscriber(env.KV, id);
    expect(record).toMatchObject({ status: "confirmed", consentSource: "api" });
    expect(record!.consentAt).not.toBeNull();
    expect((await confirm()).status).toBe(200);
    expect((await getSubscriber(env.KV, id))!.consentAt).toBe(record!.consentAt);
  });

  it("forged, tampered and expired confirm links get a clear page, never a 500", async () => {
    const id = await subscriberIdFor(`nobody@${uniqueDomain("forged")}`);
    const expired = await createToken(SECRET, "confirm", id, new Date(Date.now() - 49 * 3600_000));
    const forged = await createToken("attacker-secret-0123456789abcdef", "confirm", id, new Date());
    for (const [token, status, text] of [
      ["junk", 400, "not valid"],
      [forged, 400, "not valid"],
      [expired, 410, "expired"],
      ["", 400, "not valid"],
    ] as const) {
      const get = await SELF.fetch(`https://digest.example.test/confirm?token=${encodeURIComponent(token)}`);
      expect(get.status, token).toBe(status);
      const html = await get.text();
      expect(html).toContain(text);
      expect(html).toContain('href="/"');
      const post = await SELF.fetch("https://digest.example.test/confirm", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `token=${encodeURIComponent(token)}`,
      });
      expect(post.status, token).toBe(status);
    }
    const noBody = await SELF.fetch("https://digest.example.test/confirm", { method: "POST" });
    expect(noBody.status).toBe(400);
    // A valid token for a subscriber that does not exist.
    const orphan = await createToken(SECRET, "confirm", id, new Date());
    const post = await SELF.fetch("https://digest.example.test/confirm", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `token=${orphan}`,
    });
    expect(post.status).toBe(410);
  });

  it("unsubscribe: GET shows a button; RFC 8058 one-click POST unsubscribes at once; re-subscribing needs a new opt-in", async () => {
    const domain = uniqueDomain("unsub");
    await postJson({ email: `u@${domain}` });
    const [email] = await confirmationFor(domain);
    const confirmToken = new URL(linkIn(email!.text, "/confirm")).searchParams.get("token")!;
    await SELF.fetch("https://digest.example.test/confirm", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `token=${confirmToken}`,
    });
    const id = await subscriberIdFor(`u@${domain}`);
    // The reader's own link, of their subscription's generation.
    const token = (await getSubscriber(env.KV, id))!.personalToken!;
    expect(token).toMatch(/^p2\./);
    const url = `https://digest.example.test/unsubscribe?token=${token}`;

    const page = await SELF.fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Unsubscribe from NATO Digest");
    expect((await getSubscriber(env.KV, id))!.status).toBe("confirmed");

    const oneClick = await SELF.fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    const record = await getSubscriber(env.KV, id);
    expect(record).toMatchObject({ status: "unsubscribed", email: "" });
    expect((await SELF.fetch(url, { method: "POST" })).status).toBe(200); // twice is harmless

    const back = await postJson({ email: `u@${domain}` });
    expect(back.status).toBe(202);
    await confirmationFor(domain, 2);
    expect((await getSubscriber(env.KV, id))!.status).toBe("unconfirmed");
  });

  it("a confirm token cannot unsubscribe and a bad unsubscribe token gets a clear page", async () => {
    const id = await subscriberIdFor(`p@${uniqueDomain("purpose")}`);
    const confirm = await createToken(SECRET, "confirm", id, new Date());
    for (const token of [confirm, "junk"]) {
      expect((await SELF.fetch(`https://digest.example.test/unsubscribe?token=${token}`)).status).toBe(400);
      expect((await SELF.fetch(`https://digest.example.test/unsubscribe?token=${token}`, { method: "POST" })).status).toBe(400);
    }
  });
});

describe("Turnstile", () => {
  function subscribeWithTurnstile(fields: Record<string, string>, secret: string) {
    const overrides = {
      TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
      TURNSTILE_SECRET_KEY: secret,
      TURNSTILE_VERIFY_URL: `${feedServerUrl()}/__turnstile/siteverify`,
    };
    return call(
      "/subscribe",
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() },
        body: new URLSearchParams(fields).toString(),
      },
      overrides,
    );
  }

  it("shows the widget when enabled", async () => {
    const response = await call("/", {}, { TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET_KEY: "1x0000000000000000000000000000000AA" });
    const html = await response.text();
    expect(html).toContain('data-sitekey="1x00000000000000000000AA"');
    expect(html).toContain("https://challenges.cloudflare.com/turnstile/v0/api.js");
  });

  it("accepts a sign-up that passes, refuses one that fails or has no token", async () => {
    const domain = uniqueDomain("turnstile");
    expect(
      (await subscribeWithTurnstile({ email: `ok@${domain}`, "cf-turnstile-response": "XXXX.DUMMY.TOKEN" }, "1x0000000000000000000000000000000AA")).status,
    ).toBe(202);
    expect(
      (await subscribeWithTurnstile({ email: `no@${domain}`, "cf-turnstile-response": "XXXX.DUMMY.TOKEN" }, "2x0000000000000000000000000000000AA")).status,
    ).toBe(400);
    expect((await subscribeWithTurnstile({ email: `none@${domain}` }, "1x0000000000000000000000000000000AA")).status).toBe(400);
    await confirmationFor(domain);
    await settle();
    expect((await receivedEmails(domain)).map((e) => e.to[0])).toEqual([`ok@${domain}`]);
  });
});
