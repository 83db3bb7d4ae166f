// Optional Cloudflare Access in front of the console: its signed JWT signs
// the user in; a JWT for another audience, from another issuer, expired or
// signed with another key does not. The team's keys are served by the local
// feed server, as Access publishes them (/cdn-cgi/access/certs).
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { feedHits, serveFeed, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { call, ORIGIN } from "../../support/console-client";

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
  const base = `/${uniqueName("team")}`;
  const certs = await serveFeed(`${base}/cdn-cgi/access/certs`, { body: JSON.stringify({ keys: [jwk] }), contentType: "application/json" });
  team = certs.slice(0, -"/cdn-cgi/access/certs".length);
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

  it("is ignored unless configured, and half a configuration is an error naming both settings", async () => {
    const page = await (await call("/console", { headers: { "Cf-Access-Jwt-Assertion": await accessJwt() } })).text();
    expect(page).toContain('action="/console/login"');
    const half = await call("/console", {}, { ACCESS_TEAM_DOMAIN: team });
    expect(half.status).toBe(500);
    expect(await half.text()).toContain("set both ACCESS_TEAM_DOMAIN and ACCESS_AUD");
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
