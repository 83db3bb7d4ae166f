// The key the per-client sign-up limit counts under. One IPv4 address is one
// client; an IPv6 client usually holds a whole /64 (2^64 addresses), so it
// is keyed on its /64. Addresses are normalised first, so spellings of one
// address count as one: expanded or zero-compressed, upper or lower case,
// with a zone, and IPv4-mapped (::ffff:192.0.2.1 is 192.0.2.1).

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number[] | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  const octets = match.slice(1).map(Number);
  return octets.every((octet, i) => octet <= 255 && String(octet) === match[i + 1]!.replace(/^0+(?=\d)/, "")) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address, or null. */
function parseIpv6(text: string): number[] | null {
  let rest = text;
  let tail: number[] = [];
  if (text.includes(".")) {
    // An embedded IPv4 address in the last 32 bits (::ffff:192.0.2.1).
    const lastColon = text.lastIndexOf(":");
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    rest = text.slice(0, lastColon + 1);
    if (!rest.endsWith("::")) rest = rest.slice(0, -1);
  }
  const halves = rest.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const back = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...back].every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return null;
  const missing = 8 - tail.length - head.length - back.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head.map((g) => parseInt(g, 16)), ...new Array<number>(missing).fill(0), ...back.map((g) => parseInt(g, 16)), ...tail];
}

/** The limiter key for a CF-Connecting-IP value: the IPv4 address, or the IPv6 /64 ("2001:db8:0:1::/64"). */
export function buildClientKey(header: string | null | undefined): string {
  const text = (header ?? "")
    .trim()
    .replace(/^\[|\]$/g, "")
    .replace(/%.*$/, "");
  const v4 = parseIpv4(text);
  if (v4) return v4.join(".");
  const v6 = text.includes(":") ? parseIpv6(text) : null;
  if (!v6) return "unknown";
  const isMapped = v6.slice(0, 5).every((group) => group === 0) && v6[5] === 0xffff;
  if (isMapped) return [v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255].join(".");
  return `${v6
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}
