// What the README promises about ingestion: the hourly cron, conditional
// GET with Last-Modified, charsets from a byte-order mark (UTF-16 included),
// and one alert per failure episode, counted at the Resend server.
import { createExecutionContext, createScheduledController, env, reset, waitOnExecutionContext } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { getDigestState } from "../../src/digest/digest-store";
import { runIngest } from "../../src/feeds";
import { decodeFeedBytes } from "../../src/feeds/charset";
import worker from "../../src/index";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { listRecentReleases } from "../../src/releases/release-store";
import { testConfig } from "../support/worker";
import { feedHits, newResendTeam, receivedEmails, resendServerUrl, resendStats, serveFeed, uniqueDomain, uniqueName } from "../support/servers";
import { natoDate, rss } from "../support/feeds";

const HOUR = 3_600_000;

beforeEach(async () => {
  await reset();
});

async function storedTitles(): Promise<string[]> {
  return (await listRecentReleases(env.KV, new Date(Date.now() + HOUR), 2, 100)).map((r) => r.title);
}

describe("the hourly ingest cron", () => {
  it("`17 * * * *` ingests every feed and sends no digest", async () => {
    const path = `/${uniqueName("cron")}/feed.xml`;
    const url = await serveFeed(path, { body: rss([{ title: "Hourly item", link: "https://www.nato.int/hourly.htm", pubDate: natoDate(new Date()) }]) });
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: "17 * * * *", scheduledTime: new Date() }), { ...env, FEED_URLS: url } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await feedHits(path)).toHaveLength(1);
    expect(await storedTitles()).toContain("Hourly item");
    expect((await getDigestState(env.KV)).lastRun).toBeNull(); // no digest run
  });

  it("an unknown cron string does nothing", async () => {
    const path = `/${uniqueName("cron-unknown")}/feed.xml`;
    const url = await serveFeed(path, { body: rss([]) });
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: "5 5 * * *" }), { ...env, FEED_URLS: url } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await feedHits(path)).toHaveLength(0);
  });
});

describe("polite fetching", () => {
  it("conditional GET with If-Modified-Since when the feed gives only Last-Modified: a 304 changes nothing", async () => {
    const path = `/${uniqueName("lastmod")}/feed.xml`;
    const lastModified = "Wed, 12 Feb 2025 16:00:00 GMT";
    const url = await serveFeed(path, { body: rss([{ title: "Once", link: "https://www.nato.int/once.htm", pubDate: natoDate(new Date()) }]), lastModified });
    const config = testConfig({ FEED_URLS: url });
    await runIngest(config, env.KV);
    const second = await runIngest(config, env.KV);
    const hits = await feedHits(path);
    expect(hits.map((h) => [h.ifNoneMatch, h.ifModifiedSince, h.status])).toEqual([
      [null, null, 200],
      [null, lastModified, 304],
    ]);
    expect(second.sources[0]).toMatchObject({ status: "not-modified", new: 0 });
  });
});

describe("charset from a byte-order mark", () => {
  const title = "Sécurité — Ελλάδα, Türkiye";
  const xml = (encoding: string) =>
    `<?xml version="1.0" encoding="${encoding}"?><rss version="2.0"><channel><title>t</title><item><title>${title}</title><link>https://www.nato.int/bom-${encoding}.htm</link></item></channel></rss>`;

  function utf16(text: string, littleEndian: boolean): Uint8Array {
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set(littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]);
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      bytes[2 + i * 2] = littleEndian ? unit & 0xff : unit >> 8;
      bytes[3 + i * 2] = littleEndian ? unit >> 8 : unit & 0xff;
    }
    return bytes;
  }

  it("UTF-16 LE and BE with a BOM decode, even when the header claims another charset", () => {
    for (const littleEndian of [true, false]) {
      expect(decodeFeedBytes(utf16(xml("UTF-16"), littleEndian), "application/xml; charset=iso-8859-1").text).toContain(title);
    }
    const utf8WithBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(xml("ISO-8859-1"))]);
    expect(decodeFeedBytes(utf8WithBom, "text/xml; charset=windows-1252").text).toContain(title);
  });

  it("a UTF-16 feed served over HTTP is ingested with its title intact", async () => {
    const bytes = utf16(xml("UTF-16"), true);
    const url = await serveFeed(`/${uniqueName("utf16")}/feed.xml`, { bodyBase64: btoa(String.fromCharCode(...bytes)), contentType: "application/rss+xml" });
    const report = await runIngest(testConfig({ FEED_URLS: url }), env.KV);
    expect(report.sources[0]).toMatchObject({ status: "ok", total: 1 });
    expect(await storedTitles()).toContain(title);
  });
});

describe("one alert per failure episode", () => {
  it("alerts once while a source stays flagged (one Resend call, not one replayed per run), and again after recovery and a new failure", async () => {
    const adminDomain = uniqueDomain("ops");
    const path = `/${uniqueName("episodes")}/feed.xml`;
    const url = await serveFeed(path, { status: 403, body: "Forbidden" });
    const config = testConfig({ FEED_URLS: url, ADMIN_EMAIL: `ops@${adminDomain}` });
    const mailer = createResendMailer({ apiKey: await newResendTeam(), baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const ingest = (at: Date) => runIngest(config, env.KV, fetch, () => at, mailer);
    const start = new Date("2026-03-05T00:00:00Z");
    for (let hour = 0; hour < 5; hour++) await ingest(new Date(start.getTime() + hour * HOUR));
    // Exactly one call: a repeated alert would be a second call, even if Resend replayed it.
    expect(await resendStats(adminDomain)).toMatchObject({ requests: 1, acceptedRequests: 1 });

    await serveFeed(path, { body: rss([{ title: "Back", link: "https://www.nato.int/back.htm" }]) });
    await ingest(new Date(start.getTime() + 6 * HOUR));
    await serveFeed(path, { status: 403, body: "Forbidden" });
    for (let hour = 7; hour < 10; hour++) await ingest(new Date(start.getTime() + hour * HOUR));

    const alerts = await receivedEmails(adminDomain);
    expect(alerts).toHaveLength(2);
    expect(new Set(alerts.map((a) => a.idempotencyKey)).size).toBe(2);
    expect(await resendStats(adminDomain)).toMatchObject({ requests: 2, acceptedRequests: 2 });
  });
});
