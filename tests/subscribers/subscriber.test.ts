import { describe, expect, it } from "vitest";
import { parseEmailAddress } from "../../src/subscribers/address";
import { confirmSubscription, requestSubscription, suppress, unsubscribe, type Subscriber } from "../../src/subscribers/subscriber";
import { createToken, verifyToken } from "../../src/subscribers/tokens";

const SECRET = "unit-test-secret-0123456789abcdef";
const ID = "0123456789abcdef0123456789abcdef";
const NOW = new Date("2026-11-27T10:00:00Z");

describe("parseEmailAddress", () => {
  it.each([
    ["  Reader@Example.ORG ", "Reader@example.org"],
    ["a.b+tag@sub.example.co.uk", "a.b+tag@sub.example.co.uk"],
    ["user@xn--bcher-kva.example", "user@xn--bcher-kva.example"],
  ])("accepts %j as %j", (input, expected) => {
    expect(parseEmailAddress(input)).toEqual({ ok: true, address: expected });
  });

  it.each([
    [undefined, /enter an email/],
    ["", /enter an email/],
    ["plainaddress", /exactly one @/],
    ["a@b@example.org", /exactly one @/],
    ["a b@example.org", /spaces/],
    ["a@example.org\r\nBcc: victim@example.org", /spaces or control/],
    ["a@localhost", /domain name/],
    ["a@example.1", /top-level domain/],
    ["@example.org", /before the @/],
    [".a@example.org", /characters/],
    ["a..b@example.org", /characters/],
    ["<a>@example.org", /characters/],
    [`${"a".repeat(65)}@example.org`, /too long/],
    [`a@${"b".repeat(250)}.org`, /too long/],
    ["a@-example.org", /domain name/],
    [42, /enter an email/],
  ])("rejects %j", (input, message) => {
    const result = parseEmailAddress(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe("tokens", () => {
  it("round-trips confirm and unsubscribe tokens", async () => {
    const confirm = await createToken(SECRET, "confirm", ID, NOW);
    expect(await verifyToken(SECRET, confirm, "confirm", NOW)).toEqual({ ok: true, subscriberId: ID });
    const unsub = await createToken(SECRET, "unsubscribe", ID, NOW);
    expect(await verifyToken(SECRET, unsub, "unsubscribe", new Date("2040-01-01"))).toEqual({ ok: true, subscriberId: ID });
    // Unsubscribe tokens are deterministic: the same link in every digest.
    expect(await createToken(SECRET, "unsubscribe", ID, new Date(0))).toBe(unsub);
    expect(unsub).not.toContain("@");
  });

  it("expires confirm tokens after 48 hours", async () => {
    const token = await createToken(SECRET, "confirm", ID, NOW);
    expect((await verifyToken(SECRET, token, "confirm", new Date(NOW.getTime() + 47 * 3600_000))).ok).toBe(true);
    expect(await verifyToken(SECRET, token, "confirm", new Date(NOW.getTime() + 49 * 3600_000))).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses tampered, forged, truncated and wrong-purpose tokens", async () => {
    const token = await createToken(SECRET, "confirm", ID, NOW);
    const [code, id, expiry, signature] = token.split(".") as [string, string, string, string];
    const otherId = `f${id.slice(1)}`;
    const cases: [unknown, string][] = [
      [`${code}.${otherId}.${expiry}.${signature}`, "bad-signature"],
      [`${code}.${id}.${Number(expiry) + 3600}.${signature}`, "bad-signature"],
      [`u.${id}.${expiry}.${signature}`, "bad-signature"],
      [`${code}.${id}.${expiry}.${signature.slice(0, -1)}`, "malformed"],
      [`${code}.${id}.${expiry}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`, "bad-signature"],
      [await createToken("another-secret-0123456789abcdef", "confirm", ID, NOW), "bad-signature"],
      ["", "malformed"],
      [null, "malformed"],
      ["x".repeat(5000), "malformed"],
      ["<script>alert(1)</script>", "malformed"],
    ];
    for (const [candidate, reason] of cases) {
      expect(await verifyToken(SECRET, candidate, "confirm", NOW), String(candidate)).toEqual({ ok: false, reason });
    }
    expect(await verifyToken(SECRET, token, "unsubscribe", NOW)).toEqual({ ok: false, reason: "wrong-purpose" });
  });
});

describe("subscription state machine", () => {
  const interval = 10 * 60_000;
  const fresh = () => requestSubscription(null, { id: ID, email: "a@example.org", source: "form" }, NOW, interval);

  it("a new address is unconfirmed and gets a confirmation", () => {
    const outcome = fresh();
    expect(outcome).toMatchObject({ sendConfirmation: true, changed: true, subscriber: { status: "unconfirmed", source: "form", consentAt: null } });
  });

  it("a pending address gets another confirmation only after the interval", () => {
    const pending: Subscriber = { ...fresh().subscriber, lastConfirmationSentAt: NOW.toISOString() };
    expect(requestSubscription(pending, { id: ID, email: "a@example.org", source: "form" }, new Date(NOW.getTime() + 60_000), interval).sendConfirmation).toBe(
      false,
    );
    expect(
      requestSubscription(pending, { id: ID, email: "a@example.org", source: "form" }, new Date(NOW.getTime() + interval), interval).sendConfirmation,
    ).toBe(true);
  });

  it("confirming records consent once; confirming again changes nothing", () => {
    const confirmed = confirmSubscription(fresh().subscriber, NOW);
    expect(confirmed).toMatchObject({ ok: true, changed: true, subscriber: { status: "confirmed", consentAt: NOW.toISOString(), consentSource: "form" } });
    if (!confirmed.ok) return;
    expect(confirmSubscription(confirmed.subscriber, new Date(NOW.getTime() + 1000))).toMatchObject({ ok: true, changed: false });
    expect(requestSubscription(confirmed.subscriber, { id: ID, email: "a@example.org", source: "api" }, NOW, interval)).toMatchObject({
      sendConfirmation: false,
      changed: false,
    });
  });

  it("unsubscribing forgets the address; coming back goes through double opt-in", () => {
    const confirmed = confirmSubscription(fresh().subscriber, NOW);
    if (!confirmed.ok) throw new Error("unexpected");
    const gone = unsubscribe(confirmed.subscriber, NOW);
    expect(gone.subscriber).toMatchObject({ status: "unsubscribed", email: "", unsubscribedAt: NOW.toISOString() });
    expect(unsubscribe(gone.subscriber, NOW).changed).toBe(false);
    expect(confirmSubscription(gone.subscriber, NOW)).toEqual({ ok: false, reason: "unsubscribed" });
    const back = requestSubscription(gone.subscriber, { id: ID, email: "a@example.org", source: "email" }, NOW, interval);
    expect(back).toMatchObject({ sendConfirmation: true, subscriber: { status: "unconfirmed", email: "a@example.org", source: "email" } });
  });

  it("a suppressed address stays suppressed whatever the reader does", () => {
    const suppressed = suppress(fresh().subscriber, "bounced", NOW).subscriber;
    expect(requestSubscription(suppressed, { id: ID, email: "a@example.org", source: "form" }, NOW, interval)).toMatchObject({
      sendConfirmation: false,
      changed: false,
    });
    expect(confirmSubscription(suppressed, NOW)).toEqual({ ok: false, reason: "suppressed" });
    expect(unsubscribe(suppressed, NOW).subscriber.status).toBe("suppressed");
  });
});
