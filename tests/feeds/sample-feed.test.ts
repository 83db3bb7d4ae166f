// The offline sample feed is served by the worker itself at PUBLIC_URL, so
// `npm start -- --port N` (which sets PUBLIC_URL to port N, see
// tests/scripts/start.test.ts) keeps it on that port.
import { describe, expect, it } from "vitest";
import { isLocalMode, sampleFeedUrl } from "../../src/feeds/sample-feed";
import { testConfig } from "../support/worker";

describe("the sample feed's URL", () => {
  it("follows PUBLIC_URL, port included, and a loopback PUBLIC_URL without a Resend key is local mode", () => {
    const config = testConfig({ PUBLIC_URL: "http://localhost:9123", RESEND_API_KEY: "" });
    expect(new URL(sampleFeedUrl(config)).origin).toBe("http://localhost:9123");
    expect(isLocalMode(config)).toBe(true);
    expect(isLocalMode(testConfig({ PUBLIC_URL: "https://digest.example.org", RESEND_API_KEY: "" }))).toBe(false);
  });
});
