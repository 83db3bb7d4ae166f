import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config";
import { parseFeed } from "../../src/feeds/parse-feed";
import { buildSampleFeed, isLocalMode, sampleFeedUrl, withSampleFeed } from "../../src/feeds/sample-feed";
import { testConfig } from "../support/worker";

const NATO_EN = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml";
const NATO_FR = "https://www.nato.int/cps/rss/fr/natohq/rssFeed.xsl/rssFeed.xml";

function numericIds(xml: string): Map<string, string> {
  const feed = parseFeed(xml, "http://localhost:8787/console/sample-feed.xml");
  return new Map(feed.items.map((item) => [/news_(\d+)\.htm/.exec(item.link ?? "")![1]!, item.title ?? ""]));
}

describe("the offline sample feed", () => {
  it("serves English and French, paired by NATO's numeric id, some French hours late and one story never translated", () => {
    const now = new Date("2026-12-03T13:30:00Z");
    const en = numericIds(buildSampleFeed(now, "en"));
    const fr = numericIds(buildSampleFeed(now, "fr"));
    expect(en.size).toBe(8);
    expect(fr.size).toBeGreaterThan(3);
    expect(fr.size).toBeLessThan(en.size);
    for (const id of fr.keys()) expect(en.has(id), `French item ${id} has an English twin`).toBe(true);
    expect(buildSampleFeed(now, "fr")).toContain("<language>fr</language>");
    expect(buildSampleFeed(now, "fr")).toContain("/cps/fr/natohq/news_");
    expect([...en.values()].some((title) => title.startsWith("Joint press conference"))).toBe(true);
    // Over a day, some French versions missing at one hour appear a few hours later, with the same id.
    let late = 0;
    for (let hour = 0; hour < 24; hour++) {
      const at = new Date(now.getTime() + hour * 3_600_000);
      const missing = [...numericIds(buildSampleFeed(at, "en")).keys()].filter((id) => !numericIds(buildSampleFeed(at, "fr")).has(id));
      const later = numericIds(buildSampleFeed(new Date(at.getTime() + 5 * 3_600_000), "fr"));
      late += missing.filter((id) => later.has(id)).length;
      expect([...later.values()].some((title) => title.startsWith("Joint press conference"))).toBe(false);
    }
    expect(late).toBeGreaterThan(0);
  });

  it("replaces FEED_URLS with both languages, each with its language and title", async () => {
    const config = readConfig({ ...env, PUBLIC_URL: "http://localhost:8787", RESEND_API_KEY: "", SAMPLE_FEED: "on" });
    const sample = await withSampleFeed(config, { KV: env.KV, SAMPLE_FEED: "on" });
    expect(sample.feedUrls).toEqual(["http://localhost:8787/console/sample-feed.xml", "http://localhost:8787/console/sample-feed.xml?lang=fr"]);
    expect(Object.values(sample.feedLanguages)).toEqual(["en", "fr"]);
  });
});

describe("the default feeds", () => {
  it("name NATO's English and French news feeds with their languages and titles", () => {
    const config = readConfig({
      SIGNING_SECRET: "x".repeat(32),
      FEED_URLS: `${NATO_EN},${NATO_FR}`,
      FEED_LANGUAGES: `${NATO_EN}=en,${NATO_FR}=fr`,
      FEED_TITLES: `${NATO_EN}=NATO News|${NATO_FR}=Actualités de l'OTAN`,
    });
    expect(config.feedLanguages).toEqual({ [NATO_EN]: "en", [NATO_FR]: "fr" });
    expect(config.feedTitles[NATO_FR]).toBe("Actualités de l'OTAN");
  });

  it("do not break a FEED_URLS set alone, but a typo in another URL still fails", () => {
    const config = readConfig({ SIGNING_SECRET: "x".repeat(32), FEED_URLS: "https://feeds.example/a.xml", FEED_LANGUAGES: `${NATO_EN}=en,${NATO_FR}=fr` });
    expect(config.feedLanguages).toEqual({});
    expect(() =>
      readConfig({ SIGNING_SECRET: "x".repeat(32), FEED_URLS: "https://feeds.example/a.xml", FEED_LANGUAGES: "https://feeds.example/b.xml=fr" }),
    ).toThrow(/not in FEED_URLS/);
  });
});

// `npm start -- --port N` sets PUBLIC_URL to port N (tests/scripts/start.test.ts), so the sample feed stays on that port.
describe("the sample feed's URL", () => {
  it("follows PUBLIC_URL, port included, and a loopback PUBLIC_URL without a Resend key is local mode", () => {
    const config = testConfig({ PUBLIC_URL: "http://localhost:9123", RESEND_API_KEY: "" });
    expect(new URL(sampleFeedUrl(config)).origin).toBe("http://localhost:9123");
    expect(isLocalMode(config)).toBe(true);
    expect(isLocalMode(testConfig({ PUBLIC_URL: "https://digest.example.org", RESEND_API_KEY: "" }))).toBe(false);
  });
});
