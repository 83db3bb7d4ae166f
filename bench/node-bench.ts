// Node-side benchmarks, bundled by bench/run.mjs with esbuild and run on the
// project's Node 22. They call the project's real code (src/, emails/).
//   1. Feed parsing: our path (htmlparser2 + normalisation to releases) vs
//      rss-parser and @extractus/feed-extractor, on NATO's feed and on a
//      1,000-item feed, checking that the same titles, links and dates come out.
//   2. Rendering: one render + per-reader substitution vs a React render per reader.
import { readFileSync } from "node:fs";
import { extractFromXml } from "@extractus/feed-extractor";
import RssParser from "rss-parser";
import { buildRelease, type Release } from "../src/feeds/normalise-item";
import { parseFeedDate } from "../src/feeds/dates";
import { parseFeed } from "../src/feeds/parse-feed";
import { personaliseDigest, renderDigest } from "../src/digest/render-digest";
import { createPersonalToken, createToken } from "../src/subscribers/tokens";
import type { DigestRelease } from "../emails/release-digest";

const FEED_URL = "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml";
const NOW = new Date("2025-02-13T08:00:00Z");

function natoDate(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())} ${months[date.getUTCMonth()]}. ${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT`;
}

function bigFeed(count: number): string {
  const items = Array.from({ length: count }, (_, i) => {
    const date = new Date(NOW.getTime() - i * 37 * 60_000);
    return `  <item>
    <title>NATO Secretary General meets the Prime Minister of country ${i} &amp; discusses support</title>
    <link>https://www.nato.int/cps/en/natohq/news_${240000 + i}.htm?selectedLocale=en</link>
    <description>&lt;p&gt;On ${natoDate(date)}, the NATO Secretary General, Mr Mark Rutte, met the Prime Minister to discuss defence spending, industrial production and support to Ukraine. Item number ${i}.&lt;/p&gt;</description>
    <pubDate>${natoDate(date)}</pubDate>
  </item>`;
  }).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n  <title>NATO - Latest news</title>\n  <link>https://www.nato.int/cps/en/natohq/news.htm</link>\n  <description>NATO latest news</description>\n${items}\n</channel>\n</rss>\n`;
}

interface Comparable {
  title: string;
  link: string;
  date: number;
}

/** The parse step alone, what rss-parser and feed-extractor do: XML to raw items. */
function oursParseOnly(xml: string): Comparable[] {
  return parseFeed(xml).items.map((item) => ({
    title: (item.title ?? "").replace(/\s+/g, " ").trim(),
    link: (item.link ?? "").trim(),
    date: Date.parse(item.published ?? ""),
  }));
}

/** What rss-parser returns (title, link, parsed date): our parse step plus NATO-aware date parsing. */
function oursParseAndDates(xml: string): Comparable[] {
  return parseFeed(xml).items.map((item) => ({
    title: (item.title ?? "").replace(/\s+/g, " ").trim(),
    link: (item.link ?? "").trim(),
    date: parseFeedDate(item.published)?.getTime() ?? NaN,
  }));
}

async function ours(xml: string): Promise<Comparable[]> {
  const feed = parseFeed(xml);
  const out: Comparable[] = [];
  for (const item of feed.items) {
    const result = await buildRelease(item, FEED_URL, NOW);
    if (result.ok) out.push(toComparable(result.release));
  }
  return out;
}

function toComparable(release: Release): Comparable {
  return { title: release.title, link: release.link, date: Date.parse(release.publishedAt) };
}

const rssParser = new RssParser();
async function viaRssParser(xml: string): Promise<Comparable[]> {
  const feed = await rssParser.parseString(xml);
  return feed.items.map((item) => ({
    title: (item.title ?? "").replace(/\s+/g, " ").trim(),
    link: item.link ?? "",
    date: Date.parse(item.isoDate ?? item.pubDate ?? ""),
  }));
}

async function viaFeedExtractor(xml: string): Promise<Comparable[]> {
  const feed = extractFromXml(xml, { normalization: true, descriptionMaxLen: 400 });
  return (feed.entries ?? []).map((entry) => ({
    title: (entry.title ?? "").replace(/\s+/g, " ").trim(),
    link: entry.link ?? "",
    date: Date.parse(String(entry.published ?? "")),
  }));
}

async function timePerCall(fn: () => Promise<unknown>, minMs = 1500, minRuns = 20): Promise<{ medianMs: number; runs: number }> {
  for (let i = 0; i < 5; i++) await fn(); // warm up
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < minRuns || performance.now() - started < minMs) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
    if (samples.length > 100_000) break;
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, runs: samples.length };
}

function sameOutput(a: Comparable[], b: Comparable[], compareDates: boolean): { same: boolean; detail: string } {
  if (a.length !== b.length) return { same: false, detail: `${a.length} vs ${b.length} items` };
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.title !== y.title) return { same: false, detail: `title #${i}: ${JSON.stringify(x.title)} vs ${JSON.stringify(y.title)}` };
    if (x.link !== y.link) return { same: false, detail: `link #${i}: ${x.link} vs ${y.link}` };
    // The raw parse step leaves NATO's date text as it is; dates are compared after normalising.
    if (compareDates && x.date !== y.date)
      return {
        same: false,
        detail: `date #${i}: ${new Date(x.date).toISOString?.() ?? x.date} vs ${Number.isNaN(y.date) ? "unparsed" : new Date(y.date).toISOString()}`,
      };
  }
  return { same: true, detail: `${a.length} items identical` };
}

async function parsingBench(natoXml: string) {
  const feeds = { "NATO fixture (5 items)": natoXml, "1,000-item NATO-style feed": bigFeed(1000) };
  const rows = [];
  for (const [name, xml] of Object.entries(feeds)) {
    const reference = await ours(xml);
    const contenders = [
      { name: "ours: parse step (htmlparser2)", run: async () => oursParseOnly(xml), compareDates: false },
      { name: "ours: parse step + dates (what rss-parser returns)", run: async () => oursParseAndDates(xml) },
      { name: "ours: parse + normalise to releases", run: () => ours(xml) },
      { name: "rss-parser 3.13", run: () => viaRssParser(xml) },
      { name: "@extractus/feed-extractor 8.0", run: () => viaFeedExtractor(xml) },
    ];
    for (const contender of contenders) {
      const timing = await timePerCall(contender.run);
      const check = sameOutput(reference, await contender.run(), contender.compareDates ?? true);
      rows.push({ feed: name, parser: contender.name, ...timing, ...check });
    }
  }
  return rows;
}

function releases(count: number): DigestRelease[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    title: `NATO Secretary General meets the Prime Minister of country ${i}`,
    link: `https://www.nato.int/cps/en/natohq/news_${240000 + i}.htm`,
    summary:
      "On Wednesday, the NATO Secretary General, Mr Mark Rutte, received the Prime Minister to discuss defence spending, industrial production and support to Ukraine.",
    publishedAt: new Date(NOW.getTime() - i * 2 * 3_600_000).toISOString(),
  }));
}

async function renderBench() {
  const readers = 1000;
  const publicUrl = "https://digest.example.org";
  const list = releases(12);
  const secret = "bench-signing-secret-0123456789abcdef";
  const ids = Array.from({ length: readers }, (_, i) => i.toString(16).padStart(32, "0"));
  // Personal tokens are computed once per reader (at confirmation) and read from the list metadata.
  const tokens = ids.map((id) => createPersonalToken(secret, id));
  for (let i = 0; i < 20; i++) await renderDigest(list, { publicUrl, digestId: "bench", date: NOW }); // warm up

  // Render once, then substitute each reader's token.
  let t = performance.now();
  const content = await renderDigest(list, { publicUrl, digestId: "bench", date: NOW });
  const renderOnceMs = performance.now() - t;
  t = performance.now();
  let bytes = 0;
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < readers; i++) {
      bytes += personaliseDigest(content, { token: tokens[i]!, to: `r${i}@example.org`, from: "D <d@example.org>", publicUrl, digestId: "bench" }).html.length;
    }
  }
  const substitutionUsPerReader = ((performance.now() - t) * 1000) / (readers * 20);
  // The old way: an HMAC signature per reader per digest (Web Crypto, asynchronous).
  t = performance.now();
  await Promise.all(ids.map((id) => createToken(secret, "unsubscribe", id, NOW)));
  const tokenUsPerReader = ((performance.now() - t) * 1000) / readers;
  // A personal token computed on the spot (readers from before personal tokens): two synchronous HMACs.
  t = performance.now();
  let tokenBytes = 0;
  for (let round = 0; round < 20; round++) for (const id of ids) tokenBytes += createPersonalToken(secret, id).length;
  const personalTokenUsPerReader = ((performance.now() - t) * 1000) / (readers * 20);

  // A React render per reader, the way a naive sender would do it.
  t = performance.now();
  for (let i = 0; i < readers; i++) await renderDigest(list, { publicUrl, digestId: "bench", date: NOW });
  const renderPerReaderUs = ((performance.now() - t) * 1000) / readers;
  return {
    readers,
    releases: list.length,
    htmlBytes: content.htmlParts.join("").length,
    renderOnceMs,
    substitutionUsPerReader,
    tokenUsPerReader,
    personalTokenUsPerReader,
    renderPerReaderUs,
    ratio: renderPerReaderUs / substitutionUsPerReader,
    checksum: bytes + tokenBytes,
  };
}

// Run from the repository root (npm run bench); the bundle itself lives in bench/tmp/.
const natoXml = readFileSync("tests/fixtures/nato-news.xml", "utf8");
const result = { parsing: await parsingBench(natoXml), rendering: await renderBench() };
console.log(`BENCH_NODE ${JSON.stringify(result)}`);
