// Email address validation for sign-ups: deliberately plain rules a person
// can understand from the error message, not the full RFC 5322 grammar
// (which accepts addresses no mail provider hands out).

export const MAX_ADDRESS_LENGTH = 254;

export type AddressResult = { ok: true; address: string } | { ok: false; message: string };

export function parseEmailAddress(input: unknown): AddressResult {
  if (typeof input !== "string") return { ok: false, message: "Please enter an email address." };
  const trimmed = input.trim();
  if (trimmed === "") return { ok: false, message: "Please enter an email address." };
  if (trimmed.length > MAX_ADDRESS_LENGTH) return { ok: false, message: `That address is too long (at most ${MAX_ADDRESS_LENGTH} characters).` };
  if (/[\s\u0000-\u001f\u007f]/.test(trimmed)) return { ok: false, message: "An email address cannot contain spaces or control characters." };
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
