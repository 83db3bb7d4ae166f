// A hostile feed beside a real one (DESIGN §12): a 5 MB document built to
// cost quadratic time (tests/feeds/hostile-feeds.ts) is read in about the
// time of its size, and the other feed of the same run is ingested as usual.
// workerd's clock moves at I/O, so the run's wall time is measured across
// runIngest's own fetches and KV writes. (On the code before this check, the
// same document took 127 s to parse in Node.)
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runIngest } from "../../src/feeds";
import { natoNews } from "../support/feeds";
import { serveFeed, uniqueName } from "../support/servers";
import { testConfig } from "../support/worker";
import { buildHostileFeed } from "./hostile-feeds";

describe("a hostile feed in the same run as a real one", () => {
  it("costs seconds, not minutes, and the real feed is ingested as usual", async () => {
    const hostileUrl = await serveFeed(`/${uniqueName("hostile")}/feed.xml`, { body: buildHostileFeed(5 * 1024 * 1024) });
    const natoUrl = await serveFeed(`/${uniqueName("nato")}/news.xml`, { body: natoNews });
    const now = () => new Date("2025-02-13T08:00:00Z");
    const started = Date.now();
    const report = await runIngest(testConfig({ FEED_URLS: [hostileUrl, natoUrl].join(",") }), env.KV, fetch, now);
    const elapsed = Date.now() - started;
    // About a second on a quiet machine; generous for a loaded one.
    expect(elapsed).toBeLessThan(15_000);
    expect(report.sources[0]).toMatchObject({ url: hostileUrl, status: "ok" });
    expect(report.sources[0]!.total).toBeGreaterThan(10);
    expect(report.sources[0]!.warning).toMatch(/cut short/);
    expect(report.sources[1]).toMatchObject({ url: natoUrl, status: "ok", new: 5, total: 5 });
  });
});
