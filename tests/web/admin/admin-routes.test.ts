import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { call } from "../../support/worker";
import { serveFeed, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";

const TOKEN = "test-admin-token-0123456789";

const auth = { Authorization: `Bearer ${TOKEN}` };

describe("admin auth", () => {
  it("fails closed when ADMIN_TOKEN is not configured", async () => {
    const response = await call("http://localhost/admin/status", { headers: auth }, { ADMIN_TOKEN: "" });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/ADMIN_TOKEN/) });
  });

  it.each([
    ["no header", {}],
    ["wrong token", { Authorization: "Bearer nope" }],
    ["token prefix", { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ["basic scheme", { Authorization: `Basic ${btoa(`admin:${TOKEN}`)}` }],
  ])("refuses %s with 401", async (_, headers) => {
    const response = await call("http://localhost/admin/releases", { headers });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer/);
  });
});

describe("admin routes", () => {
  it("POST /admin/ingest ingests the configured feeds and reports per source; releases and status show the result", async () => {
    const now = new Date();
    const url = await serveFeed(`/${uniqueName("admin")}/feed.xml`, {
      body: rss([
        { title: "Older", link: "https://x.test/admin-older", pubDate: natoDate(new Date(now.getTime() - 3_600_000 * 5)) },
        { title: "Newest", link: "https://x.test/admin-newest", pubDate: natoDate(new Date(now.getTime() - 3_600_000)) },
      ]),
    });
    const broken = await serveFeed(`/${uniqueName("admin")}/broken.xml`, { status: 500 });
    const feeds = { FEED_URLS: `${url},${broken}` };
    const ingest = await call("http://localhost/admin/ingest", { method: "POST", headers: auth }, feeds);
    expect(ingest.status).toBe(200);
    const report = (await ingest.json()) as { sources: { url: string; status: string; new: number; total: number }[] };
    expect(report.sources).toEqual([
      expect.objectContaining({ url, status: "ok", new: 2, total: 2 }),
      expect.objectContaining({ url: broken, status: "error", new: 0 }),
    ]);

    const releases = (await (await call("http://localhost/admin/releases?limit=1", { headers: auth }, feeds)).json()) as { releases: { title: string }[] };
    expect(releases.releases.map((r) => r.title)).toEqual(["Newest"]);

    const status = (await (await call("http://localhost/admin/status", { headers: auth }, feeds)).json()) as {
      sources: { url: string; consecutiveFailures: number; lastError: string | null; seenIds: number }[];
      lastIngest: { new: number };
    };
    expect(status.sources).toEqual([
      expect.objectContaining({ url, consecutiveFailures: 0, seenIds: 2 }),
      expect.objectContaining({ url: broken, consecutiveFailures: 1, lastError: expect.stringMatching(/HTTP 500/) }),
    ]);
    expect(status.lastIngest.new).toBe(2);
  });

  it("validates ?limit", async () => {
    for (const limit of ["0", "-1", "abc", "1.5", "100000"]) {
      const response = await call(`http://localhost/admin/releases?limit=${limit}`, { headers: auth });
      expect(response.status).toBe(400);
    }
  });

  it("answers unknown routes with 404 JSON and sets security headers", async () => {
    const response = await call("http://localhost/nope");
    expect(response.status).toBe(404);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });

  it("reports a missing SIGNING_SECRET as a clear configuration error", async () => {
    const response = await call("http://localhost/admin/status", { headers: auth }, { SIGNING_SECRET: undefined });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/SIGNING_SECRET is not set/) });
  });
});

describe("/dev/outbox", () => {
  it("exists only in outbox mode, with the admin token or the local-dev opt-in from loopback", async () => {
    expect((await call("http://localhost/dev/outbox", { headers: auth })).status).toBe(404); // Resend key configured in tests
    expect((await call("http://localhost/dev/outbox", {}, { RESEND_API_KEY: "" })).status).toBe(404); // loopback Host alone is not enough
    expect((await call("http://localhost/dev/outbox", { headers: auth }, { RESEND_API_KEY: "" })).status).toBe(200);
    const outbox = await call("http://localhost/dev/outbox", { headers: { "CF-Connecting-IP": "127.0.0.1" } }, { RESEND_API_KEY: "", DEV_OUTBOX_OPEN: "true" });
    expect(outbox.status).toBe(200);
    expect(await outbox.text()).toContain("Local outbox");
    const ctx = createExecutionContext();
    const remote = await worker.fetch(new Request("https://digest.example.org/dev/outbox"), { ...env, RESEND_API_KEY: "" } as Env, ctx);
    expect(remote.status).toBe(404);
  });
});
