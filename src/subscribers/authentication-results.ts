// Reads the verdicts Cloudflare Email Routing stamps on every message it
// hands the worker (RFC 8601 `Authentication-Results`), and decides whether
// the message provably comes from the domain in its `From:` header.
//
// Trust rules:
// - Only the TOPMOST `Authentication-Results` header is read, and only when
//   its authserv-id is `mx.cloudflare.net`. Everything below it was written
//   before the message reached Cloudflare, i.e. by whoever sent it.
// - A verdict counts only when it passes AND names the From: domain:
//   `dmarc=pass` with `header.from` equal to that domain, or `dkim=pass` with
//   `header.d` (else the domain of `header.i`) aligned with it, or `spf=pass`
//   with the domain of `smtp.mailfrom` aligned with it.
// - Alignment is DMARC's relaxed alignment (RFC 7489 §3.2): the two domains
//   have the same organisational domain, found with the Public Suffix List
//   (tldts, private suffixes included): `example.org` covers
//   `news.example.org`, but `evil.co.uk` never covers `victim.co.uk`, nor
//   `evil.github.io` `victim.github.io`; a public suffix aligns with nothing.
// - Cloudflare writes one dmarc, one spf and one dkim result; a second of any
//   can only come from text copied into the header, so the message gets no
//   verdict (a message signed twice loses its verdict too: it still gets the
//   confirmation or the link, which is what an unverified sender gets).

import { getDomain } from "tldts";

export const TRUSTED_AUTHSERV_ID = "mx.cloudflare.net";

export interface AuthResult {
  method: string;
  result: string;
  /** ptype.property → value, e.g. "header.d" → "example.org"; names lower-cased. */
  props: Record<string, string>;
}

export interface AuthResults {
  authservId: string;
  results: AuthResult[];
}

export type SenderVerdict = { authenticated: true; method: "dmarc" | "dkim" | "spf" } | { authenticated: false; reason: string };

/** Removes RFC 5322 comments (nestable parentheses), leaving quoted strings intact. */
function stripComments(value: string): string {
  let out = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === "\\" && (quoted || depth > 0)) {
      if (depth === 0) out += char + (value[i + 1] ?? "");
      i++;
      continue;
    }
    if (depth === 0 && char === '"') quoted = !quoted;
    if (!quoted && char === "(") {
      depth++;
      continue;
    }
    if (!quoted && char === ")" && depth > 0) {
      depth--;
      out += " ";
      continue;
    }
    if (depth === 0) out += char;
  }
  return out;
}

/** Splits on `;` outside quoted strings. */
function splitResinfo(value: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === "\\" && quoted) {
      current += char + (value[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === ";" && !quoted) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
}

const PAIR = /([A-Za-z0-9_.\/-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)/g;

/** Parses one `Authentication-Results` value (RFC 8601 §2.2); null when it has no authserv-id. */
export function parseAuthenticationResults(value: string): AuthResults | null {
  const [head, ...resinfos] = splitResinfo(stripComments(value));
  const authservId = unquote((head ?? "").split(/\s+/)[0] ?? "").toLowerCase();
  if (authservId === "") return null;
  const results: AuthResult[] = [];
  for (const resinfo of resinfos) {
    const pairs = [...resinfo.matchAll(PAIR)].map(([, name, raw]) => [name!.toLowerCase(), unquote(raw!)] as const);
    const [first, ...rest] = pairs;
    if (!first || first[0].includes(".")) continue; // "none", or no methodspec
    const props: Record<string, string> = {};
    for (const [name, propValue] of rest) if (name.includes(".") && !(name in props)) props[name] = propValue;
    results.push({ method: first[0].split("/")[0]!, result: first[1].toLowerCase(), props });
  }
  return { authservId, results };
}

/** Lower-case ASCII (punycode) form of a domain, without a trailing dot; null if it is not a host name. */
export function normaliseDomain(domain: string): string | null {
  const trimmed = domain.trim().replace(/\.$/, "");
  if (trimmed === "" || /[\s/?#@:[\]\\]/.test(trimmed)) return null;
  try {
    return new URL(`http://${trimmed}/`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** The registrable (organisational) domain by the Public Suffix List, or null for a public suffix or a non-domain. */
function organisationalDomain(domain: string): string | null {
  return getDomain(domain, { allowPrivateDomains: true, validateHostname: true, extractHostname: false });
}

/** Relaxed alignment: the two domains share their organisational domain. */
export function isAligned(authenticatedDomain: string, fromDomain: string): boolean {
  const auth = normaliseDomain(authenticatedDomain);
  const from = normaliseDomain(fromDomain);
  if (auth === null || from === null) return false;
  const organisation = organisationalDomain(from);
  return organisation !== null && organisationalDomain(auth) === organisation;
}

function domainOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = value.lastIndexOf("@");
  return at >= 0 ? value.slice(at + 1) : value;
}

/** Which passing, aligned verdict (if any) vouches for `fromDomain`. Pure. */
export function findAlignedPass(results: AuthResult[], fromDomain: string): "dmarc" | "dkim" | "spf" | null {
  const from = normaliseDomain(fromDomain);
  if (from === null) return null;
  for (const method of ["dmarc", "dkim", "spf"] as const) {
    for (const result of results) {
      if (result.method !== method || result.result !== "pass") continue;
      if (method === "dmarc" && normaliseDomain(result.props["header.from"] ?? "") === from) return method;
      if (method === "dkim") {
        const signer = result.props["header.d"] ?? domainOf(result.props["header.i"]);
        if (signer !== undefined && isAligned(signer, from)) return method;
      }
      if (method === "spf") {
        const mailFrom = domainOf(result.props["smtp.mailfrom"]);
        if (mailFrom !== undefined && isAligned(mailFrom, from)) return method;
      }
    }
  }
  return null;
}

/**
 * The verdict for a parsed message's headers (in message order, top first,
 * keys lower-cased as postal-mime gives them) and its From: domain.
 */
export function readSenderVerdict(headers: { key: string; value: string }[], fromDomain: string): SenderVerdict {
  const topmost = headers.find((header) => header.key === "authentication-results");
  if (!topmost) return { authenticated: false, reason: "no Authentication-Results header" };
  const parsed = parseAuthenticationResults(topmost.value);
  if (!parsed || parsed.authservId !== TRUSTED_AUTHSERV_ID) return { authenticated: false, reason: "topmost Authentication-Results is not Cloudflare's" };
  // Cloudflare writes one result of each; a second one can only come from
  // text it copied into the header (see hasHeaderSafeEnvelope), so fail closed.
  for (const method of ["dmarc", "spf", "dkim"]) {
    if (parsed.results.filter((result) => result.method === method).length > 1) return { authenticated: false, reason: `more than one ${method} result` };
  }
  const method = findAlignedPass(parsed.results, fromDomain);
  return method ? { authenticated: true, method } : { authenticated: false, reason: "no passing verdict aligned with the From: domain" };
}

/**
 * Whether the envelope sender can be copied into Cloudflare's header without
 * changing its meaning. Cloudflare echoes it in a comment and in
 * smtp.mailfrom; a quoted local part may hold ")", ";", quotes and spaces,
 * which would end the comment and start a result of the sender's making
 * (`"x);dmarc=pass header.from=victim.example;("@evil.example`). Such a
 * sender gets no verdict at all.
 */
export function hasHeaderSafeEnvelope(envelopeSender: string): boolean {
  return /^[^\s\p{Cc}()<>[\]\\,;:"@]+@[^\s\p{Cc}()<>[\]\\,;:"@]+$/u.test(envelopeSender);
}
