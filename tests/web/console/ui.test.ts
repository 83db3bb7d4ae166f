// The console's small text helpers: counts with their noun (no "(s)") and
// the relative time hint.
import { describe, expect, it } from "vitest";
import { counted, relativeTime } from "../../../src/web/console/ui";

describe("counted", () => {
  it.each([
    [0, "0 releases"],
    [1, "1 release"],
    [8, "8 releases"],
    [12345, "12,345 releases"],
  ])("%d release(s) reads %j", (n, text) => {
    expect(counted(n, "release")).toBe(text);
  });

  it("takes an irregular plural", () => {
    expect(counted(1, "batch", "batches")).toBe("1 batch");
    expect(counted(2, "batch", "batches")).toBe("2 batches");
  });
});

describe("relativeTime", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

  it.each([
    [-2, "just now"],
    [-30, "30 s ago"],
    [-120, "2 min ago"],
    [-3 * 3600, "3 h ago"],
    [-2 * 86_400, "2 d ago"],
    [300, "in 5 min"],
  ])("%d s from now reads %j", (seconds, text) => {
    expect(relativeTime(at(seconds), now)).toBe(text);
  });
});
