// The list import's optional cadence, topics and lang columns (CSV and JSON).
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { getSubscriber, listSubscriberPage, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH } from "../support/worker";
import { uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";

function upload(body: string, type: string) {
  return SELF.fetch("https://digest.example.test/admin/subscribers/import", { method: "POST", headers: { ...ADMIN_AUTH, "Content-Type": type }, body });
}

async function waitForImport(id: string) {
  return waitFor(
    async () => {
      const progress = (await (await SELF.fetch(`https://digest.example.test/admin/imports/${id}`, { headers: ADMIN_AUTH })).json()) as { pending: number };
      return progress.pending === 0 ? progress : null;
    },
    60_000,
    `import ${id}`,
  );
}

describe("import with preference columns", () => {
  it("CSV: cadence, topics (`;` or `,` inside the cell) and lang are stored; a bad value makes its row invalid, naming the field", async () => {
    const domain = uniqueDomain("import-prefs");
    const csv = [
      "Email,Cadence,Topics,Lang,Name",
      `weekly@${domain},weekly,"cyber; otan",fr,Ann`,
      `plain@${domain},,,,Bob`,
      `topics@${domain},daily,"space, arctic",,Cy`,
      `badcadence@${domain},monthly,,,Di`,
      `badlang@${domain},,,de,Ed`,
      `badtopic@${domain},,x,,Fi`,
    ].join("\n");
    const response = await upload(csv, "text/csv");
    expect(response.status).toBe(202);
    const job = (await response.json()) as { id: string; valid: number; invalid: number; invalidRows: { line: number; reason: string }[] };
    expect(job).toMatchObject({ valid: 3, invalid: 3 });
    expect(job.invalidRows.map((r) => [r.line, r.reason.split(":")[0]])).toEqual([
      [5, "cadence"],
      [6, "lang"],
      [7, "topics"],
    ]);
    await waitForImport(job.id);
    const weekly = await getSubscriber(env.KV, await subscriberIdFor(`weekly@${domain}`));
    expect(weekly).toMatchObject({ status: "confirmed", preferences: { cadence: "weekly", topics: ["cyber", "otan"], lang: "fr", sources: null } });
    expect((await getSubscriber(env.KV, await subscriberIdFor(`plain@${domain}`)))?.preferences).toBeUndefined();
    expect((await getSubscriber(env.KV, await subscriberIdFor(`topics@${domain}`)))?.preferences).toMatchObject({ topics: ["space", "arctic"] });
    expect(await getSubscriber(env.KV, await subscriberIdFor(`badcadence@${domain}`))).toBeNull();
    const meta = (await listSubscriberPage(env.KV, null)).subscribers.find((s) => s.id === weekly!.id)!.meta;
    expect(meta).toMatchObject({ cadence: "weekly", edition: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it("JSON objects carry the same keys", async () => {
    const domain = uniqueDomain("import-json");
    const response = await upload(
      JSON.stringify([{ email: `j@${domain}`, cadence: "weekly", topics: ["ukraine"], lang: "en" }, `k@${domain}`]),
      "application/json",
    );
    const job = (await response.json()) as { id: string; valid: number };
    expect(job.valid).toBe(2);
    await waitForImport(job.id);
    expect((await getSubscriber(env.KV, await subscriberIdFor(`j@${domain}`)))?.preferences).toEqual({
      cadence: "weekly",
      topics: ["ukraine"],
      lang: "en",
      sources: null,
    });
    expect((await getSubscriber(env.KV, await subscriberIdFor(`k@${domain}`)))?.preferences).toBeUndefined();
  });
});
