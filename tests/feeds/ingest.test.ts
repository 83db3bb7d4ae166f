import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { getSource } from "../../src/feeds/source-store";
import { listRecentReleases } from "../../src/releases/release-store";
import { testConfig } from "../support/worker";
import { feedHits, serveFeed, uniqueName } from "../support/servers";
import { natoDate, natoNews, rss } from "../support/feeds";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function config(feedUrls: string[], extra: Record<string, string> = {}) {
  return testConfig({ FEED_URLS: feedUrls.join(","), ...extra });
}

describe("ingest", () => {
  it("stores NATO's feed once, and a second run with conditional GET costs nothing", async () => {
    const path = `/${uniqueName("nato")}/news.xml`;
    const url = await serveFeed(path, { body: natoNews, etag: '"v1"', lastModified: "Wed, 12 Feb 2025 16:00:00 GMT" });
    const now = () => new Date("2025-02-13T08:00:00Z");
    const first = await runIngest(config([url]), env.KV, fetch, now);
    expect(first.sources[0]).toMatchObject({ status: "ok", new: 5, total: 5, firstRun: true });

    const second = await runIngest(config([url]), env.KV, fetch, now);
    expect(second.sources[0]).toMatchObject({ status: "not-modified", new: 0 });
    const hits = await feedHits(path);
    expect(hits).toHaveLength(2);
    expect(hits[1]).toMatchObject({ ifNoneMatch: '"v1"', status: 304 });
    expect(hits[0]!.userAgent).toBe("NATO-Digest/0.1 (+https://digest.example.test; an email digest of NATO's public feeds)");
  });

  it("on a first run queues only items inside the 48 h look-back; later runs queue new items up to 7 days old", async () => {
    const now = new Date("2025-03-10T12:00:00Z");
    const path = `/${uniqueName("lookback")}/feed.xml`;
    const items = [
      { title: "Fresh", link: "https://x.test/fresh", pubDate: natoDate(new Date(now.getTime() - 5 * HOUR)) },
      { title: "Two days", link: "https://x.test/two-days", pubDate: natoDate(new Date(now.getTime() - 47 * HOUR)) },
      { title: "Three days", link: "https://x.test/three-days", pubDate: natoDate(new Date(now.getTime() - 3 * DAY)) },
      { title: "Undated", link: "https://x.test/undated" },
    ];
    const url = await serveFeed(path, { body: rss(items) });
    const first = await runIngest(config([url]), env.KV, fetch, () => now);
    expect(first.sources[0]).toMatchObject({ new: 4, queued: 2, firstRun: true });

    const later = new Date(now.getTime() + 2 * HOUR);
    await serveFeed(path, {
      body: rss([
        ...items,
        { title: "New but 5 days old", link: "https://x.test/five", pubDate: natoDate(new Date(later.getTime() - 5 * DAY)) },
        { title: "New but 8 days old", link: "https://x.test/eight", pubDate: natoDate(new Date(later.getTime() - 8 * DAY)) },
        { title: "New undated", link: "https://x.test/new-undated" },
      ]),
    });
    const second = await runIngest(config([url]), env.KV, fetch, () => later);
    expect(second.sources[0]).toMatchObject({ new: 3, queued: 2, firstRun: false });

    const stored = await listRecentReleases(env.KV, later, 30, 100);
    const byTitle = Object.fromEntries(stored.filter((r) => r.sourceUrl === url).map((r) => [r.title, r.eligible]));
    expect(byTitle).toEqual({
      Fresh: true,
      "Two days": true,
      "Three days": false,
      Undated: false,
      "New but 5 days old": true,
      "New but 8 days old": false,
      "New undated": true,
    });
  });

  it("deduplicates within a feed, across runs and across sources", async () => {
    const now = () => new Date("2025-04-01T12:00:00Z");
    const item = {
      title: "Same",
      link: "https://www.nato.int/cps/en/natohq/news_777.htm?selectedLocale=en",
      pubDate: natoDate(new Date("2025-04-01T10:00:00Z")),
    };
    const a = await serveFeed(`/${uniqueName("dup")}/a.xml`, { body: rss([item, item]) });
    const b = await serveFeed(`/${uniqueName("dup")}/b.xml`, { body: rss([{ ...item, link: "http://nato.int/cps/en/natohq/news_777.htm" }]) });
    const report = await runIngest(config([a, b]), env.KV, fetch, now);
    expect(report.sources.map((s) => s.new)).toEqual([1, 0]);
    const again = await runIngest(config([a, b]), env.KV, fetch, now);
    expect(again.new).toBe(0);
  });

  it("isolates failing and hostile sources: the good one is stored, each failure is recorded", async () => {
    const now = () => new Date("2025-05-01T12:00:00Z");
    const good = await serveFeed(`/${uniqueName("iso")}/good.xml`, { body: rss([{ title: "Good", link: "https://x.test/good-iso" }]) });
    const forbidden = await serveFeed(`/${uniqueName("iso")}/403.xml`, { status: 403, body: "Forbidden" });
    const html = await serveFeed(`/${uniqueName("iso")}/html.xml`, { body: "<html><body>Login</body></html>", contentType: "text/html" });
    const laughs = await serveFeed(`/${uniqueName("iso")}/laughs.xml`, {
      body: `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>`,
    });
    const slow = await serveFeed(`/${uniqueName("iso")}/slow.xml`, { body: rss([]), delayMs: 3000 });
    const huge = await serveFeed(`/${uniqueName("iso")}/huge.xml`, { body: rss([]), padBytes: 3 * 1024 * 1024 });
    const missing = `${good.replace("good.xml", "missing.xml")}`;
    const report = await runIngest(
      config([forbidden, html, laughs, slow, huge, missing, good], { FEED_TIMEOUT_MS: "500", FEED_MAX_BYTES: String(1024 * 1024) }),
      env.KV,
      fetch,
      now,
    );
    const byUrl = Object.fromEntries(report.sources.map((s) => [s.url, s]));
    expect(byUrl[good]).toMatchObject({ status: "ok", new: 1 });
    expect(byUrl[forbidden]!.error).toMatch(/HTTP 403/);
    expect(byUrl[html]!.error).toMatch(/not a feed/);
    expect(byUrl[laughs]!.error).toMatch(/entities/);
    expect(byUrl[slow]!.error).toMatch(/500 ms/);
    expect(byUrl[huge]!.error).toMatch(/cap/);
    expect(byUrl[missing]!.error).toMatch(/HTTP 404/);

    const state = await getSource(env.KV, forbidden);
    expect(state).toMatchObject({ consecutiveFailures: 1, lastStatus: 403 });
    await runIngest(config([forbidden]), env.KV, fetch, now);
    expect(await getSource(env.KV, forbidden)).toMatchObject({ consecutiveFailures: 2, failingSince: now().toISOString() });
  });

  it("decodes ISO-8859-1 / Windows-1252 feeds from the XML declaration or the HTTP header", async () => {
    const now = () => new Date("2025-06-01T12:00:00Z");
    // "Székesfehérvár – “q”" in Windows-1252 bytes: é, á and the 0x93/0x94/0x96 punctuation.
    const title = [0x53, 0x7a, 0xe9, 0x6b, 0x65, 0x73, 0x66, 0x65, 0x68, 0xe9, 0x72, 0x76, 0xe1, 0x72, 0x20, 0x96, 0x20, 0x93, 0x71, 0x94];
    const encode = (link: string) => {
      const before = new TextEncoder().encode(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><item><title>`);
      const after = new TextEncoder().encode(`</title><link>${link}</link></item></channel></rss>`);
      return btoa(String.fromCharCode(...before, ...title, ...after));
    };
    const declared = await serveFeed(`/${uniqueName("cs")}/decl.xml`, { bodyBase64: encode("https://x.test/latin1-decl"), contentType: "application/xml" });
    const header = await serveFeed(`/${uniqueName("cs")}/header.xml`, {
      bodyBase64: encode("https://x.test/latin1-header"),
      contentType: "text/xml; charset=windows-1252",
    });
    await runIngest(config([declared, header]), env.KV, fetch, now);
    const stored = await listRecentReleases(env.KV, now(), 1, 100);
    const titles = stored.filter((r) => r.link.startsWith("https://x.test/latin1-")).map((r) => r.title);
    expect(titles).toEqual(["Székesfehérvár – “q”", "Székesfehérvár – “q”"]);
  });

  it("a feed that declares UTF-8 but sends Latin-1 bytes is read as Windows-1252, with a warning in the source's health", async () => {
    const now = () => new Date("2025-06-02T12:00:00Z");
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><item><title>Caf`),
      0xe9,
      ...new TextEncoder().encode(`</title><link>https://x.test/mislabelled</link></item></channel></rss>`),
    ]);
    const url = await serveFeed(`/${uniqueName("cs")}/lie.xml`, {
      bodyBase64: btoa(String.fromCharCode(...bytes)),
      contentType: "application/rss+xml; charset=utf-8",
    });
    const report = await runIngest(config([url]), env.KV, fetch, now);
    expect(report.sources[0]).toMatchObject({ status: "ok", new: 1 });
    expect(report.sources[0]!.warning).toMatch(/not valid utf-8.*Windows-1252/);
    expect((await getSource(env.KV, url))!.lastError).toMatch(/charset/);
    const [release] = (await listRecentReleases(env.KV, now(), 1, 100)).filter((r) => r.link === "https://x.test/mislabelled");
    expect(release!.title).toBe("Café");
  });

  it("reads a feed with an unknown charset by falling back, and says so", async () => {
    const url = await serveFeed(`/${uniqueName("cs")}/klingon.xml`, {
      body: rss([{ title: "x", link: "https://x.test/k" }]),
      contentType: "application/rss+xml; charset=x-klingon",
    });
    const report = await runIngest(config([url]), env.KV, fetch, () => new Date("2025-06-03T12:00:00Z"));
    expect(report.sources[0]).toMatchObject({ status: "ok", new: 1 });
    expect(report.sources[0]!.warning).toMatch(/unknown charset "x-klingon"/);
  });

  it("keeps complete items of a truncated feed and reports the cut", async () => {
    const now = () => new Date("2025-07-01T12:00:00Z");
    const body = rss([
      { title: "Whole", link: "https://x.test/whole" },
      { title: "Cut", link: "https://x.test/cut" },
    ]);
    const url = await serveFeed(`/${uniqueName("trunc")}/t.xml`, { body: body.slice(0, body.indexOf("<title>Cut") + 8) });
    const report = await runIngest(config([url]), env.KV, fetch, now);
    expect(report.sources[0]).toMatchObject({ status: "ok", new: 1 });
    expect(report.sources[0]!.warning).toMatch(/cut short/);
  });

  it("ingests a feed of 2,000 items", async () => {
    const now = () => new Date("2025-08-01T12:00:00Z");
    const items = Array.from({ length: 2000 }, (_, i) => ({
      title: `Bulk ${i}`,
      link: `https://x.test/bulk/${i}`,
      pubDate: natoDate(new Date(now().getTime() - i * 60_000)),
    }));
    const url = await serveFeed(`/${uniqueName("bulk")}/b.xml`, { body: rss(items) });
    const report = await runIngest(config([url]), env.KV, fetch, now);
    expect(report.sources[0]).toMatchObject({ status: "ok", new: 2000, total: 2000 });
    // Only the first 48 h of a first run are queued: 2,000 minutes ≈ 33 h, so all.
    expect(report.sources[0]!.queued).toBe(2000);
  });
});
