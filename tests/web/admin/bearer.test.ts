// /admin/* behind Hono's bearerAuth (src/web/bearer.ts), the one bearer
// parser: every refusal is a 401 JSON answer with a Bearer challenge,
// malformed headers included (Hono's own default for those is 400); the
// scheme is case-insensitive. The dev outbox and the error handler ask the
// same parser.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";

const TOKEN = "test-admin-token-0123456789";

async function call(path: string, headers: Record<string, string>, overrides: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://localhost${path}`, { headers }), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("the admin bearer token", () => {
  it.each([
    ["the scheme alone", "Bearer"],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`],
    ["a token with a character outside RFC 6750", `Bearer ${TOKEN}!`],
    ["the token without a scheme", TOKEN],
  ])("refuses %s with 401, a JSON error and a Bearer challenge", async (_, authorization) => {
    const response = await call("/admin/releases", { Authorization: authorization });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="nato-digest admin"');
    expect(await response.json()).toEqual({ error: "a valid admin bearer token is required" });
  });

  it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer   ${TOKEN}`])("accepts %j", async (authorization) => {
    expect((await call("/admin/releases", { Authorization: authorization })).status).toBe(200);
  });

  it("opens the dev outbox in outbox mode, where anything else is 404", async () => {
    const outbox = { RESEND_API_KEY: "" };
    expect((await call("/dev/outbox", { Authorization: `Bearer ${TOKEN}`, Accept: "application/json" }, outbox)).status).toBe(200);
    expect((await call("/dev/outbox", { Authorization: "Bearer wrong", Accept: "application/json" }, outbox)).status).toBe(404);
    expect((await call("/dev/outbox", { Authorization: "Basic x", Accept: "application/json" }, outbox)).status).toBe(404);
  });

  it("shows a configuration error's details to the token only", async () => {
    const broken = { FEED_URLS: "ftp://nope.example/feed" };
    const withToken = await call("/admin/status", { Authorization: `Bearer ${TOKEN}` }, broken);
    expect(withToken.status).toBe(500);
    expect(await withToken.text()).toContain("FEED_URLS");
    const without = await call("/admin/status", { Authorization: "Bearer wrong" }, broken);
    expect(without.status).toBe(500);
    expect(await without.text()).not.toContain("FEED_URLS");
  });
});
