// otherLanguage as a preference: the sign-up JSON, the preferences form
// (GET shows it, POST saves it), the import and the export carry it; a bad
// value gets 400 naming the field; only "skip" changes the edition key.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { parseCsvImport } from "../../src/subscribers/import-parse";
import { CSV_COLUMNS, toExportRow } from "../../src/subscribers/export";
import { canonicalPreferences, parsePreferencesInput } from "../../src/subscribers/preferences";
import { editionKeyOf, getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { createPersonalToken } from "../../src/subscribers/tokens";
import { randomIp } from "../support/worker";
import { seedSubscribers } from "../support/seed";
import { uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";

const SECRET = "test-signing-secret-0123456789abcdef";
const BASE = "https://digest.example.test";

async function call(path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, init), env as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("otherLanguage", () => {
  it("is parsed, defaults to include, and only skip joins the edition key", () => {
    const include = parsePreferencesInput({ lang: "fr" }, []);
    const skip = parsePreferencesInput({ lang: "fr", otherLanguage: "skip" }, []);
    expect(include).toMatchObject({ ok: true, preferences: { lang: "fr" } });
    expect(include.ok && include.preferences.otherLanguage).toBeFalsy();
    expect(skip).toMatchObject({ ok: true, preferences: { otherLanguage: "skip" } });
    expect(parsePreferencesInput({ otherLanguage: "sometimes" }, [])).toMatchObject({ ok: false, field: "otherLanguage" });
    if (!include.ok || !skip.ok) throw new Error("parse failed");
    expect(canonicalPreferences(include.preferences)).not.toContain('"o"');
    expect(editionKeyOf(skip.preferences)).not.toBe(editionKeyOf(include.preferences));
    expect(editionKeyOf({ cadence: "daily", topics: [], lang: "en", sources: null, otherLanguage: "skip" })).not.toBeNull();
  });

  it("the sign-up JSON stores it; a bad value gets 400 naming the field", async () => {
    const domain = uniqueDomain("other-json");
    const bad = await SELF.fetch(`${BASE}/subscribe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ email: `b@${domain}`, otherLanguage: "never" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: "otherLanguage" });
    const good = await SELF.fetch(`${BASE}/subscribe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
      body: JSON.stringify({ email: `a@${domain}`, lang: "fr", otherLanguage: "skip" }),
    });
    expect(good.status).toBe(202);
    const record = await waitFor(async () => getSubscriber(env.KV, await subscriberIdFor(`a@${domain}`)));
    expect(record.preferences).toMatchObject({ lang: "fr", otherLanguage: "skip" });
  });

  it("the preferences page shows it and POST /preferences saves it", async () => {
    const [address] = await seedSubscribers(uniqueDomain("other-form"), 1);
    const id = await subscriberIdFor(address!);
    const token = createPersonalToken(SECRET, id);
    const page = await (await call(`/preferences?token=${token}`)).text();
    expect(page).toMatch(/name="otherLanguage" value="include" checked/);
    const saved = await call("/preferences", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() },
      body: new URLSearchParams([
        ["token", token],
        ["lang", "fr"],
        ["otherLanguage", "skip"],
      ]).toString(),
    });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toMatch(/name="otherLanguage" value="skip" checked/);
    expect((await getSubscriber(env.KV, id))!.preferences).toMatchObject({ lang: "fr", otherLanguage: "skip" });
  });

  it("the import reads an otherLanguage column and the export writes one", async () => {
    const csv = "email,lang,otherLanguage\na@example.org,fr,skip\nb@example.org,en,\n";
    const parsed = await parseCsvImport(new Response(csv).body!);
    expect(parsed.preferences?.[0]).toMatchObject({ lang: "fr", otherLanguage: "skip" });
    expect(parsed.preferences?.[1]?.otherLanguage).toBeUndefined();
    expect(CSV_COLUMNS).toContain("otherLanguage");
    const row = toExportRow({
      ...(await getSubscriberLike()),
      preferences: { cadence: "daily", topics: [], lang: "fr", sources: null, otherLanguage: "skip" },
    });
    expect(row.otherLanguage).toBe("skip");
    expect(toExportRow(await getSubscriberLike()).otherLanguage).toBe("include");
  });
});

async function getSubscriberLike() {
  const [address] = await seedSubscribers(uniqueDomain("other-export"), 1);
  return (await getSubscriber(env.KV, await subscriberIdFor(address!)))!;
}
