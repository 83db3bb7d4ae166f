// Decodes a feed's bytes using, in order: a byte-order mark, the HTTP
// Content-Type charset (authoritative for XML per RFC 7303), the XML
// declaration's encoding, then UTF-8. Windows-1252 is decoded here rather
// than trusted to the runtime, because ISO-8859-1 labels are in practice
// Windows-1252 (as WHATWG's Encoding standard says) and runtimes differ.

// Windows-1252 code points for bytes 0x80-0x9F; the rest equal ISO-8859-1.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c,
  0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

const LATIN1_LABELS = new Set([
  "iso-8859-1",
  "iso8859-1",
  "latin1",
  "latin-1",
  "l1",
  "windows-1252",
  "cp1252",
  "x-cp1252",
  "us-ascii",
  "ascii",
  "iso_8859-1",
  "cp819",
  "ibm819",
]);

export class CharsetError extends Error {
  override name = "CharsetError";
}

export function decodeText(bytes: Uint8Array, contentType: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder("utf-8").decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));

  const fromHeader = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType)?.[1];
  const head = decodeWindows1252(bytes.subarray(0, 256));
  const fromDeclaration = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  const label = (fromHeader ?? fromDeclaration ?? "utf-8").toLowerCase();

  if (LATIN1_LABELS.has(label)) return decodeWindows1252(bytes);
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    throw new CharsetError(`unsupported charset ${JSON.stringify(label)}`);
  }
}

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = "";
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes: number[] = [];
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      codes.push(byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80]! : byte);
    }
    out += String.fromCharCode(...codes);
  }
  return out;
}
