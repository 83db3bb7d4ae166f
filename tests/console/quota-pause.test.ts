// Who lifts a mail-quota pause: a manual send to the readers (console or
// POST /admin/digest without dryRun) does; a dry run, a test send and the
// crons do not. (The full stop-retry-stop cycle with Resend's quota answer
// is in tests/digest/fault-drills.test.ts.)
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { getQuotaPause, pauseForQuota } from "../../src/mail/quota-store";
import { ADMIN_AUTH, natoDate, rss, serveFeed, uniqueName } from "../helpers";
import { call, ConsoleClient } from "./console-client";

async function feed(): Promise<string> {
  return serveFeed(`/${uniqueName("quota")}/feed.xml`, {
    body: rss([{ title: "Quota", link: `https://www.nato.int/cps/en/natohq/news_${uniqueName("q")}.htm`, pubDate: natoDate(new Date()) }]),
  });
}

async function adminDigest(body: object, feedUrl: string) {
  return call(
    "/admin/digest",
    { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": "application/json" }, body: JSON.stringify(body) },
    { FEED_URLS: feedUrl, ADMIN_TOKEN: "test-admin-token-0123456789" },
  );
}

describe("the mail-quota pause", () => {
  it("a dry run, a test send and the crons leave it; POST /admin/digest without dryRun lifts it", async () => {
    const feedUrl = await feed();
    await pauseForQuota(env.KV, new Date(), "daily_quota_exceeded: test");
    expect((await adminDigest({ dryRun: true }, feedUrl)).status).toBe(200);
    expect(await getQuotaPause(env.KV, new Date())).not.toBeNull();
    expect((await adminDigest({ to: "someone@example.org" }, feedUrl)).status).toBe(200);
    expect(await getQuotaPause(env.KV, new Date())).not.toBeNull();
    for (const cron of ["17 * * * *", "0 7 * * *"]) {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), { ...env, FEED_URLS: feedUrl } as Env, ctx);
      await waitOnExecutionContext(ctx);
      expect(await getQuotaPause(env.KV, new Date()), cron).not.toBeNull();
    }
    expect((await adminDigest({}, feedUrl)).status).toBe(200);
    expect(await getQuotaPause(env.KV, new Date())).toBeNull();
  });

  it("the console's send now lifts it too", async () => {
    const feedUrl = await feed();
    await pauseForQuota(env.KV, new Date(), "daily_quota_exceeded: test");
    const client = new ConsoleClient({ FEED_URLS: feedUrl });
    await client.signIn();
    expect(await client.page("/console/send?cadence=daily")).toContain("lifts the mail-quota pause");
    const response = await client.post("/console/send", { cadence: "daily", confirm: "yes" });
    expect([200, 303]).toContain(response.status);
    expect(await getQuotaPause(env.KV, new Date())).toBeNull();
  });
});
