// The charts' y axis: whole-number ticks from 0, each label once, the top
// at or above the largest value (issue 16 item 8: a maximum of 1 read
// "1, 1, 0").
import { describe, expect, it } from "vitest";
import { buildBarChart, buildLineChart, buildTicks } from "../../../src/web/console/charts";

describe("buildTicks", () => {
  it.each([
    [0, [0, 1]],
    [1, [0, 1]],
    [2, [0, 1, 2]],
    [3, [0, 1, 2, 3]],
    [7, [0, 2, 4, 6, 8]],
    [10, [0, 5, 10]],
    [120, [0, 50, 100, 150]],
    [1234, [0, 500, 1000, 1500]],
  ])("a maximum of %d gives %j", (max, ticks) => {
    expect(buildTicks(max)).toEqual(ticks);
  });

  it("for every maximum up to 5000: whole numbers, no label twice, the top covers the maximum, at most six ticks", () => {
    for (let max = 0; max <= 5000; max++) {
      const ticks = buildTicks(max);
      expect(ticks.every(Number.isInteger)).toBe(true);
      expect(new Set(ticks).size).toBe(ticks.length);
      expect(ticks[0]).toBe(0);
      expect(ticks[ticks.length - 1]!).toBeGreaterThanOrEqual(Math.max(max, 1));
      expect(ticks.length).toBeLessThanOrEqual(6);
    }
  });
});

/** The y-axis labels as the SVG shows them, top to bottom order aside. */
async function yLabels(svg: Promise<string> | string): Promise<string[]> {
  const text = String(await svg);
  return [...text.matchAll(/<text class="chart-label" x="42" [^>]*>(\d+)<\/text>/g)].map((m) => m[1]!);
}

describe("the charts' y axis", () => {
  it("a line chart whose maximum is 1 labels 0 and 1, once each", async () => {
    const labels = await yLabels(
      buildLineChart("t", "Readers", [
        { label: "12-01", value: 0 },
        { label: "12-02", value: 1 },
        { label: "12-03", value: null },
      ]),
    );
    expect(labels.sort()).toEqual(["0", "1"]);
  });

  it("a bar chart whose maximum is 3 labels 0 to 3, once each", async () => {
    const labels = await yLabels(
      buildBarChart("t", "Sent", [
        { label: "a", value: 3 },
        { label: "b", value: 1 },
      ]),
    );
    expect(labels.sort()).toEqual(["0", "1", "2", "3"]);
  });
});
