import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { getSource, listSources } from "../../src/feeds/source-store";
import { testConfig } from "../support/worker";
import { serveFeed, uniqueName } from "../support/servers";
import { sha256Hex } from "../../src/lib/crypto";

const now = () => new Date("2025-09-01T12:00:00Z");

describe("the source record keeps the feed's title and language", () => {
  it("from RSS <language>, Atom xml:lang and JSON Feed language, refreshed at each successful ingest", async () => {
    const rssUrl = await serveFeed(`/${uniqueName("lang")}/rss.xml`, {
      body: `<?xml version="1.0"?><rss version="2.0"><channel><title>OTAN &#8211; Actualit&#233;s</title><link>https://www.nato.int/</link><language>fr</language><item><title>Un</title><link>https://x.test/lang-1</link></item></channel></rss>`,
    });
    const atomUrl = await serveFeed(`/${uniqueName("lang")}/atom.xml`, {
      contentType: "application/atom+xml",
      body: `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB"><title>NATO press</title><entry><title>One</title><link href="https://x.test/lang-2"/><id>a</id></entry></feed>`,
    });
    const jsonUrl = await serveFeed(`/${uniqueName("lang")}/feed.json`, {
      contentType: "application/feed+json",
      body: JSON.stringify({
        version: "https://jsonfeed.org/version/1.1",
        title: "JSON news",
        language: "de",
        items: [{ id: "1", url: "https://x.test/lang-3", title: "Eins" }],
      }),
    });
    const bareUrl = await serveFeed(`/${uniqueName("lang")}/bare.xml`, {
      body: `<rss version="2.0"><channel><item><title>No title, no language</title><link>https://x.test/lang-4</link></item></channel></rss>`,
    });
    const report = await runIngest(testConfig({ FEED_URLS: [rssUrl, atomUrl, jsonUrl, bareUrl].join(",") }), env.KV, fetch, now);
    expect(report.sources.map((s) => s.status)).toEqual(["ok", "ok", "ok", "ok"]);
    const states = await listSources(env.KV, [rssUrl, atomUrl, jsonUrl, bareUrl]);
    expect(states.map((s) => [s.title, s.language])).toEqual([
      ["OTAN – Actualités", "fr"],
      ["NATO press", "en-GB"],
      ["JSON news", "de"],
      [null, null],
    ]);

    await serveFeed(new URL(rssUrl).pathname, {
      body: `<rss version="2.0"><channel><title>NATO - News</title><language>en</language><item><title>Un</title><link>https://x.test/lang-1</link></item></channel></rss>`,
    });
    await runIngest(testConfig({ FEED_URLS: rssUrl }), env.KV, fetch, now);
    expect(await getSource(env.KV, rssUrl)).toMatchObject({ title: "NATO - News", language: "en" });
  });

  it("reads a record stored before these fields existed with title and language null", async () => {
    const url = "https://old.example.test/feed.xml";
    const key = `v1:source:${(await sha256Hex(url)).slice(0, 24)}`;
    await env.KV.put(key, JSON.stringify({ url, etag: '"x"', seenIds: [], consecutiveFailures: 0 }));
    expect(await getSource(env.KV, url)).toMatchObject({ url, etag: '"x"', title: null, language: null });
  });
});
