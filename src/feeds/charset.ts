// Decodes a feed's bytes. First what the bytes themselves say, as the XML
// spec's Appendix F describes: a byte-order mark, or the pattern "<?" makes
// in UTF-32 and UTF-16 without one. Otherwise, in order: the HTTP
// Content-Type charset (authoritative for XML per RFC 7303), the XML
// declaration's encoding, UTF-8, then Windows-1252 (which decodes any byte).
// A charset that is unknown, or that the bytes are invalid in, is passed
// over with a warning rather than failing the feed or filling it with
// replacement characters. Windows-1252 is decoded here rather than trusted to
// the runtime, because ISO-8859-1 labels are in practice Windows-1252 (as
// WHATWG's Encoding standard says) and runtimes differ.

// Windows-1252 code points for bytes 0x80-0x9F; the rest equal ISO-8859-1.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c,
  0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

const LATIN1_LABELS = new Set([
  "iso-8859-1",
  "iso8859-1",
  "iso_8859-1",
  "iso_8859-1:1987",
  "latin1",
  "latin-1",
  "l1",
  "windows-1252",
  "cp1252",
  "x-cp1252",
  "us-ascii",
  "ascii",
  "cp819",
  "ibm819",
  "csisolatin1",
  "iso-ir-100",
]);

export interface DecodedText {
  text: string;
  /** The encoding the text was read with, lower case ("utf-8", "windows-1252", "utf-16le", …). */
  encoding: string;
  /** Why a declared charset was passed over; null when the first choice worked. */
  warning: string | null;
}

/** Decodes feed bytes; never throws for a charset, records what it had to guess instead. */
export function decodeFeedBytes(bytes: Uint8Array, contentType: string): DecodedText {
  const decoded = decodeByCharset(bytes, contentType);
  // A feed served as text/plain or text/html reads fine, but says its server is misconfigured.
  const mediaType = contentType.split(";")[0]!.trim().toLowerCase();
  if (mediaType === "text/plain" || mediaType === "text/html") {
    const note = `served as ${mediaType}, not as a feed or XML type`;
    decoded.warning = decoded.warning ? `${decoded.warning}; ${note}` : note;
  }
  return decoded;
}

function decodeByCharset(bytes: Uint8Array, contentType: string): DecodedText {
  const fromBytes = detectFromBytes(bytes);
  if (fromBytes) {
    const { encoding, skip } = fromBytes;
    const body = bytes.subarray(skip);
    if (encoding.startsWith("utf-32")) return { text: decodeUtf32(body, encoding === "utf-32le"), encoding, warning: null };
    // The byte pattern leaves no other reading: invalid sequences become U+FFFD, and the health says so.
    try {
      return { text: new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body), encoding, warning: null };
    } catch {
      return {
        text: new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(body),
        encoding,
        warning: `charset: the bytes are not valid ${encoding}; invalid ones replaced`,
      };
    }
  }

  const fromHeader = /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1];
  const head = decodeWindows1252(bytes.subarray(0, 512));
  const fromDeclaration = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(head)?.[1];
  const candidates: [string, string][] = [];
  if (fromHeader) candidates.push([fromHeader.toLowerCase(), "the HTTP header's charset"]);
  if (fromDeclaration) candidates.push([fromDeclaration.toLowerCase(), "the XML declaration's encoding"]);
  candidates.push(["utf-8", "UTF-8"]);

  const problems: string[] = [];
  for (const [label, source] of candidates) {
    if (LATIN1_LABELS.has(label))
      return { text: decodeWindows1252(bytes), encoding: label === "us-ascii" || label === "ascii" ? "us-ascii" : "windows-1252", warning: joined(problems) };
    // A UTF-16/32 label on bytes that show no UTF-16/32 pattern is a mislabel: go on.
    if (/^(utf-?16|utf-?32|ucs-?2|ucs-?4)/.test(label)) {
      problems.push(`${source} says ${JSON.stringify(label)} but the bytes are not`);
      continue;
    }
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
    } catch {
      problems.push(`${source} names an unknown charset ${JSON.stringify(label)}`);
      continue;
    }
    try {
      return { text: decoder.decode(bytes), encoding: decoder.encoding, warning: joined(problems) };
    } catch {
      problems.push(`the bytes are not valid ${label} (${source})`);
    }
  }
  problems.push("read as Windows-1252");
  return { text: decodeWindows1252(bytes), encoding: "windows-1252", warning: joined(problems) };
}

function joined(problems: string[]): string | null {
  return problems.length ? `charset: ${[...new Set(problems)].join("; ")}` : null;
}

/** Byte-order marks, then the "<" (and "<?") patterns of Appendix F. */
function detectFromBytes(b: Uint8Array): { encoding: string; skip: number } | null {
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return { encoding: "utf-32be", skip: 4 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return { encoding: "utf-32le", skip: 4 };
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: "utf-8", skip: 3 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: "utf-16be", skip: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: "utf-16le", skip: 2 };
  if (b.length < 4) return null;
  // Without a mark: the first ASCII character (normally "<", maybe a space) spread over 4 or 2 bytes.
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0x00 && b[3] !== 0x00) return { encoding: "utf-32be", skip: 0 };
  if (b[0] !== 0x00 && b[1] === 0x00 && b[2] === 0x00 && b[3] === 0x00) return { encoding: "utf-32le", skip: 0 };
  if (b[0] === 0x00 && b[1] !== 0x00 && b[2] === 0x00 && b[3] !== 0x00) return { encoding: "utf-16be", skip: 0 };
  if (b[0] !== 0x00 && b[1] === 0x00 && b[2] !== 0x00 && b[3] === 0x00) return { encoding: "utf-16le", skip: 0 };
  return null;
}

/** UTF-32, which WHATWG's TextDecoder does not offer; invalid code points become U+FFFD. */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = "";
  const CHUNK = 8192;
  for (let start = 0; start + 4 <= bytes.length; start += CHUNK * 4) {
    const codes: number[] = [];
    const end = Math.min(bytes.length - (bytes.length % 4), start + CHUNK * 4);
    for (let i = start; i < end; i += 4) {
      const code = view.getUint32(i, littleEndian);
      codes.push(code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? 0xfffd : code);
    }
    out += String.fromCodePoint(...codes);
  }
  return out;
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
