import { describe, expect, it } from "vitest";
import { selectReleaseKeys } from "../../src/digest/select-releases";
import type { ListedRelease } from "../../src/releases/release-store";

const NOW = new Date("2026-11-27T07:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

function listed(id: string, meta: Partial<ListedRelease["meta"]>): ListedRelease {
  return {
    key: `v1:release:${(meta.firstSeenAt ?? hoursAgo(1)).slice(0, 10)}:${id}`,
    meta: { firstSeenAt: hoursAgo(1), publishedAt: hoursAgo(2), eligible: true, title: id, ...meta },
  };
}

describe("selectReleaseKeys", () => {
  const since = new Date(hoursAgo(24));
  const rules = { since, now: NOW, maxAgeDays: 7 };

  it("takes releases first seen after the watermark and up to now", () => {
    const keys = selectReleaseKeys(
      [
        listed("new", {}),
        listed("before", { firstSeenAt: hoursAgo(25) }),
        listed("exactly", { firstSeenAt: since.toISOString() }),
        listed("future", { firstSeenAt: new Date(NOW.getTime() + 1000).toISOString() }),
      ],
      rules,
      new Set(),
    );
    expect(keys.map((k) => k.split(":").pop())).toEqual(["new"]);
  });

  it("skips what ingest did not queue, what is over 7 days old, and what the last digest had", () => {
    const keys = selectReleaseKeys(
      [listed("ok", {}), listed("not-eligible", { eligible: false }), listed("old", { publishedAt: hoursAgo(24 * 8) }), listed("sent", {})],
      rules,
      new Set(["sent"]),
    );
    expect(keys.map((k) => k.split(":").pop())).toEqual(["ok"]);
  });
});
