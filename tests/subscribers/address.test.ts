// Unicode addresses (issue 11, item 5): NFKC before validating, no broken
// text, no control or text-direction characters, and each confirmation goes
// to the address just submitted.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { parseEmailAddress } from "../../src/subscribers/address";
import { getSubscriber, subscriberIdFor } from "../../src/subscribers/subscriber-store";
import { ADMIN_AUTH, randomIp } from "../support/worker";
import { receivedEmails, uniqueDomain } from "../support/servers";
import { waitFor } from "../support/kv";

async function subscribe(fields: Record<string, string>, kind: "json" | "form", overrides: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const body = kind === "json" ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  const request = new Request("https://digest.example.test/subscribe", {
    method: "POST",
    headers: { "Content-Type": kind === "json" ? "application/json" : "application/x-www-form-urlencoded", "CF-Connecting-IP": randomIp() },
    body,
  });
  const response = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("parseEmailAddress and Unicode", () => {
  it.each([
    ["\u212Aim@example.org", "Kim@example.org"], // Kelvin sign
    ["ｋｉｍ@ｅｘａｍｐｌｅ.org", "kim@example.org"], // full-width forms
    ["ﬁle@example.org", "file@example.org"], // ligature
    ["café@example.org", "café@example.org"], // composed and decomposed é agree
    ["cafe\u0301@example.org", "café@example.org"],
    ["reader@bücher.example", "reader@bücher.example"],
  ])("normalises %j to %j", (input, expected) => {
    expect(parseEmailAddress(input)).toEqual({ ok: true, address: expected });
  });

  it.each([
    ["a lone high surrogate", "ab\uD800c@example.org", /not valid text/],
    ["a lone low surrogate", "ab\uDC00@example.org", /not valid text/],
    ["a C1 control", "ab\u0085c@example.org", /control/],
    ["NUL", "ab\u0000@example.org", /control/],
    ["a right-to-left override", "gro.elpmaxe@\u202Eab", /control/],
    ["a bidi isolate", "ab\u2067c@example.org", /control/],
    ["a right-to-left mark", "ab@example.org\u200F", /control/],
    ["an Arabic letter mark", "a\u061Cb@example.org", /control/],
  ])("rejects %s", (_, input, message) => {
    const result = parseEmailAddress(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it("a valid surrogate pair (an emoji) is well-formed text", () => {
    expect(parseEmailAddress("\u{1F600}@example.org")).toEqual({ ok: true, address: "\u{1F600}@example.org" });
  });
});

describe("POST /subscribe with Unicode addresses", () => {
  it.each([
    ["lone surrogate", "x\uD800y@example.org"],
    ["bidi override", "\u202Ekim@example.org"],
    ["C1 control", "kim\u0090@example.org"],
  ])("JSON with a %s: 400 naming the email address, never a 500", async (_, email) => {
    const response = await subscribe({ email }, "json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/email address/i);
  });

  it("a form with a bidi control shows the form again with the error", async () => {
    const response = await subscribe({ email: "kim\u202E@example.org" }, "form");
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/email address cannot contain/i);
  });

  it("the Kelvin-sign address and the plain one are one record; each confirmation goes to the address just submitted", async () => {
    const domain = uniqueDomain("kelvin");
    const noInterval = { CONFIRM_EMAIL_INTERVAL_MINUTES: "0" };
    expect((await subscribe({ email: `\u212Aim@${domain}` }, "json", noInterval)).status).toBe(202);
    const [first] = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length ? emails : null;
    });
    expect(first!.to).toEqual([`Kim@${domain}`]);

    expect((await subscribe({ email: `kim@${domain}` }, "json", noInterval)).status).toBe(202);
    const both = await waitFor(async () => {
      const emails = await receivedEmails(domain);
      return emails.length >= 2 ? emails : null;
    });
    expect(both[1]!.to).toEqual([`kim@${domain}`]);
    const record = await getSubscriber(env.KV, await subscriberIdFor(`kim@${domain}`));
    expect(record).toMatchObject({ status: "unconfirmed", email: `kim@${domain}` });
    expect(await subscriberIdFor(`\u212Aim@${domain}`.normalize("NFKC"))).toBe(record!.id);
  });
});

describe("invisible characters (issue 20, hardening)", () => {
  const INVISIBLES: [string, string][] = [
    ["zero-width space", "\u200B"],
    ["zero-width non-joiner", "\u200C"],
    ["zero-width joiner", "\u200D"],
    ["word joiner", "\u2060"],
    ["byte-order mark", "\uFEFF"],
    ["soft hyphen", "\u00AD"],
    ["Mongolian vowel separator", "\u180E"],
    ["invisible times", "\u2062"],
    ["variation selector 16", "\uFE0F"],
    ["combining grapheme joiner", "\u034F"],
    ["Hangul filler", "\u3164"],
    ["tag letter a", "\u{E0061}"],
  ];

  it.each(INVISIBLES)("refuses an address with a %s", (_, char) => {
    expect(parseEmailAddress(`ki${char}m@example.org`)).toEqual({ ok: false, message: expect.stringMatching(/invisible/) });
    expect(parseEmailAddress(`kim@exa${char}mple.org`)).toMatchObject({ ok: false });
  });

  it("sign-ups with one get 400 (JSON and form), storing and sending nothing", async () => {
    const domain = uniqueDomain("invisible");
    for (const [, char] of INVISIBLES) {
      const json = await subscribe({ email: `zw${char}s@${domain}` }, "json");
      expect(json.status).toBe(400);
      expect(((await json.json()) as { field: string }).field).toBe("email");
      const form = await subscribe({ email: `zw${char}s@${domain}` }, "form");
      expect(form.status).toBe(400);
    }
    expect(await getSubscriber(env.KV, await subscriberIdFor(`zw\u200Bs@${domain}`))).toBeNull();
    expect(await getSubscriber(env.KV, await subscriberIdFor(`zws@${domain}`))).toBeNull();
    expect(await receivedEmails(domain)).toHaveLength(0);
  });

  it("an import counts such rows as invalid", async () => {
    const domain = uniqueDomain("invisible-import");
    const response = await SELF.fetch("https://digest.example.test/admin/subscribers/import", {
      method: "POST",
      headers: { ...ADMIN_AUTH, "Content-Type": "text/csv" },
      body: `email\nfine@${domain}\nhid\u200Bden@${domain}\n`,
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ valid: 1, invalid: 1 });
  });
});
