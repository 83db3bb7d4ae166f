// Every console page on a fresh install (this file's storage is empty): each
// says what to do next instead of showing empty tables. Plus the daily
// counts snapshot and the offline sample feed.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../../src/config";
import { listDailyCounts, saveDailyCountsIfMissing } from "../../../src/subscribers/daily-counts";
import { buildSampleFeed, saveSampleFeedSwitch, withSampleFeed } from "../../../src/feeds/sample-feed";
import { parseFeed } from "../../../src/feeds/parse-feed";
import { parseFeedDate } from "../../../src/feeds/dates";
import worker from "../../../src/index";
import { feedServerUrl, uniqueDomain } from "../../support/servers";
import { seedSubscribers } from "../../support/seed";
import { call, ConsoleClient } from "../../support/console-client";

describe("empty states", () => {
  it("every page answers 200 and says what to do next", async () => {
    const client = new ConsoleClient({ FEED_URLS: `${feedServerUrl()}/empty/never-read.xml` });
    await client.signIn();
    const overview = await client.page("/console");
    expect(overview).toContain("No feed has been read yet. Press <strong>Ingest now</strong>");
    expect(overview).toContain("Nothing new since the last digest");
    expect(overview).toContain("No digest yet.");
    expect(overview).toContain("No readers yet.");
    expect(overview).toContain("No digest has been sent yet, so there is nothing to chart.");
    expect(overview).not.toContain("Mail quota pause");

    const digests = await client.page("/console/digests");
    expect(digests).toContain("No digest yet. Preview one above");
    const preview = await client.page("/console/preview");
    expect(preview).toContain("No digest to preview");
    expect(preview).not.toContain("<iframe");
    expect(await client.page("/console/send")).toContain("Right now there is nothing new to send");
    const subscribers = await client.page("/console/subscribers");
    expect(subscribers).toContain("No readers yet.");
    expect(await (await client.get("/console/subscribers/export?format=json")).text()).toBe("[]\n");
    expect((await client.get("/console/imports/20260101-abcdef12")).status).toBe(404);

    const resume = await client.post("/console/resume");
    expect(await resume.text()).toContain("There was no mail-quota pause. No digest was waiting to finish.");
  });
});

describe("daily counts snapshot", () => {
  it("is written once a day by the hourly cron, and read back for the chart", async () => {
    const now = new Date();
    await seedSubscribers(uniqueDomain("snapshot"), 4);
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: "17 * * * *", scheduledTime: now.getTime() }),
      { ...env, FEED_URLS: `${feedServerUrl()}/snapshot/missing.xml` } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const days = await listDailyCounts(env.KV, now, 30);
    expect(days).toEqual([{ day: now.toISOString().slice(0, 10), counts: expect.objectContaining({ confirmed: 4 }) }]);
    // Already there today: no second write, so later changes wait for tomorrow's snapshot.
    await seedSubscribers(uniqueDomain("snapshot-later"), 2);
    expect(await saveDailyCountsIfMissing(env.KV, now)).toBe(false);
    expect((await listDailyCounts(env.KV, now, 30))[0]!.counts.confirmed).toBe(4);
    // Another day gets its own snapshot.
    const tomorrow = new Date(now.getTime() + 86_400_000);
    expect(await saveDailyCountsIfMissing(env.KV, tomorrow)).toBe(true);
    expect((await listDailyCounts(env.KV, tomorrow, 30)).map((d) => d.counts.confirmed)).toEqual([4, 6]);

    const client = new ConsoleClient();
    await client.signIn();
    const overview = await client.page("/console");
    expect(overview).toMatch(new RegExp(`<tr>\\s*<td>${now.toISOString().slice(0, 10)}</td>\\s*<td class="num">4</td>\\s*</tr>`));
  });
});

describe("the offline sample feed", () => {
  it("is NATO-shaped, dated relative to now, and only served in local mode", async () => {
    const now = new Date();
    const parsed = parseFeed(buildSampleFeed(now));
    expect(parsed.items.length).toBe(8);
    for (const item of parsed.items) {
      expect(item.link).toMatch(/^https:\/\/www\.nato\.int\/cps\/en\/natohq\/news_\d+\.htm\?selectedLocale=en$/);
      expect(item.published).toMatch(/^\d\d [A-Z][a-z]{2}\. \d{4} \d\d:\d\d:00 GMT$/);
      const published = parseFeedDate(item.published)!;
      expect(now.getTime() - published.getTime()).toBeGreaterThan(0);
      expect(now.getTime() - published.getTime()).toBeLessThan(49 * 3_600_000);
    }
    // Six hours later exactly one new release has appeared.
    const later = parseFeed(buildSampleFeed(new Date(now.getTime() + 6 * 3_600_000)));
    const before = new Set(parsed.items.map((i) => i.link));
    expect(later.items.filter((i) => !before.has(i.link))).toHaveLength(1);

    expect((await call("/console/sample-feed.xml")).status).toBe(404);
    const local = { RESEND_API_KEY: "", PUBLIC_URL: "http://localhost:8787" };
    const served = await call("/console/sample-feed.xml", {}, local);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toContain("application/rss+xml");
  });

  it("replaces FEED_URLS only in local mode, when switched on from the console or by SAMPLE_FEED=on", async () => {
    const local = readConfig({ ...env, RESEND_API_KEY: "", PUBLIC_URL: "http://localhost:8787" });
    expect((await withSampleFeed(local, env)).feedUrls).toEqual(local.feedUrls);
    expect((await withSampleFeed(local, { KV: env.KV, SAMPLE_FEED: "on" })).feedUrls).toEqual([
      "http://localhost:8787/console/sample-feed.xml",
      "http://localhost:8787/console/sample-feed.xml?lang=fr",
    ]);
    const deployed = readConfig(env);
    expect((await withSampleFeed(deployed, { KV: env.KV, SAMPLE_FEED: "on" })).feedUrls).toEqual(deployed.feedUrls);

    const client = new ConsoleClient({ RESEND_API_KEY: "", PUBLIC_URL: "http://localhost:8787" });
    await client.signIn();
    expect(await client.page("/console")).toContain("Use the offline sample feed");
    const on = await client.post("/console/sample-feed", { on: "on" });
    expect(await on.text()).toContain("now replaces the configured feeds");
    expect((await withSampleFeed(local, env)).feedUrls).toEqual([
      "http://localhost:8787/console/sample-feed.xml",
      "http://localhost:8787/console/sample-feed.xml?lang=fr",
    ]);
    expect(await client.page("/console")).toContain("Stop using the sample feed");
    await client.post("/console/sample-feed", { on: "off" });
    expect((await withSampleFeed(local, env)).feedUrls).toEqual(local.feedUrls);

    // Not in a deployment.
    const deployedClient = new ConsoleClient();
    await deployedClient.signIn();
    expect(await deployedClient.page("/console")).not.toContain("sample feed");
    expect((await deployedClient.post("/console/sample-feed", { on: "on" })).status).toBe(400);
    await saveSampleFeedSwitch(env.KV, false);
  });
});
