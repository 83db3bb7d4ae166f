// What the README promises about the HTTP routes that no other test pinned
// down: Turnstile through JSON, the archive and admin listings, the same
// answer whatever an address's state, import and export details, the local
// outbox behind the admin token, and the webhook's limits and header names.
import { env, reset } from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, call, randomIp, RESEND_WEBHOOK_SECRET as SECRET, testConfig } from "../support/worker";
import { feedServerUrl, receivedEmails, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { natoDate, rss } from "../support/feeds";
import { seedSubscribers } from "../support/seed";
import { waitFor } from "../support/kv";
import { drainSendQueue } from "../support/queue";

const BASE = "https://digest.example.test";

function subscribeJson(body: unknown, overrides: Record<string, unknown> = {}) {
  return call(
    "/subscribe",
    { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() }, body: JSON.stringify(body) },
    overrides,
  );
}

beforeEach(async () => {
  await reset();
});

describe("Turnstile on the JSON API", () => {
  const turnstile = (secret: string, verifyUrl = `${feedServerUrl()}/__turnstile/siteverify`) => ({
    TURNSTILE_SITE_KEY: "1x00000000000000000000AA",
    TURNSTILE_SECRET_KEY: secret,
    TURNSTILE_VERIFY_URL: verifyUrl,
  });

  it('a JSON sign-up passes with a good "turnstileToken", and is refused without one or with a failing one', async () => {
    const domain = uniqueDomain("ts-json");
    const pass = turnstile("1x0000000000000000000000000000000AA");
    expect((await subscribeJson({ email: `a@${domain}`, turnstileToken: "token-from-the-widget" }, pass)).status).toBe(202);
    const missing = await subscribeJson({ email: `b@${domain}` }, pass);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/anti-spam check/);
    expect((await subscribeJson({ email: `c@${domain}`, turnstileToken: "t" }, turnstile("2x0000000000000000000000000000000AA"))).status).toBe(400);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`a@${domain}`))).not.toBeNull();
    expect(await getSubscriber(env.KV, await subscriberIdFor(`b@${domain}`))).toBeNull();
    expect(await getSubscriber(env.KV, await subscriberIdFor(`c@${domain}`))).toBeNull();
  });

  it("siteverify down: 503 with a plain message, and nobody is signed up (fail closed)", async () => {
    const down = await serveFeed(`/${uniqueName("siteverify")}/down`, { status: 503, body: "unavailable" });
    const domain = uniqueDomain("ts-down");
    const response = await subscribeJson({ email: `a@${domain}`, turnstileToken: "t" }, turnstile("1x0000000000000000000000000000000AA", down));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toMatch(/unavailable right now/);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`a@${domain}`))).toBeNull();
  });
});

describe("POST /subscribe never reveals whether an address is subscribed", () => {
  it("the same 202 and body for a new, a confirmed, an unsubscribed and a suppressed address", async () => {
    const domain = uniqueDomain("same");
    const [confirmed] = await seedSubscribers(domain, 1, "confirmed", "conf");
    const [unsubscribed] = await seedSubscribers(domain, 1, "unsubscribed", "unsub");
    const [suppressed] = await seedSubscribers(domain, 1, "suppressed", "supp");
    const answers = [];
    for (const email of [`new@${domain}`, confirmed!, unsubscribed!, suppressed!]) {
      const response = await subscribeJson({ email });
      answers.push({ status: response.status, body: await response.text() });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.status).toBe(202);
    await drainSendQueue();
    // Only the new and the unsubscribed (who may opt in again) get a confirmation email.
    const to = (await receivedEmails(domain)).map((e) => e.to[0]).sort();
    expect(to).not.toContain(confirmed);
    expect(to).not.toContain(suppressed);
  });
});

describe("archive and admin listings", () => {
  async function makeDigest(name: string) {
    await seedSubscribers(uniqueDomain(name), 3);
    const feedUrl = await serveFeed(`/${uniqueName(name)}/news.xml`, {
      body: rss([{ title: `${name} <b>release</b>`, link: `https://www.nato.int/${name}.htm`, pubDate: natoDate(new Date(Date.now() - 3_600_000)) }]),
    });
    const response = await call("/admin/digest", { method: "POST", headers: ADMIN_AUTH }, { FEED_URLS: feedUrl, RESEND_API_KEY: "" });
    return ((await response.json()) as { digest: { digestId: string; subject: string } }).digest;
  }

  it("GET /digests lists past digests with links; GET /admin/digests lists them as JSON behind the token", async () => {
    expect(await (await call("/digests")).text()).toContain("No digest has been sent yet");
    const digest = await makeDigest("archive");
    const page = await (await call("/digests")).text();
    expect(page).toContain(`href="/digests/${digest.digestId}"`);
    expect(page).not.toContain("<b>release</b>"); // feed text is data
    expect((await call("/admin/digests")).status).toBe(401);
    const listed = (await (await call("/admin/digests", { headers: ADMIN_AUTH })).json()) as { digests: { id: string; meta: { recipientCount: number } }[] };
    expect(listed.digests).toEqual([expect.objectContaining({ id: digest.digestId, meta: expect.objectContaining({ recipientCount: 3 }) })]);
  });

  it("GET /admin/releases?days looks back that many days, newest first, and refuses a bad value", async () => {
    const url = await serveFeed(`/${uniqueName("days")}/feed.xml`, {
      body: rss([{ title: "Three days old", link: "https://www.nato.int/old.htm", pubDate: natoDate(new Date(Date.now() - 3 * 86_400_000)) }]),
    });
    await runIngest(testConfig({ FEED_URLS: url, LOOKBACK_HOURS: "200" }), env.KV, fetch, () => new Date(Date.now() - 3 * 86_400_000));
    await serveFeed(new URL(url).pathname, {
      body: rss([
        { title: "Three days old", link: "https://www.nato.int/old.htm", pubDate: natoDate(new Date(Date.now() - 3 * 86_400_000)) },
        { title: "Today", link: "https://www.nato.int/today.htm", pubDate: natoDate(new Date(Date.now() - 60_000)) },
      ]),
    });
    await runIngest(testConfig({ FEED_URLS: url }), env.KV);
    const titles = async (query: string) =>
      ((await (await call(`/admin/releases${query}`, { headers: ADMIN_AUTH })).json()) as { releases: { title: string }[] }).releases.map((r) => r.title);
    expect(await titles("?days=1")).toEqual(["Today"]);
    expect(await titles("?days=7")).toEqual(["Today", "Three days old"]);
    expect(await titles("")).toEqual(["Today", "Three days old"]); // 14 by default
    expect((await call("/admin/releases?days=91", { headers: ADMIN_AUTH })).status).toBe(400);
    expect((await call("/admin/releases?days=x", { headers: ADMIN_AUTH })).status).toBe(400);
  });
});

describe("import and export", () => {
  function upload(body: BodyInit, type: string, query = "", headers: Record<string, string> = {}) {
    return call(`/admin/subscribers/import${query}`, { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": type, ...headers }, body });
  }

  async function waitForImport(id: string) {
    return waitFor(
      async () => {
        const progress = (await (await call(`/admin/imports/${id}`, { headers: ADMIN_AUTH })).json()) as { pending: number; totals: Record<string, number> };
        return progress.pending === 0 ? progress : null;
      },
      30_000,
      `import ${id}`,
    );
  }

  it("?optin=1 leaves suppressed and unsubscribed addresses alone and mails only the new ones", async () => {
    const domain = uniqueDomain("optin-kept");
    const [unsubscribed] = await seedSubscribers(domain, 1, "unsubscribed", "unsub");
    const [suppressed] = await seedSubscribers(domain, 1, "suppressed", "supp");
    const response = await upload(JSON.stringify([`new1@${domain}`, `new2@${domain}`, unsubscribed, suppressed]), "application/json", "?optin=1");
    expect(response.status).toBe(202);
    const progress = await waitForImport(((await response.json()) as { id: string }).id);
    expect(progress.totals).toMatchObject({ keptUnsubscribed: 1, keptSuppressed: 1, optInSent: 2 });
    expect(await getSubscriber(env.KV, await subscriberIdFor(unsubscribed!))).toMatchObject({ status: "unsubscribed" });
    expect(await getSubscriber(env.KV, await subscriberIdFor(suppressed!))).toMatchObject({ status: "suppressed" });
    await drainSendQueue();
    expect((await receivedEmails(domain)).map((e) => e.to[0]).sort()).toEqual([`new1@${domain}`, `new2@${domain}`]);
  });

  it.each(["e-mail", "Email Address", "E-Mail address"])('a CSV whose address column is headed "%s" imports', async (header) => {
    const domain = uniqueDomain("header");
    const response = await upload(`name,${header}\nAnna,anna@${domain}\nBo,bo@${domain}\n`, "text/csv");
    expect(response.status).toBe(202);
    expect((await waitForImport(((await response.json()) as { id: string }).id)).totals).toMatchObject({ added: 2 });
  });

  it("an upload declared over 20 MB is refused with 413 before it is read", async () => {
    const response = await upload("email\nx@example.org\n", "text/csv", "", { "Content-Length": String(21 * 1024 * 1024) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/over 20 MB/);
  });

  it("export streams every subscriber across more than one KV list page (1,000 keys each)", async () => {
    const domain = uniqueDomain("export");
    await seedSubscribers(domain, 1_150);
    const csv = await (await call("/admin/subscribers?format=csv", { headers: ADMIN_AUTH })).text();
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toBe(
      "email,status,consentAt,consentSource,createdAt,unsubscribedAt,suppressedAt,suppressedReason,cadence,topics,lang,sources,otherLanguage",
    );
    expect(rows.slice(1)).toHaveLength(1_150);
    expect(new Set(rows.slice(1).map((r) => r.split(",")[0])).size).toBe(1_150);
    const json = (await (await call("/admin/subscribers?format=json", { headers: ADMIN_AUTH })).json()) as { email: string }[];
    expect(json).toHaveLength(1_150);
  });
});

describe("the local outbox behind the admin token", () => {
  it("/dev/outbox answers only with the admin token or the local-dev opt-in from loopback, and never in Resend mode", async () => {
    const outboxMode = { RESEND_API_KEY: "" };
    expect((await call("/dev/outbox", { headers: { Accept: "application/json" } }, outboxMode)).status).toBe(404);
    expect((await call("/dev/outbox", { headers: { Accept: "application/json", Authorization: "Bearer wrong-token" } }, outboxMode)).status).toBe(404);
    const withToken = await call("/dev/outbox", { headers: { Accept: "application/json", ...ADMIN_AUTH } }, outboxMode);
    expect(withToken.status).toBe(200);
    expect(await withToken.json()).toMatchObject({ messages: expect.any(Array) });
    // A loopback host alone is not enough (a client can send `Host: localhost`); the explicit local-dev opt-in with a loopback client is.
    expect((await call("http://127.0.0.1:8787/dev/outbox", { headers: { Accept: "application/json" } }, outboxMode)).status).toBe(404);
    const localDev = { ...outboxMode, DEV_OUTBOX_OPEN: "true" };
    expect(
      (await call("http://127.0.0.1:8787/dev/outbox", { headers: { Accept: "application/json", "CF-Connecting-IP": "127.0.0.1" } }, localDev)).status,
    ).toBe(200);
    expect((await call("/dev/outbox", { headers: { Accept: "application/json", ...ADMIN_AUTH } })).status).toBe(404); // Resend mode
  });
});

describe("the Resend webhook", () => {
  const bounce = (to: string) =>
    JSON.stringify({
      type: "email.bounced",
      created_at: new Date().toISOString(),
      data: { email_id: crypto.randomUUID(), to: [to], bounce: { type: "Permanent", subType: "General", message: "550" } },
    });

  it("accepts the standard webhook-id / webhook-timestamp / webhook-signature header names", async () => {
    const [address] = await seedSubscribers(uniqueDomain("std-headers"), 1);
    const payload = bounce(address!);
    const id = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const headers = {
      "Content-Type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(SECRET).sign(id, at, payload),
    };
    const response = await call("/webhooks/resend", { method: "POST", headers, body: payload });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ action: "suppressed", changed: 1 });
    expect(await getSubscriber(env.KV, await subscriberIdFor(address!))).toMatchObject({ status: "suppressed" });
  });

  it("a payload over 256 KB is refused with 413, signed or not", async () => {
    const payload = JSON.stringify({ type: "email.bounced", padding: "x".repeat(256 * 1024) });
    const id = `msg_${crypto.randomUUID()}`;
    const at = new Date();
    const signature = new Webhook(SECRET).sign(id, at, payload);
    const response = await call("/webhooks/resend", {
      method: "POST",
      headers: { "Content-Type": "application/json", "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature },
      body: payload,
    });
    expect(response.status).toBe(413);
  });
});
