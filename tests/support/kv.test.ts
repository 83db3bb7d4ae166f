// The wait helpers fail with a message naming what never came, and within
// the test's own timeout (never vitest's bare "Test timed out").
import { expect, it } from "vitest";
import { waitFor, waitForKey } from "./kv";

it("a wait longer than the test's timeout is cut short, naming what never came", async () => {
  const started = Date.now();
  await expect(waitFor(async () => false, 90_000, "a thing that never comes")).rejects.toThrow(
    /cut short by the test's 4 s timeout\) waiting for a thing that never comes/,
  );
  expect(Date.now() - started).toBeLessThan(4_000);
}, 4_000);

it("a KV key that never appears is named in the failure", async () => {
  await expect(waitForKey("v1:never-written", "the marker", () => true, 300)).rejects.toThrow(
    /timed out after 0\.\d s waiting for the marker \(KV key v1:never-written\)/,
  );
});
