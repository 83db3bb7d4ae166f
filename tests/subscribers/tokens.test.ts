// The personal token (unsubscribe and preferences) and the confirm token:
// round trips, old formats still accepted, forgeries refused, the id not
// readable or testable without the secret, and a format SpamAssassin's
// PDS_BTC_ID rule cannot read as a Bitcoin address.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../../src/lib/crypto";
import {
  createConfirmToken,
  createPersonalToken,
  createToken,
  newTokenGeneration,
  verifyConfirmToken,
  verifyPersonalToken,
} from "../../src/subscribers/tokens";

const SECRET = "test-signing-secret-0123456789abcdef";
const OTHER = "attacker-secret-0123456789abcdef";
const ID = "0123456789abcdef0123456789abcdef";
const NOW = new Date("2026-11-29T07:00:00Z");

/**
 * The body pattern behind SpamAssassin's __BITCOIN_ID (used by PDS_BTC_ID):
 * a word starting with 1 or 3 followed by 25–34 base58 characters.
 */
const BITCOIN_ID = /\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b/;

function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("personal token", () => {
  it("round-trips, is deterministic, never expires and holds no readable id", async () => {
    const token = createPersonalToken(SECRET, ID);
    expect(token).toMatch(/^p\.[A-Za-z0-9_-]{19}\.[A-Za-z0-9_-]{19}$/);
    expect(createPersonalToken(SECRET, ID)).toBe(token);
    expect(await verifyPersonalToken(SECRET, token)).toEqual({ ok: true, subscriberId: ID, generation: "0" });
    expect(token).not.toContain(ID);
    expect(token).not.toMatch(/[0-9a-f]{32}/);
    // Another secret makes another token for the same id: nobody can compute or test it without the secret.
    expect(createPersonalToken(OTHER, ID)).not.toBe(token);
  });

  it("refuses forgeries and tampering", async () => {
    const token = createPersonalToken(SECRET, ID);
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    for (const at of [2, 10, 20, 22, 30, 40]) expect(await verifyPersonalToken(SECRET, flip(token, at)), `flip at ${at}`).toMatchObject({ ok: false });
    expect(await verifyPersonalToken(SECRET, createPersonalToken(OTHER, ID))).toEqual({ ok: false, reason: "bad-signature" });
    for (const bad of [undefined, null, 42, "", "p.", "p.abc.def", `p.${"A".repeat(19)}.${"A".repeat(19)}`, "x".repeat(300), `${token}.x`]) {
      expect((await verifyPersonalToken(SECRET, bad)).ok, String(bad)).toBe(false);
    }
  });

  it("old unsubscribe links (u.<id>.<sig>) keep working; old confirm tokens are not personal tokens", async () => {
    const old = await createToken(SECRET, "unsubscribe", ID, new Date("2025-01-01"));
    expect(await verifyPersonalToken(SECRET, old)).toEqual({ ok: true, subscriberId: ID, generation: "0" });
    expect(await verifyPersonalToken(SECRET, await createToken(OTHER, "unsubscribe", ID, NOW))).toEqual({ ok: false, reason: "bad-signature" });
    expect((await verifyPersonalToken(SECRET, await createToken(SECRET, "confirm", ID, NOW))).ok).toBe(false);
    expect((await verifyPersonalToken(SECRET, createConfirmToken(SECRET, ID, "nonce-nonce-1234", NOW))).ok).toBe(false);
  });

  it("never looks like a Bitcoin address to SpamAssassin (the old format did, for about 1 reader in 60)", async () => {
    let oldHits = 0;
    for (let i = 0; i < 2000; i++) {
      const id = randomId();
      expect(createPersonalToken(SECRET, id)).not.toMatch(BITCOIN_ID);
      expect(createConfirmToken(SECRET, id, "abcdefgh12345678", NOW)).not.toMatch(BITCOIN_ID);
      if (BITCOIN_ID.test(`https://digest.example/unsubscribe?token=u.${id}.sig`)) oldHits++;
    }
    // The check itself bites: the old 32-hex ids between dots do trip it.
    expect(oldHits).toBeGreaterThan(5);
  });
});

describe("confirm token", () => {
  it("carries the id and the sign-up's nonce, and expires after 48 hours", async () => {
    const token = createConfirmToken(SECRET, ID, "nonce-nonce-1234", NOW);
    expect(token).not.toContain(ID);
    expect(await verifyConfirmToken(SECRET, token, new Date(NOW.getTime() + 47 * 3600_000))).toEqual({ ok: true, subscriberId: ID, nonce: "nonce-nonce-1234" });
    expect(await verifyConfirmToken(SECRET, token, new Date(NOW.getTime() + 49 * 3600_000))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses another secret, a changed nonce or expiry, and personal tokens", async () => {
    const token = createConfirmToken(SECRET, ID, "nonce-nonce-1234", NOW);
    expect(await verifyConfirmToken(SECRET, createConfirmToken(OTHER, ID, "nonce-nonce-1234", NOW), NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(await verifyConfirmToken(SECRET, token.replace("nonce-nonce-1234", "nonce-nonce-9999"), NOW)).toEqual({ ok: false, reason: "bad-signature" });
    const [, , , , expiry] = token.split(".");
    expect(await verifyConfirmToken(SECRET, token.replace(`.${expiry}.`, `.${Number(expiry) + 9999999}.`), NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(await verifyConfirmToken(SECRET, createPersonalToken(SECRET, ID), NOW)).toEqual({ ok: false, reason: "wrong-purpose" });
    expect(await verifyConfirmToken(SECRET, "c2.garbage", NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("old confirm tokens still verify (without a nonce), until they expire", async () => {
    const old = await createToken(SECRET, "confirm", ID, NOW);
    expect(await verifyConfirmToken(SECRET, old, NOW)).toEqual({ ok: true, subscriberId: ID, nonce: null });
    expect(await verifyConfirmToken(SECRET, old, new Date(NOW.getTime() + 49 * 3600_000))).toEqual({ ok: false, reason: "expired" });
  });
});

/** Another spelling of the same bytes: the last character's unused low bit set or cleared (what a lax decoder ignores). */
function respell(segment: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(segment[segment.length - 1]!);
  return segment.slice(0, -1) + alphabet[last ^ 1];
}

describe("token generations (issue 20, item 4)", () => {
  it("a generation's token round-trips with its generation, differs from every other generation's, and keeps segments short", async () => {
    const first = createPersonalToken(SECRET, ID, "00000000a1");
    const second = createPersonalToken(SECRET, ID, "00000000a2");
    expect(first).toMatch(/^p2\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(second).not.toBe(first);
    expect(createPersonalToken(SECRET, ID, "0")).toBe(createPersonalToken(SECRET, ID));
    expect(await verifyPersonalToken(SECRET, first)).toEqual({ ok: true, subscriberId: ID, generation: "00000000a1" });
    expect(await verifyPersonalToken(SECRET, second)).toEqual({ ok: true, subscriberId: ID, generation: "00000000a2" });
    expect(await verifyPersonalToken(OTHER, first)).toEqual({ ok: false, reason: "bad-signature" });
    expect(() => createPersonalToken(SECRET, ID, "not-hex")).toThrow(TypeError);
    for (let i = 0; i < 500; i++) expect(createPersonalToken(SECRET, randomId(), newTokenGeneration())).not.toMatch(BITCOIN_ID);
  });

  it("a confirm link shares nothing with the personal token: no part in common, and its sealed id is no personal token", async () => {
    const confirm = createConfirmToken(SECRET, ID, "nonce-nonce-1234", NOW);
    expect(confirm.startsWith("c3.")).toBe(true);
    const [, first, second] = confirm.split(".");
    for (const personal of [createPersonalToken(SECRET, ID), createPersonalToken(SECRET, ID, "0123456789")]) {
      for (const part of personal.split(".").slice(1)) expect(confirm).not.toContain(part);
      expect(personal).not.toContain(first);
      expect(personal).not.toContain(second);
    }
    expect(await verifyPersonalToken(SECRET, `p.${first}.${second}`)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("confirm links of the c2 format (which carried the personal token) still verify until they expire", async () => {
    const key = createHmac("sha256", SECRET).update("nato-digest token key v2: confirm mac").digest();
    const expiry = Math.floor(NOW.getTime() / 1000) + 48 * 3600;
    const body = `c2.${createPersonalToken(SECRET, ID).slice(2)}.nonce-nonce-1234.${expiry}`;
    const c2 = `${body}.${toBase64Url(createHmac("sha256", key).update(body).digest().subarray(0, 16))}`;
    expect(await verifyConfirmToken(SECRET, c2, NOW)).toEqual({ ok: true, subscriberId: ID, nonce: "nonce-nonce-1234" });
    expect(await verifyConfirmToken(SECRET, c2, new Date(NOW.getTime() + 49 * 3600_000))).toEqual({ ok: false, reason: "expired" });
  });
});

describe("one spelling per token (issue 20, item 6)", () => {
  it("base64url decodes its canonical spelling only", () => {
    expect(fromBase64Url("AQID")).toEqual(new Uint8Array([1, 2, 3]));
    expect(fromBase64Url("AQI")).toEqual(new Uint8Array([1, 2]));
    expect(fromBase64Url("AQJ")).toBeNull(); // the same bytes with a trailing bit set
    expect(fromBase64Url("AQI=")).toBeNull(); // padding
    expect(fromBase64Url("A")).toBeNull();
    expect(fromBase64Url("AQ+/")).toBeNull();
  });

  it("every token format refuses another spelling of its bytes", async () => {
    const personal = createPersonalToken(SECRET, ID);
    const [, a, b] = personal.split(".") as [string, string, string];
    expect(await verifyPersonalToken(SECRET, `p.${a}.${respell(b)}`)).toMatchObject({ ok: false });

    const old = await createToken(SECRET, "unsubscribe", ID, NOW);
    expect(await verifyPersonalToken(SECRET, respell(old))).toMatchObject({ ok: false });

    const confirm = createConfirmToken(SECRET, ID, "nonce-nonce-1234", NOW);
    expect(await verifyConfirmToken(SECRET, respell(confirm), NOW)).toMatchObject({ ok: false });
    const parts = confirm.split(".");
    parts[2] = respell(parts[2]!);
    expect(await verifyConfirmToken(SECRET, parts.join("."), NOW)).toMatchObject({ ok: false });

    // 33 bytes fill 44 characters exactly: a generation's token has no spare bits at all.
    expect(createPersonalToken(SECRET, ID, "0123456789").length).toBe(3 + 22 + 1 + 22);
  });
});
