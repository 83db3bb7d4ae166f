// The node:crypto functions the worker uses (available in workerd with
// nodejs_compat). Declared here rather than pulling in @types/node, whose
// globals would replace the Workers runtime's (crypto.subtle.timingSafeEqual).
declare module "node:crypto" {
  interface Hash {
    update(data: string): Hash;
    digest(encoding: "hex"): string;
  }
  export function createHash(algorithm: "sha256"): Hash;
  /** Synchronous HMAC: the personal link tokens (src/subscribers/tokens.ts). */
  interface Hmac {
    update(data: string | Uint8Array): Hmac;
    digest(): Uint8Array;
  }
  export function createHmac(algorithm: "sha256", key: string | Uint8Array): Hmac;
}
