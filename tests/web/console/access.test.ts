// Optional Cloudflare Access in front of the console: its signed JWT signs
// the user in; a JWT for another audience, from another issuer, expired or
// signed with another key does not. ACCESS_TEAM_DOMAIN must be a Cloudflare
// team domain (https://<team>.cloudflareaccess.com); the test answers that
// domain's key URL from the local feed server, where the team's keys are
// served as Access publishes them (/cdn-cgi/access/certs).
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { feedHits, serveFeed, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { call, CONSOLE_TOKEN, ORIGIN } from "../../support/console-client";

const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
let team: string;
let signingKey: CryptoKey;
let otherKey: CryptoKey;

async function accessJwt(options: { key?: CryptoKey; aud?: string; iss?: string; expiresIn?: string; kid?: string } = {}) {
  return new SignJWT({ email: "operator@example.org", type: "app" })
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "team-key" })
    .setIssuer(options.iss ?? team)
    .setAudience(options.aud ?? AUD)
    .setSubject("7335d417-61da-459d-899c-0a01c76a2f94")
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "10m")
    .sign(options.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair("RS256")).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: "team-key", alg: "RS256", use: "sig" };
  const name = uniqueName("team")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-");
  const certs = await serveFeed(`/${name}/cdn-cgi/access/certs`, { body: JSON.stringify({ keys: [jwk] }), contentType: "application/json" });
  team = `https://${name}.cloudflareaccess.com`;
  const realFetch = globalThis.fetch;
  // Only the team's key URL is answered locally; every other request goes out as it would.
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return url === `${team}/cdn-cgi/access/certs` ? realFetch(certs, init) : realFetch(input, init);
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});

function withAccess(extra: Record<string, string> = {}) {
  return { ACCESS_TEAM_DOMAIN: team, ACCESS_AUD: AUD, ...extra };
}

describe("Cloudflare Access", () => {
  it("a valid Access JWT opens the console without the token login", async () => {
    const response = await call("/console", { headers: { "Cf-Access-Jwt-Assertion": await accessJwt() } }, withAccess());
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<h1>Overview</h1>");
  });

  it.each([
    ["another audience", { aud: "another-app" }],
    ["another issuer", { iss: "https://evil.cloudflareaccess.com" }],
    ["another key", { key: "other" as const }],
    ["an expired token", { expiresIn: "-1m" }],
  ])("%s is no session", async (_, options) => {
    const { key, ...rest } = options as { key?: "other"; aud?: string; iss?: string; expiresIn?: string };
    const jwt = await accessJwt({ ...rest, key: key === "other" ? otherKey : undefined });
    const page = await (await call("/console", { headers: { "Cf-Access-Jwt-Assertion": jwt } }, withAccess())).text();
    expect(page).toContain('action="/console/login"');
  });

  it("is ignored unless configured, and half a configuration is a configuration error naming both settings", async () => {
    const page = await (await call("/console", { headers: { "Cf-Access-Jwt-Assertion": await accessJwt() } })).text();
    expect(page).toContain('action="/console/login"');
    const half = await call("/console", {}, { ACCESS_TEAM_DOMAIN: team });
    expect(half.status).toBe(500);
    // Read in readConfig like every setting: the details go to the operator, with the admin token.
    const admin = await call("/admin/status", { headers: { Authorization: `Bearer ${CONSOLE_TOKEN}` } }, { ACCESS_TEAM_DOMAIN: team });
    expect(admin.status).toBe(500);
    expect(await admin.text()).toContain("set both ACCESS_TEAM_DOMAIN and ACCESS_AUD");
  });

  it("state changes still need the CSRF token from a page", async () => {
    const path = `/${uniqueName("access")}/feed.xml`;
    const url = await serveFeed(path, { body: rss([{ title: "One", link: "https://www.nato.int/cps/en/natohq/news_77.htm", pubDate: natoDate(new Date()) }]) });
    const overrides = withAccess({ FEED_URLS: url });
    const headers = { "Cf-Access-Jwt-Assertion": await accessJwt(), "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN };
    expect((await call("/console/ingest", { method: "POST", headers, body: "csrf=" }, overrides)).status).toBe(403);
    expect(await feedHits(path)).toEqual([]);
    const page = await (await call("/console", { headers: { "Cf-Access-Jwt-Assertion": await accessJwt() } }, overrides)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const fresh = { ...headers, "Cf-Access-Jwt-Assertion": await accessJwt() };
    const response = await call("/console/ingest", { method: "POST", headers: fresh, body: `csrf=${encodeURIComponent(csrf)}` }, overrides);
    expect(response.status).toBe(200);
    expect((await feedHits(path)).length).toBe(1);
  });
});
