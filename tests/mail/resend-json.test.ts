// The digest's prebuilt Resend body (src/mail/resend-json.ts) against what
// the SDK sends for the same emails: both requests are captured on their way
// to the local Resend-compatible server (which validates each against
// Resend's OpenAPI spec), then compared as parsed JSON.
import { describe, expect, it } from "vitest";
import { personaliseDigest, renderDigest } from "../../src/digest/render-digest";
import type { OutgoingEmail } from "../../src/mail/mailer";
import { escapeParts, joinBatchBody, jsonEscape, resendEmailChunks } from "../../src/mail/resend-json";
import { createResendMailer } from "../../src/mail/resend-mailer";
import { newResendTeam, receivedEmails, resendServerUrl, uniqueDomain } from "../support/servers";

const PUBLIC_URL = "https://digest.example.test";
const DATE = new Date("2026-03-02T06:00:00Z");

const frenchReleases = [
  {
    id: "fr1",
    title: "L’OTAN renforce sa présence à l’Est : « défense collective » réaffirmée",
    link: "https://www.nato.int/cps/fr/natohq/news_1.htm",
    summary:
      "Les Alliés ont approuvé à Bruxelles — après deux jours de débats — un plan élargi. Coût estimé : 2 % du PIB ; déploiement prévu d’ici l’été. Emoji 🛰️ inclus.",
    publishedAt: "2026-03-01T17:00:00Z",
    source: "OTAN · Actualités",
  },
  {
    id: "fr2",
    title: 'Exercice « Steadfast » : guillemets "droits", barre \\ oblique et </script>',
    link: "https://www.nato.int/cps/fr/natohq/news_2.htm?a=1&b=2",
    summary: "Ligne 1\nLigne 2\tavec tabulation et caractère de contrôle \u0001 et séparateur \u2028 fin.",
    publishedAt: "2026-03-01T12:00:00Z",
    source: "OTAN",
  },
];
const englishReleases = [
  {
    id: "en1",
    title: "Allies’ ministers meet in Brussels · Secretary General’s remarks",
    link: "https://www.nato.int/cps/en/natohq/news_3.htm",
    summary: "Ministers discussed deterrence, defence and Ukraine’s needs — “a pivotal moment”.",
    publishedAt: "2026-03-01T09:00:00Z",
    source: "NATO News",
  },
];

/** The request bodies sent to /emails/batch while `action` runs, captured as they go. */
async function capturedBodies(action: () => Promise<unknown>): Promise<string[]> {
  const bodies: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    if (String(input instanceof Request ? input.url : input).endsWith("/emails/batch")) {
      const body = init?.body;
      bodies.push(body instanceof Uint8Array ? new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(body) : String(body));
    }
    return realFetch(input, init);
  }) as typeof fetch;
  try {
    await action();
  } finally {
    globalThis.fetch = realFetch;
  }
  return bodies;
}

describe("the digest's prebuilt Resend body", () => {
  it("escapes parts that parse back to the same text, and joins emails into one JSON array", () => {
    const samples = ["plain", "L’OTAN · « défense » — 2 %", 'quote " backslash \\ </script>', "\u0000\u001f\u007f\u0080\u2028\u2029", "🛰️ 𝔘 \ud800 lone"];
    for (const text of samples) expect(JSON.parse(`"${jsonEscape(text)}"`)).toBe(text);
    const encode = (text: string) => [new TextEncoder().encode(text)];
    expect(JSON.parse(new TextDecoder().decode(joinBatchBody([encode('{"a":"é"}'), encode("2"), encode("[]")])))).toEqual([{ a: "é" }, 2, []]);
  });

  it("is the same JSON as the SDK sends for the same emails, French and English editions mixed, and Resend accepts it", async () => {
    const french = await renderDigest(frenchReleases, { publicUrl: PUBLIC_URL, digestId: "d-e1", date: DATE, lang: "fr", topics: ["défense"] });
    const english = await renderDigest(englishReleases, { publicUrl: PUBLIC_URL, digestId: "d-e0", date: DATE, lang: "en" });
    expect(french.subject).toMatch(/[^\x00-\x7f]/);
    const domain = uniqueDomain("rawjson");
    const readers = Array.from({ length: 6 }, (_, i) => ({
      content: i % 2 ? french : english,
      escaped: escapeParts(i % 2 ? french : english),
      token: `tok+${i}/é=`,
      to: `reader${i}@${domain}`,
      digestId: `d-e${i % 2}`,
    }));
    const build = (prebuilt: boolean): OutgoingEmail[] =>
      readers.map((r) =>
        personaliseDigest(r.content, {
          token: r.token,
          to: r.to,
          from: "NATO Digest · Résumé <digest@example.test>",
          publicUrl: PUBLIC_URL,
          digestId: r.digestId,
          inboundAddress: "inbound@example.test",
          escaped: prebuilt ? r.escaped : undefined,
        }),
      );
    const raw = build(true);
    const plain = build(false);
    expect(raw.every((email) => Array.isArray(email.resendJson))).toBe(true);
    expect(plain.some((email) => email.resendJson !== undefined)).toBe(false);

    const mailer = createResendMailer({ apiKey: await newResendTeam(), baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const sdkBodies = await capturedBodies(() => mailer.sendBatch(plain, { idempotencyKey: `sdk-${domain}` }));
    const rawBodies = await capturedBodies(() => mailer.sendBatch(raw, { idempotencyKey: `raw-${domain}` }));
    expect(sdkBodies).toHaveLength(1);
    expect(rawBodies).toHaveLength(1);
    expect(rawBodies[0]).toMatch(/L’OTAN/);
    expect(JSON.parse(rawBodies[0]!)).toEqual(JSON.parse(sdkBodies[0]!));
    // Each email's text made it through intact, in both requests.
    const received = await receivedEmails(domain);
    expect(received).toHaveLength(12);
    for (const email of received) {
      const reader = readers.find((r) => email.to.includes(r.to))!;
      expect(email.subject).toBe(reader.content.subject);
      expect(email.text).toContain(`token=${encodeURIComponent(reader.token)}`);
    }
  });

  it("shares what an edition's readers have in common, and rebuilds it when the digest, sender or list changes", async () => {
    const content = await renderDigest(frenchReleases, { publicUrl: PUBLIC_URL, digestId: "f-e0", date: DATE, lang: "fr" });
    const escaped = escapeParts(content);
    const decode = (chunks: Uint8Array[]) => JSON.parse(new TextDecoder().decode(joinBatchBody([chunks])))[0];
    const cases = [
      { digestId: "f-e0", from: "NATO Digest <digest@example.test>", to: "a@example.test", token: "p.one" },
      { digestId: "f-e0", from: "NATO Digest <digest@example.test>", to: "b@example.test", token: "p.two" },
      { digestId: "g-e3", from: "NATO Digest <digest@example.test>", to: "c@example.test", token: "p.three" },
      { digestId: "g-e3", from: "Résumé « OTAN » <other@example.test>", to: "d@example.test", token: "p.four" },
    ];
    for (const reader of cases) {
      const email = personaliseDigest(content, { ...reader, publicUrl: PUBLIC_URL, escaped });
      // The generic builder encodes every field of this very email: the shared frame must give the same JSON.
      const generic = resendEmailChunks(email, escaped, `?token=${encodeURIComponent(reader.token)}`);
      expect(decode(email.resendJson!)).toEqual(decode(generic));
      expect(decode(email.resendJson!)).toMatchObject({
        from: reader.from,
        to: [reader.to],
        tags: [
          { name: "kind", value: "digest" },
          { name: "digest", value: reader.digestId },
        ],
      });
    }
  });

  it("a batch mixing prebuilt and plain emails goes through the SDK, unchanged", async () => {
    const english = await renderDigest(englishReleases, { publicUrl: PUBLIC_URL, digestId: "d-e0", date: DATE, lang: "en" });
    const domain = uniqueDomain("mixedjson");
    const emails = [0, 1].map((i) =>
      personaliseDigest(english, {
        token: `t${i}`,
        to: `reader${i}@${domain}`,
        from: "NATO Digest <digest@example.test>",
        publicUrl: PUBLIC_URL,
        digestId: "d-e0",
        escaped: i === 0 ? escapeParts(english) : undefined,
      }),
    );
    const mailer = createResendMailer({ apiKey: await newResendTeam(), baseUrl: resendServerUrl(), requestsPerSecond: 50 });
    const bodies = await capturedBodies(() => mailer.sendBatch(emails, { idempotencyKey: `mixed-${domain}` }));
    const sent = JSON.parse(bodies[0]!) as Record<string, unknown>[];
    expect(sent).toHaveLength(2);
    expect(sent.every((email) => !("resendJson" in email))).toBe(true);
    expect(sent[0]).toEqual(JSON.parse(new TextDecoder().decode(joinBatchBody([emails[0]!.resendJson!])))[0]);
  });
});
