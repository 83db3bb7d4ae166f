import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { csvCell } from "../../../src/subscribers/export";
import { newSubscriber, type Subscriber } from "../../../src/subscribers/subscriber";
import { getSubscriber, saveSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";

const auth = { Authorization: "Bearer test-admin-token-0123456789" };

async function seed(email: string, status: Subscriber["status"], preferences?: Subscriber["preferences"]): Promise<Subscriber> {
  const base = newSubscriber(
    { id: await subscriberIdFor(email), email: status === "unsubscribed" ? "" : email, source: "form", status },
    new Date("2026-11-01T10:00:00.000Z"),
  );
  const subscriber: Subscriber = {
    ...base,
    consentAt: status === "confirmed" ? base.createdAt : null,
    consentSource: status === "confirmed" ? "form" : null,
    unsubscribedAt: status === "unsubscribed" ? base.createdAt : null,
    ...(preferences ? { preferences } : {}),
  };
  await saveSubscriber(env.KV, subscriber);
  return subscriber;
}

describe("GET /admin/subscribers", () => {
  it("exports CSV with consent time and source and each reader's choices, and JSON with the same rows", async () => {
    await seed("a@export.example.test", "confirmed");
    await seed("fr@export.example.test", "confirmed", { cadence: "weekly", topics: ["cyber", "l'OTAN"], lang: "fr", sources: ["feed1", "feed2"] });
    await seed("b@export.example.test", "unconfirmed");
    await seed("=cmd@export.example.test", "confirmed");
    await seed("gone@export.example.test", "unsubscribed");
    const csv = await SELF.fetch("https://digest.example.test/admin/subscribers?format=csv", { headers: auth });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(
      "email,status,consentAt,consentSource,createdAt,unsubscribedAt,suppressedAt,suppressedReason,cadence,topics,lang,sources,otherLanguage",
    );
    expect(lines).toHaveLength(6);
    // A record from before preferences exports the defaults; topics and sources are "; "-separated, as the import reads topics.
    expect(lines).toContain("a@export.example.test,confirmed,2026-11-01T10:00:00.000Z,form,2026-11-01T10:00:00.000Z,,,,daily,,en,,include");
    expect(lines).toContain(
      "fr@export.example.test,confirmed,2026-11-01T10:00:00.000Z,form,2026-11-01T10:00:00.000Z,,,,weekly,cyber; l'OTAN,fr,feed1; feed2,include",
    );
    expect(lines.some((line) => line.startsWith("'=cmd@"))).toBe(true); // no formula injection
    expect(lines.some((line) => line.startsWith(",unsubscribed,"))).toBe(true); // the address is not kept

    const json = (await (await SELF.fetch("https://digest.example.test/admin/subscribers?format=json", { headers: auth })).json()) as {
      email: string;
      status: string;
      topics: string[];
      sources: string[] | null;
    }[];
    expect(json).toHaveLength(5);
    expect(json.find((row) => row.email === "fr@export.example.test")).toMatchObject({
      cadence: "weekly",
      topics: ["cyber", "l'OTAN"],
      lang: "fr",
      sources: ["feed1", "feed2"],
    });
    expect(json.find((row) => row.email === "a@export.example.test")).toMatchObject({ cadence: "daily", topics: [], lang: "en", sources: null });
    expect(json.find((row) => row.email === "b@export.example.test")?.status).toBe("unconfirmed");
  });

  it("requires the token and a known format", async () => {
    expect((await SELF.fetch("https://digest.example.test/admin/subscribers")).status).toBe(401);
    expect((await SELF.fetch("https://digest.example.test/admin/subscribers?format=xml", { headers: auth })).status).toBe(400);
  });

  it("quotes CSV cells", () => {
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell(null)).toBe("");
  });
});

describe("DELETE /admin/subscribers/:email", () => {
  it("erases the record, case-insensitively; erasing twice reports nothing to erase", async () => {
    const subscriber = await seed("erase-me@export.example.test", "confirmed");
    const response = await SELF.fetch("https://digest.example.test/admin/subscribers/Erase-Me%40EXPORT.example.test", { method: "DELETE", headers: auth });
    expect(await response.json()).toEqual({ erased: true });
    expect(await getSubscriber(env.KV, subscriber.id)).toBeNull();
    const again = await SELF.fetch("https://digest.example.test/admin/subscribers/erase-me%40export.example.test", { method: "DELETE", headers: auth });
    expect(await again.json()).toEqual({ erased: false });
    expect((await SELF.fetch("https://digest.example.test/admin/subscribers/not-an-address", { method: "DELETE", headers: auth })).status).toBe(400);
  });
});
