// Console sign-in and the rules every state-changing request meets.
import { describe, expect, it } from "vitest";
import { feedHits, serveFeed, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { call, CONSOLE_TOKEN, ConsoleClient, form, ORIGIN } from "../../support/console-client";

describe("console sign-in", () => {
  it("shows a sign-in form to anyone without a session, and nothing else", async () => {
    const response = await call("/console");
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('action="/console/login"');
    expect(page).not.toContain("Overview");
    expect(response.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    // Other pages send the visitor to the sign-in page; JSON answers 401.
    expect((await call("/console/subscribers")).headers.get("Location")).toBe("/console");
    expect((await call("/console/digests/x/progress.json")).status).toBe(401);
  });

  it("a correct token answers 303 with a signed, HttpOnly, SameSite=Strict, Path=/console, Secure session cookie of 12 hours", async () => {
    const client = new ConsoleClient();
    const response = await client.signIn();
    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/console");
    const cookie = response.headers.get("Set-Cookie")!;
    expect(cookie).toMatch(/^console_session=[^;]+;/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/console/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(await client.page("/console")).toContain("<h1>Overview</h1>");
  });

  it("a wrong token gets the sign-in page again with 401 and no cookie", async () => {
    const client = new ConsoleClient();
    const response = await client.signIn("not-the-token-not-the-token-not-the-token");
    expect(response.status).toBe(401);
    expect(response.headers.get("Set-Cookie")).toBeNull();
    expect(await response.text()).toContain('action="/console/login"');
  });

  it("a tampered cookie is no session", async () => {
    const client = new ConsoleClient();
    await client.signIn();
    const [name, value] = client.cookie.split("=") as [string, string];
    const decoded = decodeURIComponent(value);
    // Push the expiry out by changing one digit, keep the signature.
    const tampered = `${name}=${encodeURIComponent(decoded.replace(/^(\d)/, (d) => String((Number(d) + 1) % 10)))}`;
    const page = await (await call("/console", { headers: { Cookie: tampered } })).text();
    expect(page).toContain('action="/console/login"');
    // A cookie signed with another key is refused as well.
    const response = await call("/console", { headers: { Cookie: client.cookie } }, { SIGNING_SECRET: "another-signing-secret-0123456789" });
    expect(await response.text()).toContain('action="/console/login"');
  });

  it("rate-limits sign-in attempts per client: the sixth in a minute gets 429", async () => {
    const client = new ConsoleClient();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await client.signIn("wrong-token-wrong-token-wrong-token-00")).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses[5]).toBe(429);
    // Even the right token waits now; another client is not affected.
    expect((await client.signIn()).status).toBe(429);
    expect((await new ConsoleClient().signIn()).status).toBe(303);
  });

  it("refuses to start with an ADMIN_TOKEN shorter than 32 characters, naming the setting and not its value", async () => {
    const short = "short-token-0123456789";
    const response = await call("/console", {}, { ADMIN_TOKEN: short });
    expect(response.status).toBe(500);
    const page = await response.text();
    expect(page).toContain("ADMIN_TOKEN is shorter than 32 characters");
    expect(page).not.toContain(short);
    const login = await call("/console/login", { method: "POST", ...form({ token: short }) }, { ADMIN_TOKEN: short });
    expect(login.status).toBe(500);
    expect(login.headers.get("Set-Cookie")).toBeNull();
    const unset = await call("/console", {}, { ADMIN_TOKEN: "" });
    expect(unset.status).toBe(500);
    expect(await unset.text()).toContain("ADMIN_TOKEN is not set");
  });

  it("the session cookie opens nothing under /admin (Bearer only)", async () => {
    const client = new ConsoleClient();
    await client.signIn();
    const response = await call("/admin/status", { headers: { Cookie: client.cookie } });
    expect(response.status).toBe(401);
  });

  it("sign-out ends the session", async () => {
    const client = new ConsoleClient();
    await client.signIn();
    const response = await client.post("/console/logout");
    expect(response.status).toBe(200);
    expect(response.headers.get("Set-Cookie")).toMatch(/console_session=; Max-Age=0/);
    // A copy of the cookie kept from before (another tab, a stolen one) opens nothing any more.
    expect(await (await call("/console", { headers: { Cookie: client.cookie } })).text()).toContain('action="/console/login"');
    expect((await client.post("/console/ingest")).status).toBe(403);
  });
});

describe("state-changing requests need the session, a CSRF token and no foreign Origin", () => {
  async function setUp() {
    const path = `/${uniqueName("csrf")}/feed.xml`;
    const url = await serveFeed(path, { body: rss([{ title: "One", link: "https://www.nato.int/cps/en/natohq/news_1.htm", pubDate: natoDate(new Date()) }]) });
    const client = new ConsoleClient({ FEED_URLS: url });
    await client.signIn();
    return { client, path };
  }

  it.each([
    ["no CSRF token", { csrf: "" }, {}],
    ["a wrong CSRF token", { csrf: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, {}],
    ["a foreign Origin", {}, { Origin: "https://evil.example" }],
    ["a cross-site fetch", {}, { "Sec-Fetch-Site": "cross-site" }],
    ["an opaque Origin from another site", {}, { Origin: "null", "Sec-Fetch-Site": "cross-site" }],
  ])("refuses %s with 403, and nothing changes", async (_, fields, headers) => {
    const { client, path } = await setUp();
    const response = await client.post("/console/ingest", fields, headers);
    expect(response.status).toBe(403);
    expect(await feedHits(path)).toEqual([]);
  });

  it("refuses a request without a session, even with a token from another session", async () => {
    const { client, path } = await setUp();
    const { body, headers } = form({ csrf: client.csrf });
    const response = await call("/console/ingest", { method: "POST", body, headers: { ...headers, Origin: ORIGIN } }, client.overrides);
    expect(response.status).toBe(403);
    expect(await feedHits(path)).toEqual([]);
  });

  it("accepts the same request with session, token and own Origin", async () => {
    const { client, path } = await setUp();
    const response = await client.post("/console/ingest");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("1 new release stored");
    expect((await feedHits(path)).length).toBe(1);
  });

  it("accepts Origin: null from its own pages (Referrer-Policy: no-referrer) when the browser says same-origin", async () => {
    const { client, path } = await setUp();
    const response = await client.post("/console/ingest", {}, { Origin: "null", "Sec-Fetch-Site": "same-origin" });
    expect(response.status).toBe(200);
    expect((await feedHits(path)).length).toBe(1);
  });

  it("refuses a CSRF token from another session", async () => {
    const { client, path } = await setUp();
    const other = new ConsoleClient(client.overrides);
    await other.signIn();
    client.csrf = other.csrf;
    expect((await client.post("/console/ingest")).status).toBe(403);
    expect(await feedHits(path)).toEqual([]);
  });

  it("the admin token itself is needed to sign in: a CSRF-less login from another site is refused", async () => {
    const { body, headers } = form({ token: CONSOLE_TOKEN });
    const response = await call("/console/login", { method: "POST", body, headers: { ...headers, Origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(response.headers.get("Set-Cookie")).toBeNull();
  });
});
