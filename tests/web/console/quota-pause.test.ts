// Who lifts a mail-quota pause: a manual send to the readers (console or
// POST /admin/digest without dryRun) does; a dry run, a test send and the
// crons do not. (The full stop-retry-stop cycle with Resend's quota answer
// is in tests/drills/fault-drills.test.ts.)
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { getQuotaPause, pauseForQuota } from "../../../src/mail/quota-store";
import { ADMIN_AUTH } from "../../support/worker";
import { receivedEmails, serveFeed, setResendRules, uniqueDomain, uniqueName } from "../../support/servers";
import { natoDate, rss } from "../../support/feeds";
import { seedSubscribers } from "../../support/seed";
import { waitFor } from "../../support/kv";
import { call, ConsoleClient } from "../../support/console-client";

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

  it("resume from the console finishes a digest stopped by the quota, once the quota allows", async () => {
    const domain = uniqueDomain("console-resume");
    const readers = await seedSubscribers(domain, 150);
    await setResendRules(domain, { quotaRemaining: 100 });
    const client = new ConsoleClient({ FEED_URLS: await feed() });
    await client.signIn();
    const sent = await client.post("/console/send", { cadence: "daily", confirm: "yes" });
    const digestPath = sent.headers.get("Location")!;
    expect(digestPath).toMatch(/^\/console\/digests\//);
    await waitFor(async () => (await client.page(digestPath)).includes("Paused by the mail quota"), 30_000, "the quota stop");
    expect(await receivedEmails(domain)).toHaveLength(100);
    expect(await client.page("/console")).toContain("Resume sending");

    await setResendRules(domain, {});
    const resumed = await client.post("/console/resume");
    expect(await resumed.text()).toMatch(/The mail-quota pause is lifted\. 1 batch enqueued again/);
    await waitFor(
      async () => {
        const p = (await (await client.get(`${digestPath}/progress.json`)).json()) as { finished: boolean };
        return p.finished;
      },
      30_000,
      "the resumed digest",
    );
    expect((await receivedEmails(domain)).map((m) => m.to[0]).sort()).toEqual([...readers].sort());
  });
});
