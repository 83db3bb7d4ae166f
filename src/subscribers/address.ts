// Email address validation for sign-ups: deliberately plain rules a person
// can understand from the error message, not the full RFC 5322 grammar
// (which accepts addresses no mail provider hands out).
// Unicode first: text that is not well-formed (lone surrogates) or carries
// control or text-direction characters, or invisible ones (every
// Default_Ignorable_Code_Point: zero-width space and joiners, word joiner,
// BOM, soft hyphen, variation selectors, tags…, which would make two
// addresses that look the same), is refused, then the address is
// normalised to NFKC, so look-alike compatibility forms (the Kelvin sign
// "\u212A" for "K", full-width letters) become the letters they stand for
// before anything is validated, hashed or stored.

export const MAX_ADDRESS_LENGTH = 254;

export type AddressResult = { ok: true; address: string } | { ok: false; message: string };

/** A UTF-16 surrogate without its pair: not text, and it hashes and stores as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** C0 and C1 controls, DEL, and the bidi marks, embeddings, overrides and isolates. */
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const CONTROL_MESSAGE = "An email address cannot contain spaces or control characters (text-direction marks included).";
/** Characters Unicode says to display as nothing (U+200B–U+200D, U+2060, U+FEFF, U+00AD, U+180E, U+FE00–U+FE0F, U+E0000–U+E0FFF, …). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const INVISIBLE_MESSAGE = "An email address cannot contain invisible characters (zero-width spaces, joiners and the like). Please type it again.";

export function parseEmailAddress(input: unknown): AddressResult {
  if (typeof input !== "string") return { ok: false, message: "Please enter an email address." };
  if (LONE_SURROGATE.test(input)) return { ok: false, message: "The email address is not valid text (it has a broken character)." };
  if (CONTROL_OR_BIDI.test(input.trim())) return { ok: false, message: CONTROL_MESSAGE };
  if (INVISIBLE.test(input)) return { ok: false, message: INVISIBLE_MESSAGE };
  const trimmed = input.normalize("NFKC").trim();
  if (trimmed === "") return { ok: false, message: "Please enter an email address." };
  if (trimmed.length > MAX_ADDRESS_LENGTH) return { ok: false, message: `That address is too long (at most ${MAX_ADDRESS_LENGTH} characters).` };
  if (/\s/.test(trimmed) || CONTROL_OR_BIDI.test(trimmed)) return { ok: false, message: CONTROL_MESSAGE };
  if (INVISIBLE.test(trimmed)) return { ok: false, message: INVISIBLE_MESSAGE };
  const at = trimmed.indexOf("@");
  if (at < 0 || trimmed.indexOf("@", at + 1) >= 0) return { ok: false, message: "An email address has exactly one @, like name@example.org." };
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1).toLowerCase();
  if (local === "" || local.length > 64) return { ok: false, message: "The part before the @ is missing or too long." };
  if (/[<>()[\]\\,;:"]/.test(local) || local.startsWith(".") || local.endsWith(".") || local.includes("..")) {
    return { ok: false, message: "The part before the @ has characters an email address cannot use." };
  }
  const labels = domain.split(".");
  if (labels.length < 2 || labels.some((label) => !/^[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?$/.test(label))) {
    return { ok: false, message: "The part after the @ must be a domain name like example.org." };
  }
  if (!/^[a-z\u00a1-\uffff]{2,}$|^xn--[a-z0-9-]+$/.test(labels[labels.length - 1]!)) {
    return { ok: false, message: "The part after the @ must end in a real top-level domain, like .org." };
  }
  return { ok: true, address: `${local}@${domain}` };
}

/** The form that identifies a subscriber: case-insensitive throughout, as every major provider treats it. */
export function identityOf(address: string): string {
  return address.toLowerCase();
}
