// Tokens in links. Nothing is stored to verify them; the secret is
// SIGNING_SECRET.
//
// The personal token (`p.…`): one per reader, never expires, used for both
// /unsubscribe and /preferences. It is a deterministic authenticated
// encryption of the subscriber id (a synthetic-IV construction):
//     tag = HMAC(k1, id)[0..12]      ct = id XOR HMAC(k2, tag)[0..16]
//     token = "p." + base64url(tag || ct), cut in two segments of 19
// so the id cannot be read, or tested against a guessed address, without the
// secret; verification recomputes the tag and compares in constant time.
// Being deterministic, it is computed once (at confirmation) and kept with
// the reader's list metadata: the send path does no cryptography.
//
// The format is chosen for spam filters too: SpamAssassin's PDS_BTC_ID reads
// a run of 26–35 base58 characters starting with 1 or 3 as a Bitcoin address
// (the old `u.<32 hex>.<sig>` tripped it for about 1 reader in 60). No
// segment of these tokens is longer than 22 characters, so no such run exists.
//
// The confirm token (`c2.…`) carries the id the same way, the sign-up's
// nonce (so after an unsubscribe and a new sign-up an old link no longer
// confirms) and an expiry, under an HMAC.
//
// Old tokens keep working: `u.<id>.<sig>` (unsubscribe links in every digest
// already sent never expire) and `c.<id>.<expiry>.<sig>` (for sign-ups made
// before nonces existed, until they expire).
import { createHmac } from "node:crypto";
import { fromBase64Url, hmacSign, hmacVerify, toBase64Url } from "../lib/crypto";

export type TokenPurpose = "confirm" | "unsubscribe";

const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: "c", unsubscribe: "u" };
export const CONFIRM_TOKEN_TTL_SECONDS = 48 * 3600;

export type TokenCheck = { ok: true; subscriberId: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" };

const SUBSCRIBER_ID = /^[0-9a-f]{32}$/;
const TAG_BYTES = 12;
const ID_BYTES = 16;

interface DerivedKeys {
  mac: Uint8Array;
  stream: Uint8Array;
  confirm: Uint8Array;
}
const derivedKeys = new Map<string, DerivedKeys>();

function keysFor(secret: string): DerivedKeys {
  let keys = derivedKeys.get(secret);
  if (!keys) {
    const derive = (label: string) => hmac(new TextEncoder().encode(secret), `nato-digest token key v2: ${label}`);
    keys = { mac: derive("personal mac"), stream: derive("personal stream"), confirm: derive("confirm mac") };
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

function encodeId(secret: string, subscriberId: string): string {
  const keys = keysFor(secret);
  const id = hexToBytes(subscriberId);
  const tag = hmac(keys.mac, id).subarray(0, TAG_BYTES);
  const stream = hmac(keys.stream, tag);
  const sealed = new Uint8Array(TAG_BYTES + ID_BYTES);
  sealed.set(tag, 0);
  for (let i = 0; i < ID_BYTES; i++) sealed[TAG_BYTES + i] = id[i]! ^ stream[i]!;
  return segmented(toBase64Url(sealed), 19);
}

/** The id inside an encoded id (two 19-character segments), or null if it was not made with this secret. */
function decodeId(secret: string, first: string, second: string): string | null {
  const sealed = fromBase64Url(first + second);
  if (!sealed || sealed.length !== TAG_BYTES + ID_BYTES) return null;
  const keys = keysFor(secret);
  const tag = sealed.subarray(0, TAG_BYTES);
  const stream = hmac(keys.stream, tag);
  const id = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) id[i] = sealed[TAG_BYTES + i]! ^ stream[i]!;
  return sameBytes(hmac(keys.mac, id).subarray(0, TAG_BYTES), tag) ? bytesToHex(id) : null;
}

/** The reader's non-expiring token for /unsubscribe and /preferences. Synchronous and deterministic. */
export function createPersonalToken(secret: string, subscriberId: string): string {
  if (!SUBSCRIBER_ID.test(subscriberId)) throw new TypeError("not a subscriber id");
  return `p.${encodeId(secret, subscriberId)}`;
}

const PERSONAL = /^p\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{19})$/;

/** Verifies a personal token, or an unsubscribe token of the old `u.<id>.<sig>` format (links already sent never expire). */
export async function verifyPersonalToken(secret: string, token: unknown): Promise<TokenCheck> {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  const match = PERSONAL.exec(token);
  if (match) {
    const id = decodeId(secret, match[1]!, match[2]!);
    return id ? { ok: true, subscriberId: id } : { ok: false, reason: "bad-signature" };
  }
  if (token.startsWith("u.")) return verifyToken(secret, token, "unsubscribe", new Date());
  return { ok: false, reason: /^[cp]2?\./.test(token) ? "wrong-purpose" : "malformed" };
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
  const body = `c2.${encodeId(secret, subscriberId)}.${nonce}.${expiresAt}`;
  return `${body}.${confirmSignature(secret, body)}`;
}

const CONFIRM = /^c2\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{19})\.([A-Za-z0-9_-]{8,22})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

export async function verifyConfirmToken(secret: string, token: unknown, now: Date): Promise<ConfirmTokenCheck> {
  if (typeof token !== "string" || token.length > 200) return { ok: false, reason: "malformed" };
  if (token.startsWith("c.")) {
    const legacy = await verifyToken(secret, token, "confirm", now);
    return legacy.ok ? { ...legacy, nonce: null } : legacy;
  }
  const match = CONFIRM.exec(token);
  if (!match) return { ok: false, reason: PERSONAL.test(token) || token.startsWith("u.") ? "wrong-purpose" : "malformed" };
  const [, first, second, nonce, expiry, signature] = match as unknown as [string, string, string, string, string, string];
  const body = token.slice(0, token.length - signature.length - 1);
  const encoder = new TextEncoder();
  // Verify the signature before looking at anything else the token claims.
  if (!sameBytes(encoder.encode(confirmSignature(secret, body)), encoder.encode(signature))) return { ok: false, reason: "bad-signature" };
  const id = decodeId(secret, first, second);
  if (!id) return { ok: false, reason: "bad-signature" };
  if (Number(expiry) * 1000 < now.getTime()) return { ok: false, reason: "expired" };
  return { ok: true, subscriberId: id, nonce };
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
