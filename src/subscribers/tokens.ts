// Tokens in links. Nothing is stored to verify them; the secret is
// SIGNING_SECRET. Every base64url part is accepted in its canonical spelling
// only (lib/crypto fromBase64Url), so each token has exactly one spelling.
//
// The personal token: one per reader and generation, never expires, used for
// both /unsubscribe and /preferences. It is a deterministic authenticated
// encryption (a synthetic-IV construction) of the subscriber id and, since
// generations exist, a random 5-byte generation:
//     tag = HMAC(k1, payload)[0..12]      ct = payload XOR HMAC(k2, tag)
//     generation 0 (records from before):  "p."  + base64url(tag || ct) in two segments of 19
//     any other generation:               "p2." + base64url(tag || ct) in two segments of 22
// so the id cannot be read, or tested against a guessed address, without the
// secret. A fresh sign-up (new, or back after an unsubscribe or an erasure)
// draws a new generation, and a token whose generation is not the record's
// is refused: old links are revoked. Being deterministic, the token is
// computed once (at confirmation) and kept with the reader's list metadata.
//
// The format is chosen for spam filters too: SpamAssassin's PDS_BTC_ID reads
// a run of 26–35 base58 characters starting with 1 or 3 as a Bitcoin address
// (the old `u.<32 hex>.<sig>` tripped it for about 1 reader in 60). No
// segment of these tokens is longer than 22 characters, so no such run exists.
//
// The confirm token (`c3.…`) seals the id under keys of its own (derived
// with their own labels), so a confirm link shares nothing with the personal
// token; it carries the sign-up's nonce (so after an unsubscribe and a new
// sign-up an old link no longer confirms) and an expiry, under an HMAC.
//
// Old tokens keep working: `u.<id>.<sig>` (unsubscribe links in every digest
// already sent never expire; generation 0), `c2.…` (which carried the
// personal token; until they expire, 48 h) and `c.<id>.<expiry>.<sig>`.
import { createHmac } from "node:crypto";
import { fromBase64Url, hmacSign, hmacVerify, toBase64Url } from "../lib/crypto";

export type TokenPurpose = "confirm" | "unsubscribe";

const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: "c", unsubscribe: "u" };
export const CONFIRM_TOKEN_TTL_SECONDS = 48 * 3600;

export type TokenCheck = { ok: true; subscriberId: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" };
/** A personal token's reader and generation ("0": links from before generations, and `u.` links). */
export type PersonalTokenCheck = { ok: true; subscriberId: string; generation: string } | Extract<TokenCheck, { ok: false }>;

const SUBSCRIBER_ID = /^[0-9a-f]{32}$/;
const TAG_BYTES = 12;
const ID_BYTES = 16;
const GENERATION_BYTES = 5;
/** A token generation: 10 hex characters (5 random bytes); "0" for links from before generations. */
export const GENERATION = /^[0-9a-f]{10}$/;

interface SealKeys {
  mac: Uint8Array;
  stream: Uint8Array;
}

interface DerivedKeys {
  personal: SealKeys;
  generational: SealKeys;
  confirmId: SealKeys;
  confirm: Uint8Array;
}
const derivedKeys = new Map<string, DerivedKeys>();

function keysFor(secret: string): DerivedKeys {
  let keys = derivedKeys.get(secret);
  if (!keys) {
    const derive = (label: string) => hmac(new TextEncoder().encode(secret), `nato-digest token key v2: ${label}`);
    keys = {
      personal: { mac: derive("personal mac"), stream: derive("personal stream") },
      generational: { mac: derive("personal mac, generations"), stream: derive("personal stream, generations") },
      // The confirm link's own keys: nothing in it can be turned into a personal token.
      confirmId: { mac: derive("confirm id mac"), stream: derive("confirm id stream") },
      confirm: derive("confirm mac"),
    };
    derivedKeys.set(secret, keys);
  }
  return keys;
}

function hmac(key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return createHmac("sha256", key).update(data).digest();
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** Constant-time equality of two byte strings of public, equal length. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

/** Base64url without padding, in segments of at most `size` characters joined by dots. */
function segmented(text: string, size: number): string {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += size) parts.push(text.slice(start, start + size));
  return parts.join(".");
}

/** tag || (payload XOR stream(tag)): the payload authenticated and hidden, deterministically. */
function seal(keys: SealKeys, payload: Uint8Array): Uint8Array {
  const tag = hmac(keys.mac, payload).subarray(0, TAG_BYTES);
  const stream = hmac(keys.stream, tag);
  const sealed = new Uint8Array(TAG_BYTES + payload.length);
  sealed.set(tag, 0);
  for (let i = 0; i < payload.length; i++) sealed[TAG_BYTES + i] = payload[i]! ^ stream[i]!;
  return sealed;
}

/** The payload of a sealed value of the expected size, or null if it was not sealed with these keys. */
function unseal(keys: SealKeys, text: string, payloadBytes: number): Uint8Array | null {
  const sealed = fromBase64Url(text);
  if (!sealed || sealed.length !== TAG_BYTES + payloadBytes) return null;
  const tag = sealed.subarray(0, TAG_BYTES);
  const stream = hmac(keys.stream, tag);
  const payload = new Uint8Array(payloadBytes);
  for (let i = 0; i < payloadBytes; i++) payload[i] = sealed[TAG_BYTES + i]! ^ stream[i]!;
  return sameBytes(hmac(keys.mac, payload).subarray(0, TAG_BYTES), tag) ? payload : null;
}

/** A new random token generation, for a fresh sign-up. */
export function newTokenGeneration(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(GENERATION_BYTES)));
}

/**
 * The reader's non-expiring token for /unsubscribe and /preferences, for the
 * record's generation (absent or "0": records from before generations).
 * Synchronous and deterministic.
 */
export function createPersonalToken(secret: string, subscriberId: string, generation?: string | null): string {
  if (!SUBSCRIBER_ID.test(subscriberId)) throw new TypeError("not a subscriber id");
  if (generation === undefined || generation === null || generation === "0") {
    return `p.${segmented(toBase64Url(seal(keysFor(secret).personal, hexToBytes(subscriberId))), 19)}`;
  }
  if (!GENERATION.test(generation)) throw new TypeError("not a token generation");
  const payload = new Uint8Array(ID_BYTES + GENERATION_BYTES);
  payload.set(hexToBytes(subscriberId), 0);
  payload.set(hexToBytes(generation), ID_BYTES);
  return `p2.${segmented(toBase64Url(seal(keysFor(secret).generational, payload)), 22)}`;
}

const PERSONAL = /^p\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{19})$/;
const PERSONAL_GENERATIONAL = /^p2\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/;

/**
 * Verifies a personal token (either generation format), or an unsubscribe
 * token of the old `u.<id>.<sig>` format (links already sent never expire).
 * The caller compares the generation with the record's.
 */
export async function verifyPersonalToken(secret: string, token: unknown): Promise<PersonalTokenCheck> {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  const legacy = PERSONAL.exec(token);
  if (legacy) {
    const id = unseal(keysFor(secret).personal, legacy[1]! + legacy[2]!, ID_BYTES);
    return id ? { ok: true, subscriberId: bytesToHex(id), generation: "0" } : { ok: false, reason: "bad-signature" };
  }
  const current = PERSONAL_GENERATIONAL.exec(token);
  if (current) {
    const payload = unseal(keysFor(secret).generational, current[1]! + current[2]!, ID_BYTES + GENERATION_BYTES);
    if (!payload) return { ok: false, reason: "bad-signature" };
    return { ok: true, subscriberId: bytesToHex(payload.subarray(0, ID_BYTES)), generation: bytesToHex(payload.subarray(ID_BYTES)) };
  }
  if (token.startsWith("u.")) {
    const check = await verifyToken(secret, token, "unsubscribe", new Date());
    return check.ok ? { ...check, generation: "0" } : check;
  }
  return { ok: false, reason: /^[cp][23]?\./.test(token) ? "wrong-purpose" : "malformed" };
}

export type ConfirmTokenCheck =
  | { ok: true; subscriberId: string; /** null for tokens made before nonces existed */ nonce: string | null }
  | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" };

function confirmSignature(secret: string, body: string): string {
  return toBase64Url(hmac(keysFor(secret).confirm, body).subarray(0, 16));
}

/** A confirm link's token, bound to one sign-up (its nonce) and valid for 48 hours from `now`. */
export function createConfirmToken(secret: string, subscriberId: string, nonce: string, now: Date): string {
  if (!SUBSCRIBER_ID.test(subscriberId)) throw new TypeError("not a subscriber id");
  if (!/^[A-Za-z0-9_-]{8,22}$/.test(nonce)) throw new TypeError("not a sign-up nonce");
  const expiresAt = Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS;
  const sealedId = segmented(toBase64Url(seal(keysFor(secret).confirmId, hexToBytes(subscriberId))), 19);
  const body = `c3.${sealedId}.${nonce}.${expiresAt}`;
  return `${body}.${confirmSignature(secret, body)}`;
}

/** c3 (current: the id under the confirm keys) and c2 (until the last expires: the id as in the personal token). */
const CONFIRM = /^(c[23])\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{8,22})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

export async function verifyConfirmToken(secret: string, token: unknown, now: Date): Promise<ConfirmTokenCheck> {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  if (token.startsWith("c.")) {
    const legacy = await verifyToken(secret, token, "confirm", now);
    return legacy.ok ? { ...legacy, nonce: null } : legacy;
  }
  const match = CONFIRM.exec(token);
  if (!match) return { ok: false, reason: /^(p2?|u)\./.test(token) ? "wrong-purpose" : "malformed" };
  const [, version, first, second, nonce, expiry, signature] = match as unknown as [string, string, string, string, string, string, string];
  const body = token.slice(0, token.length - signature.length - 1);
  const encoder = new TextEncoder();
  // Verify the signature before looking at anything else the token claims.
  if (!sameBytes(encoder.encode(confirmSignature(secret, body)), encoder.encode(signature))) return { ok: false, reason: "bad-signature" };
  if (fromBase64Url(signature) === null || fromBase64Url(nonce) === null) return { ok: false, reason: "malformed" };
  const keys = keysFor(secret);
  const id = unseal(version === "c3" ? keys.confirmId : keys.personal, first + second, ID_BYTES);
  if (!id) return { ok: false, reason: "bad-signature" };
  if (Number(expiry) * 1000 < now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, subscriberId: bytesToHex(id), nonce };
}

// The first format, `<c|u>.<id>[.<expiry>].<HMAC-SHA256>`: still verified
// (every digest already sent links with it), created only by tests now.

function payloadFor(purpose: TokenPurpose, subscriberId: string, expiresAt: number | null): string {
  return expiresAt === null ? `${PURPOSE_CODE[purpose]}.${subscriberId}` : `${PURPOSE_CODE[purpose]}.${subscriberId}.${expiresAt}`;
}

/** @deprecated The first token format, kept to show old links still verify. Use createPersonalToken / createConfirmToken. */
export async function createToken(secret: string, purpose: TokenPurpose, subscriberId: string, now: Date): Promise<string> {
  const expiresAt = purpose === "confirm" ? Math.floor(now.getTime() / 1000) + CONFIRM_TOKEN_TTL_SECONDS : null;
  const payload = payloadFor(purpose, subscriberId, expiresAt);
  return `${payload}.${toBase64Url(await hmacSign(secret, `v1.${payload}`))}`;
}

export async function verifyToken(secret: string, token: unknown, purpose: TokenPurpose, now: Date): Promise<TokenCheck> {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  const match = /^([cu])\.([0-9a-f]{32})(?:\.(\d{1,12}))?\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: "malformed" };
  const [, code, subscriberId, expiry, signature] = match as unknown as [string, string, string, string | undefined, string];
  const payload = expiry === undefined ? `${code}.${subscriberId}` : `${code}.${subscriberId}.${expiry}`;
  const signatureBytes = fromBase64Url(signature);
  // Verify the signature before looking at anything else the token claims.
  if (!signatureBytes || !(await hmacVerify(secret, `v1.${payload}`, signatureBytes))) return { ok: false, reason: "bad-signature" };
  if (code !== PURPOSE_CODE[purpose]) return { ok: false, reason: "wrong-purpose" };
  if (purpose === "confirm") {
    if (expiry === undefined || Number(expiry) * 1000 < now.getTime()) return { ok: false, reason: "expired" };
  }
  return { ok: true, subscriberId };
}
