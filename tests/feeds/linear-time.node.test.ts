// Feed text costs time linear in its size (DESIGN §12): a 5 MB hostile feed
// against a benign one of the same size, and each construct that used to
// cost quadratic time at growing sizes. In Node, because workerd's clock
// does not move while code runs. Every assertion is a ratio of two times
// measured in the same run, so a loaded machine slows both sides alike;
// each side is the fastest of a few alternating trials.
import { describe, expect, it } from "vitest";
import { htmlToText, stripTitleMarkup } from "../../src/feeds/html-text";
import { canonicalLink, resolveLinkUrl } from "../../src/feeds/links";
import { buildFeedTitle, buildRelease, buildSiteUrl } from "../../src/feeds/normalise-item";
import { parseFeed } from "../../src/feeds/parse-feed";
import {
  buildBenignFeed,
  buildEntityText,
  buildHostileFeed,
  buildNestingFeed,
  buildParserNesting,
  buildSlashLink,
  buildUnterminatedTags,
} from "./hostile-feeds";

const FEED_URL = "https://www.nato.int/rss.xml";
const NOW = new Date("2025-02-13T00:00:00Z");

/** What ingest does to a document, short of storing: parse, then normalise every item and the feed's title. */
function ingestCost(text: string): number {
  const feed = parseFeed(text, FEED_URL);
  const siteUrl = buildSiteUrl(feed, FEED_URL);
  let kept = 0;
  for (const item of feed.items) if (buildRelease(item, FEED_URL, NOW, siteUrl).ok) kept++;
  buildFeedTitle(feed.title, feed.titleType);
  return kept;
}

function time(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** The fastest of `trials` alternating runs of a and b, in ms. */
function fastest(a: () => unknown, b: () => unknown, trials = 3): [number, number] {
  let bestA = Infinity;
  let bestB = Infinity;
  for (let t = 0; t < trials; t++) {
    bestA = Math.min(bestA, time(a));
    bestB = Math.min(bestB, time(b));
  }
  return [bestA, bestB];
}

/**
 * Time of f on an input 4× larger over time on the base input. The base is
 * repeated until it takes 50 ms, the larger one as many times, so both are
 * long enough to time. Linear code gives about 4, quadratic about 16 (the
 * code before measured 16.7× to 19.4×); the bound, 10, leaves a loaded
 * machine room on both sides.
 */
function growthRatio(build: (size: number) => string, size: number, f: (input: string) => unknown): number {
  const small = build(size);
  const large = build(size * 4);
  let reps = 1;
  const repeat = (input: string) => () => {
    for (let r = 0; r < reps; r++) f(input);
  };
  while (time(repeat(small)) < 50 && reps < 100_000) reps *= 2;
  const [smallMs, largeMs] = fastest(repeat(small), repeat(large), 5);
  return largeMs / smallMs;
}

const MB = 1024 * 1024;

describe("a 5 MB hostile feed costs about what a benign one does", () => {
  it("parses and normalises within 10× the benign feed's time", () => {
    const benign = buildBenignFeed(5 * MB);
    const hostile = buildHostileFeed(5 * MB);
    expect(hostile.length).toBeGreaterThan(4.9 * MB);
    expect(Math.abs(hostile.length - benign.length)).toBeLessThan(0.1 * MB);
    // Both are read as feeds: the hostile one is not simply refused.
    expect(ingestCost(benign)).toBeGreaterThan(4000);
    expect(ingestCost(hostile)).toBeGreaterThan(10);
    const [benignMs, hostileMs] = fastest(
      () => ingestCost(benign),
      () => ingestCost(hostile),
    );
    console.log(
      `5 MB feeds, parse and normalise: benign ${benignMs.toFixed(0)} ms, hostile ${hostileMs.toFixed(0)} ms, ratio ${(hostileMs / benignMs).toFixed(2)}`,
    );
    expect(hostileMs / benignMs).toBeLessThan(10);
    // About a second of CPU on a quiet machine; here scaled by how slow the benign feed ran.
    expect(hostileMs).toBeLessThan(Math.max(1000, 10 * benignMs));
  });
});

describe("each construct that was quadratic now grows linearly (4× the input: under 10× the time)", () => {
  const cases: [string, (size: number) => string, number, (input: string) => unknown][] = [
    ["parseFeed: deep nesting, then end tags that close nothing", buildNestingFeed, 64 * 1024, (x) => parseFeed(x)],
    ["htmlToText: unterminated tags '<a b <a b …'", buildUnterminatedTags, 8 * 1024, htmlToText],
    ["htmlToText (parser path): deep nesting, then end tags that close nothing", buildParserNesting, 8 * 1024, htmlToText],
    [
      "htmlToText (parser path): end tags that close nothing under 200 open elements",
      (n) => `<!-- -->${"<b>".repeat(200)}${"</i>".repeat(n / 4)}`,
      8 * 1024,
      htmlToText,
    ],
    ["canonicalLink: a run of slashes before the last path segment", buildSlashLink, 8 * 1024, (x) => canonicalLink(resolveLinkUrl(x, null)!)],
    ["htmlToText: entity tricks", buildEntityText, 8 * 1024, htmlToText],
    ["stripTitleMarkup: '<b <b <b …'", (n) => "<b ".repeat(n / 3), 8 * 1024, stripTitleMarkup],
    [
      "parseFeed: a start tag with thousands of attributes",
      (n) => `<rss><channel><item${" a=1".repeat(n / 4)}></item></channel></rss>`,
      16 * 1024,
      (x) => parseFeed(x),
    ],
  ];
  for (const [name, build, size, f] of cases) {
    it(name, () => {
      const ratio = growthRatio(build, size, f);
      console.log(`${name}: ${ratio.toFixed(2)}× the time for 4× the input`);
      expect(ratio).toBeLessThan(10);
    });
  }
});
