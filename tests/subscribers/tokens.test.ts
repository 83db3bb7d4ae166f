// The personal token (unsubscribe and preferences) and the confirm token:
// round trips, old formats still accepted, forgeries refused, the id not
// readable or testable without the secret, and a format SpamAssassin's
// PDS_BTC_ID rule cannot read as a Bitcoin address.
import { describe, expect, it } from "vitest";
import { createConfirmToken, createPersonalToken, createToken, verifyConfirmToken, verifyPersonalToken } from "../../src/subscribers/tokens";
import { SIGNING_SECRET as SECRET } from "../support/worker";
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
    expect(await verifyPersonalToken(SECRET, token)).toEqual({ ok: true, subscriberId: ID });
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
    expect(await verifyPersonalToken(SECRET, old)).toEqual({ ok: true, subscriberId: ID });
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
