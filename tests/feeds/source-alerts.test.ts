import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import worker from "../../src/index";
import { getSource } from "../../src/feeds/source-store";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { testConfig } from "../support/worker";
import { receivedEmails, resendServerUrl, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { rss } from "../support/feeds";

const HOUR = 3_600_000;

function setup(feedUrl: string, adminDomain: string) {
  const config = testConfig({ FEED_URLS: feedUrl, ADMIN_EMAIL: `ops@${adminDomain}` });
  const mailer = createResendMailer({ apiKey: "re_test_key", baseUrl: resendServerUrl(), requestsPerSecond: 50 });
  return (at: Date) => runIngest(config, env.KV, fetch, () => at, mailer);
}

describe("failing sources", () => {
  it("flags a source after 24 hours of failures and mails ADMIN_EMAIL once; recovery resets it", async () => {
    const adminDomain = uniqueDomain("ops");
    const path = `/${uniqueName("flaky")}/feed.xml`;
    const url = await serveFeed(path, { status: 500 });
    const ingest = setup(url, adminDomain);
    const start = new Date("2026-03-01T00:00:00Z");
    for (let hour = 0; hour < 24; hour++) await ingest(new Date(start.getTime() + hour * HOUR));
    expect(await receivedEmails(adminDomain)).toHaveLength(0);
    expect((await getSource(env.KV, url))!.consecutiveFailures).toBe(24);

    await ingest(new Date(start.getTime() + 24 * HOUR));
    await ingest(new Date(start.getTime() + 25 * HOUR));
    const alerts = await receivedEmails(adminDomain);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toBe("NATO Digest: a feed is failing (127.0.0.1:" + new URL(url).port + ")");
    expect(alerts[0]!.text).toContain("failing for 24 hours");

    // Recovery clears the flag; a new failure episode may alert again later.
    await serveFeed(path, { body: rss([{ title: "Back", link: "https://x.test/back" }]) });
    await ingest(new Date(start.getTime() + 26 * HOUR));
    expect(await getSource(env.KV, url)).toMatchObject({ consecutiveFailures: 0, alertSentAt: null, failingSince: null });
  });

  it("flags a 403 at once", async () => {
    const adminDomain = uniqueDomain("ops403");
    const url = await serveFeed(`/${uniqueName("blocked")}/feed.xml`, { status: 403, body: "Forbidden" });
    const ingest = setup(url, adminDomain);
    await ingest(new Date("2026-03-05T00:00:00Z"));
    await ingest(new Date("2026-03-05T01:00:00Z"));
    const alerts = await receivedEmails(adminDomain);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain("HTTP 403");
  });

  it("shows the flag in /admin/status", async () => {
    const url = await serveFeed(`/${uniqueName("status403")}/feed.xml`, { status: 403 });
    await runIngest(testConfig({ FEED_URLS: url }), env.KV, fetch, () => new Date());
    const response = await worker.fetch(
      new Request("https://digest.example.test/admin/status", { headers: { Authorization: "Bearer test-admin-token-0123456789" } }),
      { ...env, FEED_URLS: url } as Env,
      createExecutionContext(),
    );
    const status = (await response.json()) as { sources: { url: string; flagged: string | null }[] };
    expect(status.sources[0]).toMatchObject({ url, flagged: expect.stringMatching(/403/) });
  });
});
