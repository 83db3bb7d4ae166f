// Signed tokens for confirm and unsubscribe links. A token carries the
// subscriber id (never the address), its purpose and, for confirmation, an
// expiry; it is signed with HMAC-SHA256 and verified by Web Crypto, which
// compares in constant time. Nothing is stored, nothing is looked up to
// verify. Unsubscribe tokens have no expiry and are deterministic, so every
// digest for a reader carries the same link (and the same email body, which
// keeps Resend idempotency keys valid across retries).
import { fromBase64Url, hmacSign, hmacVerify, toBase64Url } from "../lib/crypto";

export type TokenPurpose = "confirm" | "unsubscribe";

const PURPOSE_CODE: Record<TokenPurpose, string> = { confirm: "c", unsubscribe: "u" };
export const CONFIRM_TOKEN_TTL_SECONDS = 48 * 3600;

export type TokenCheck = { ok: true; subscriberId: string } | { ok: false; reason: "malformed" | "bad-signature" | "expired" | "wrong-purpose" };

function payloadFor(purpose: TokenPurpose, subscriberId: string, expiresAt: number | null): string {
  return expiresAt === null ? `${PURPOSE_CODE[purpose]}.${subscriberId}` : `${PURPOSE_CODE[purpose]}.${subscriberId}.${expiresAt}`;
}

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
