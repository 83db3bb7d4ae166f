// Choosing at sign-up (form and JSON) and changing later (GET/POST
// /preferences), through the real routes in workerd. Bad values get 400
// naming the field, with nothing stored or sent; a forged token gets 400,
// never a 500; a GET changes nothing; confirm links bind to their sign-up.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { feedIdFor } from "../../../src/subscribers/preferences";
import { getSubscriber, listSubscriberPage, saveSubscriber, subscriberIdFor } from "../../../src/subscribers/subscriber-store";
import { createPersonalToken, createToken } from "../../../src/subscribers/tokens";
import { call, randomIp, SIGNING_SECRET as SECRET } from "../../support/worker";
import { feedServerUrl, linkIn, receivedEmails, uniqueDomain } from "../../support/servers";
import { seedSubscribers } from "../../support/seed";
import { waitFor } from "../../support/kv";
import { inboundMessage } from "../../support/inbound-mail";
const BASE = "https://digest.example.test";
const EN_FEED = `${feedServerUrl()}/prefs/en.xml`;
const FR_FEED = `${feedServerUrl()}/prefs/fr.xml`;
const TWO_FEEDS = { FEED_URLS: `${EN_FEED},${FR_FEED}`, FEED_LANGUAGES: `${FR_FEED}=fr`, FEED_TITLES: `${EN_FEED}=NATO News|${FR_FEED}=Actualités de l'OTAN` };

/** A request through the worker with extra settings (two feeds). */
function postJson(body: unknown) {
  return SELF.fetch(`${BASE}/subscribe`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp() },
    body: JSON.stringify(body),
  });
}

function form(fields: [string, string][]) {
  return new URLSearchParams(fields).toString();
}

const formHeaders = () => ({ "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() });

async function confirmationFor(domain: string, count = 1) {
  return waitFor(
    async () => {
      const received = await receivedEmails(domain);
      return received.length >= count ? received : null;
    },
    15_000,
    `confirmation email to ${domain}`,
  );
}

describe("choosing at sign-up", () => {
  it("JSON: cadence, topics, lang are stored with the pending sign-up; the confirmation speaks French", async () => {
    const domain = uniqueDomain("json-prefs");
    const response = await postJson({ email: `a@${domain}`, cadence: "weekly", topics: ["cyber", "OTAN"], lang: "fr" });
    expect(response.status).toBe(202);
    // The sign-up is stored after the 202 (waitUntil), so known and new addresses answer alike.
    const record = await waitFor(async () => getSubscriber(env.KV, await subscriberIdFor(`a@${domain}`)));
    expect(record).toMatchObject({ status: "unconfirmed", preferences: { cadence: "weekly", topics: ["cyber", "OTAN"], lang: "fr", sources: null } });
    const [email] = await confirmationFor(domain);
    expect(email!.subject).not.toBe("Confirm your NATO Digest subscription");
    expect(email!.html).toContain('lang="fr"');
  });

  it("form: the options with one checkbox per feed (repeated `sources` fields) and a comma-separated topics field", async () => {
    const domain = uniqueDomain("form-prefs");
    const page = await call("/", { headers: { "Accept-Language": "fr-FR,fr;q=0.9" } }, TWO_FEEDS);
    const html = await page.text();
    expect(html).toContain('<html lang="fr"');
    expect(html).toContain(`value="${feedIdFor(FR_FEED)}"`);
    expect(html).toContain("Actualités de l&#39;OTAN");
    const response = await call(
      "/subscribe",
      {
        method: "POST",
        headers: formHeaders(),
        body: form([
          ["email", `b@${domain}`],
          ["cadence", "daily"],
          ["topics", "Sécurité, cyber"],
          ["lang", "en"],
          ["sources", feedIdFor(EN_FEED)],
          ["sources", feedIdFor(FR_FEED)],
        ]),
      },
      TWO_FEEDS,
    );
    expect(response.status).toBe(202);
    // The sign-up is stored after the 202 (waitUntil), so known and new addresses answer alike.
    const record = await waitFor(async () => getSubscriber(env.KV, await subscriberIdFor(`b@${domain}`)));
    expect(record?.preferences).toEqual({ cadence: "daily", topics: ["Sécurité", "cyber"], lang: "en", sources: [feedIdFor(EN_FEED), feedIdFor(FR_FEED)] });
  });

  it("JSON with a bad value: 400 naming the field, nothing stored, nothing sent", async () => {
    const domain = uniqueDomain("bad-json");
    const cases: [object, string][] = [
      [{ cadence: "hourly" }, "cadence"],
      [{ topics: ["x"] }, "topics"],
      [{ topics: Array.from({ length: 11 }, (_, i) => `topic ${i}`) }, "topics"],
      [{ topics: 7 }, "topics"],
      [{ lang: "de" }, "lang"],
      [{ sources: ["000000000000000000000000"] }, "sources"],
    ];
    for (const [index, [choices, field]] of cases.entries()) {
      const response = await postJson({ email: `c${index}@${domain}`, ...choices });
      expect(response.status, JSON.stringify(choices)).toBe(400);
      expect(await response.json()).toMatchObject({ field, error: expect.stringMatching(new RegExp(field.slice(0, 4), "i")) });
      expect(await getSubscriber(env.KV, await subscriberIdFor(`c${index}@${domain}`))).toBeNull();
    }
    // A sign-up that passes, sent last: once its confirmation arrives, any email the refused ones had queued would have too.
    await postJson({ email: `ok@${domain}` });
    await confirmationFor(domain);
    expect((await receivedEmails(domain)).map((e) => e.to[0])).toEqual([`ok@${domain}`]);
  });

  it("form with a bad topic: 400 page that keeps what was typed and names the field; nothing stored", async () => {
    const domain = uniqueDomain("bad-form");
    const response = await SELF.fetch(`${BASE}/subscribe`, {
      method: "POST",
      headers: formHeaders(),
      body: form([
        ["email", `d@${domain}`],
        ["cadence", "weekly"],
        ["topics", `ok, ${"z".repeat(50)}`],
      ]),
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('id="topics-error"');
    expect(html).toContain(`d@${domain}`);
    expect(html).toMatch(/value="weekly" checked/);
    expect(await getSubscriber(env.KV, await subscriberIdFor(`d@${domain}`))).toBeNull();
  });

  it("a confirmed reader's choices cannot be changed by signing them up again", async () => {
    const domain = uniqueDomain("resubmit");
    const [address] = await seedSubscribers(domain, 1);
    expect((await postJson({ email: address, cadence: "weekly", topics: ["spam"] })).status).toBe(202);
    expect((await getSubscriber(env.KV, await subscriberIdFor(address!)))?.preferences).toBeUndefined();
  });
});

describe("confirm links bind to their sign-up", () => {
  it("after an unsubscribe and a new sign-up, the old link no longer confirms; the new one does and offers preferences", async () => {
    const domain = uniqueDomain("bind");
    const address = `e@${domain}`;
    const id = await subscriberIdFor(address);
    await postJson({ email: address });
    const [first] = await confirmationFor(domain);
    const oldToken = new URL(linkIn(first!.text, "/confirm")).searchParams.get("token")!;
    expect(oldToken).toMatch(/^c3\./);

    // GET only shows the button.
    expect((await SELF.fetch(`${BASE}/confirm?token=${oldToken}`)).status).toBe(200);
    expect((await getSubscriber(env.KV, id))!.status).toBe("unconfirmed");

    // The pending sign-up's own personal link (as an inbound "unsubscribe" reply carries it).
    const generation = (await getSubscriber(env.KV, id))!.tokenGeneration;
    const unsubscribe = await SELF.fetch(`${BASE}/unsubscribe?token=${createPersonalToken(SECRET, id, generation)}`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(unsubscribe.status).toBe(200);
    await postJson({ email: address });
    const emails = await confirmationFor(domain, 2);
    const newToken = new URL(linkIn(emails[1]!.text, "/confirm")).searchParams.get("token")!;
    expect(newToken).not.toBe(oldToken);

    const confirmOld = (token: string) =>
      SELF.fetch(`${BASE}/confirm`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `token=${token}` });
    expect((await SELF.fetch(`${BASE}/confirm?token=${oldToken}`)).status).toBe(410);
    expect((await confirmOld(oldToken)).status).toBe(410);
    expect((await getSubscriber(env.KV, id))!.status).toBe("unconfirmed");

    const confirmed = await confirmOld(newToken);
    expect(confirmed.status).toBe(200);
    const record = (await getSubscriber(env.KV, id))!;
    expect(record.status).toBe("confirmed");
    // Of the new sign-up's generation: the link used to unsubscribe before no longer works.
    expect(record.tokenGeneration).not.toBe(generation);
    expect(record.personalToken).toBe(createPersonalToken(SECRET, id, record.tokenGeneration));
    expect((await SELF.fetch(`${BASE}/preferences?token=${createPersonalToken(SECRET, id, generation)}`)).status).toBe(410);
    expect(await confirmed.text()).toContain(`/preferences?token=${record.personalToken}`);
    // The token travels with the list metadata, for the send path.
    const page = await listSubscriberPage(env.KV, null);
    expect(page.subscribers.find((s) => s.id === id)?.meta.token).toBe(record.personalToken);
  });
});

describe("GET/POST /preferences", () => {
  async function reader(domain: string) {
    const [address] = await seedSubscribers(domain, 1);
    const id = await subscriberIdFor(address!);
    return { address: address!, id, token: createPersonalToken(SECRET, id) };
  }

  it("GET shows the current choices and changes nothing; POST saves, answers a page, and the list metadata follows", async () => {
    const { id, token } = await reader(uniqueDomain("prefs"));
    const before = await env.KV.get(`v1:sub:${id}`);
    const page = await call(`/preferences?token=${token}`, {}, TWO_FEEDS);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/value="daily" checked/);
    expect(html).toContain(`name="token" value="${token}"`);
    expect(html).toContain(`action="/unsubscribe?token=${token}"`);
    expect(await env.KV.get(`v1:sub:${id}`)).toBe(before);

    const saved = await call(
      "/preferences",
      {
        method: "POST",
        headers: formHeaders(),
        body: form([
          ["token", token],
          ["cadence", "weekly"],
          ["topics", "otan, défense"],
          ["lang", "fr"],
          ["sources", feedIdFor(FR_FEED)],
        ]),
      },
      TWO_FEEDS,
    );
    expect(saved.status).toBe(200);
    const savedHtml = await saved.text();
    expect(savedHtml).toContain('<html lang="fr"');
    expect(savedHtml).toMatch(/value="weekly" checked/);
    const record = (await getSubscriber(env.KV, id))!;
    // The French feed alone is the French default: kept as the default, so French feeds added later are included.
    expect(record.preferences).toEqual({ cadence: "weekly", topics: ["otan", "défense"], lang: "fr", sources: null });
    const meta = (await listSubscriberPage(env.KV, null)).subscribers.find((s) => s.id === id)!.meta;
    expect(meta).toMatchObject({ status: "confirmed", cadence: "weekly", token, edition: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(await env.KV.get(`v1:edition:${meta.edition}`, "json")).toMatchObject({ cadence: "weekly", lang: "fr" });
  });

  it("a bad value: 400 naming the field, nothing saved", async () => {
    const { id, token } = await reader(uniqueDomain("prefs-bad"));
    const before = await env.KV.get(`v1:sub:${id}`);
    const response = await SELF.fetch(`${BASE}/preferences`, {
      method: "POST",
      headers: formHeaders(),
      body: form([
        ["token", token],
        ["cadence", "monthly"],
      ]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('id="cadence-error"');
    expect(await env.KV.get(`v1:sub:${id}`)).toBe(before);
  });

  it("forged, tampered, unknown and missing tokens: 400 with a clear page, never a 500; an old u. token still works", async () => {
    const { id } = await reader(uniqueDomain("prefs-forged"));
    const forged = createPersonalToken("attacker-secret-0123456789abcdef", id);
    const unknown = createPersonalToken(SECRET, "f".repeat(32));
    for (const token of [forged, unknown, "p.%00", "u.zz", "x".repeat(500), encodeURIComponent("<script>")]) {
      const get = await SELF.fetch(`${BASE}/preferences?token=${token}`);
      expect(get.status, token).toBe(400);
      expect(await get.text()).toContain("This link is not valid");
      const post = await SELF.fetch(`${BASE}/preferences`, {
        method: "POST",
        headers: formHeaders(),
        body: form([
          ["token", token],
          ["cadence", "weekly"],
        ]),
      });
      expect(post.status, token).toBe(400);
    }
    const noToken = await SELF.fetch(`${BASE}/preferences`);
    expect(noToken.status).toBe(200);
    const old = await createToken(SECRET, "unsubscribe", id, new Date());
    expect((await SELF.fetch(`${BASE}/preferences?token=${old}`)).status).toBe(200);
  });

  it("an unsubscribed reader's link says so; the preferences of a reader whose record predates them read as defaults", async () => {
    const { id, token } = await reader(uniqueDomain("prefs-gone"));
    const record = (await getSubscriber(env.KV, id))!;
    await saveSubscriber(env.KV, { ...record, status: "unsubscribed", email: "" });
    expect((await SELF.fetch(`${BASE}/preferences?token=${token}`)).status).toBe(410);
  });
});

describe("subscribe by email", () => {
  it("'subscribe weekly' asks for the weekly edition", async () => {
    const domain = uniqueDomain("inbound-weekly");
    const raw = `From: Reader <w@${domain}>\r\nTo: subscribe@digest.example.test\r\nSubject: subscribe weekly\r\nMessage-ID: <${crypto.randomUUID()}@example.test>\r\n\r\nhello\r\n`;
    const ctx = createExecutionContext();
    await worker.email(inboundMessage(raw, `w@${domain}`).forwardable, env, ctx);
    await waitOnExecutionContext(ctx);
    const record = await getSubscriber(env.KV, await subscriberIdFor(`w@${domain}`));
    expect(record?.preferences?.cadence).toBe("weekly");
  });
});
