import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { listRecentReleases } from "../../src/releases/release-store";
import { getStories } from "../../src/releases/story-store";
import natoActualites from "../fixtures/nato-actualites.xml?raw";
import { natoDate, natoNews } from "../support/feeds";
import { serveFeed, uniqueName } from "../support/servers";
import { testConfig } from "../support/worker";
import { countingKv } from "../support/kv-counter";

function twoFeeds(en: string, fr: string) {
  return testConfig({ FEED_URLS: `${en},${fr}`, FEED_LANGUAGES: `${en}=en,${fr}=fr`, FEED_TITLES: `${en}=NATO News|${fr}=Actualités de l'OTAN` });
}

function natoItems(lang: "en" | "fr", count: number, base: number, at: Date): string {
  const items = Array.from({ length: count }, (_, index) => {
    const id = base + index;
    return `<item><title>${lang === "en" ? "Release" : "Communiqué"} ${id}</title><link>https://www.nato.int/cps/${lang}/natohq/news_${id}.htm?selectedLocale=${lang}</link><description>Text ${id}</description><pubDate>${natoDate(new Date(at.getTime() - index * 60_000))}</pubDate></item>`;
  });
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>NATO</title><language>${lang}</language>${items.join("")}</channel></rss>`;
}

describe("stories at ingest", () => {
  it("pairs a release with its translation, also when the French arrives a run later", async () => {
    const name = uniqueName("pair");
    const now = new Date("2025-02-12T16:00:00Z");
    const enUrl = await serveFeed(`/${name}/en.xml`, { body: natoNews });
    // The French feed has nothing yet: NATO publishes the French hours later.
    const frUrl = await serveFeed(`/${name}/fr.xml`, { body: natoActualites.replace(/<item>[\s\S]*<\/item>/, "") });
    await runIngest(twoFeeds(enUrl, frUrl), env.KV, fetch, () => now);

    const later = new Date(now.getTime() + 3 * 3_600_000);
    await serveFeed(`/${name}/fr.xml`, { body: natoActualites });
    const report = await runIngest(twoFeeds(enUrl, frUrl), env.KV, fetch, () => later);
    expect(report.sources[1]).toMatchObject({ status: "ok", new: 4 });

    const stored = (await listRecentReleases(env.KV, later, 2, 100)).filter((r) => r.sourceUrl === frUrl || r.sourceUrl === enUrl);
    const french = stored.find((r) => r.link.includes("/cps/fr/natohq/news_232986.htm"))!;
    const english = stored.find((r) => r.link.includes("/cps/en/natohq/news_232986.htm"))!;
    expect(english).toMatchObject({ lang: "en", storyKey: "nato:232986" });
    expect(english.translationOf).toBeUndefined();
    expect(french).toMatchObject({ lang: "fr", storyKey: "nato:232986", translationOf: { id: english.id, lang: "en", title: english.title } });
    // The story the French feed never carried stays English only.
    const canada = stored.find((r) => r.link.includes("news_232931"))!;
    expect(canada.translationOf).toBeUndefined();
    const index = await getStories(env.KV, ["nato:232986", "nato:232931"]);
    expect(Object.keys(index.get("nato:232986")!).sort()).toEqual(["en", "fr"]);
    expect(Object.keys(index.get("nato:232931")!)).toEqual(["en"]);
  });

  it("pairs both versions found in one run, the French with the English fetched a moment before", async () => {
    const name = uniqueName("same-run");
    const now = new Date("2025-02-12T20:00:00Z");
    const enUrl = await serveFeed(`/${name}/en.xml`, { body: natoItems("en", 3, 910_000, now) });
    const frUrl = await serveFeed(`/${name}/fr.xml`, { body: natoItems("fr", 3, 910_000, now) });
    await runIngest(twoFeeds(enUrl, frUrl), env.KV, fetch, () => now);
    const stored = (await listRecentReleases(env.KV, now, 1, 100)).filter((r) => r.sourceUrl === frUrl);
    expect(stored).toHaveLength(3);
    for (const release of stored) expect(release.translationOf?.lang).toBe("en");
  });

  it("costs per run for 50 new stories in each language: one bulk read per 100 ids, three writes per release", async () => {
    const name = uniqueName("cost");
    const now = new Date("2025-02-13T09:00:00Z");
    const enUrl = await serveFeed(`/${name}/en.xml`, { body: natoItems("en", 50, 920_000, now) });
    const frUrl = await serveFeed(`/${name}/fr.xml`, { body: natoItems("fr", 50, 920_000, now) });
    const config = twoFeeds(enUrl, frUrl);
    // A first run to initialise the sources, then 50 new stories in each language.
    await serveFeed(`/${name}/en.xml`, { body: natoItems("en", 1, 929_000, now) });
    await serveFeed(`/${name}/fr.xml`, { body: natoItems("fr", 1, 929_000, now) });
    await runIngest(config, env.KV, fetch, () => now);
    await serveFeed(`/${name}/en.xml`, { body: natoItems("en", 50, 920_000, now) });
    await serveFeed(`/${name}/fr.xml`, { body: natoItems("fr", 50, 920_000, now) });
    const { kv, counts } = countingKv(env.KV);
    const report = await runIngest(config, kv, fetch, () => new Date(now.getTime() + 3_600_000));
    expect(report.new).toBe(100);
    // Per source: the source record, the known-ids bulk read, the story bulk read (the
    // French source reads none: the English run's entries are in the run's cache).
    expect(counts.reads).toBe(2 + 2 + 1);
    // Per release: the release, its id pointer, its story entry; per source its record; the run report.
    expect(counts.writes).toBe(100 * 3 + 2 + 1);
    expect(counts.lists).toBe(0);
    console.log(`KV per ingest run, 50 new stories in English and French: ${JSON.stringify(counts)}`);
  });
});
