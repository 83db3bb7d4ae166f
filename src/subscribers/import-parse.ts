// Parses an uploaded list: CSV with an `email` column, or a JSON array of
// addresses. Streams the body line by line (CSV) so a 100,000-row file is
// never held twice; each bad row is reported with its line number and does
// not stop the rest; duplicates (case-insensitive) are merged. A line longer
// than MAX_CSV_LINE_CHARS is one bad row: it is dropped as it streams in.
import { identityOf, parseEmailAddress } from "./address";
import { parsePreferencesInput, type Preferences, type RawPreferences } from "./preferences";

export const MAX_REPORTED_INVALID = 1000;
/** A CSV line longer than this is reported and skipped, never buffered whole. */
export const MAX_CSV_LINE_CHARS = 16 * 1024;

export interface ParsedImport {
  rows: number;
  addresses: string[];
  duplicates: number;
  invalid: number;
  invalidRows: { line: number; value: string; reason: string }[];
  /** Per address (same order), the choices from optional cadence / topics / lang columns; null: the defaults. Absent when no row had any. */
  preferences?: (Preferences | null)[];
}

const CHOICE_COLUMNS = ["cadence", "topics", "lang", "otherLanguage"] as const;

export class ImportFormatError extends Error {
  override name = "ImportFormatError";
}

/** Splits one CSV record (RFC 4180 quoting; no newlines inside quotes). */
export function splitCsvLine(line: string): string[] | null {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === "") quoted = true;
    else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else cell += char;
  }
  if (quoted) return null;
  cells.push(cell);
  return cells;
}

class Collector {
  readonly result: ParsedImport = { rows: 0, addresses: [], duplicates: 0, invalid: 0, invalidRows: [] };
  private readonly seen = new Set<string>();

  add(line: number, value: unknown, choices: RawPreferences = {}): void {
    this.result.rows++;
    let preferences: Preferences | null = null;
    if (CHOICE_COLUMNS.some((name) => choices[name] !== undefined && choices[name] !== "")) {
      // Topics in a CSV cell may be separated by commas or semicolons.
      const topics = typeof choices.topics === "string" ? choices.topics.replace(/;/g, ",") : choices.topics;
      const checked = parsePreferencesInput({ ...choices, topics, sources: undefined }, []);
      if (!checked.ok) return this.invalidLine(line, String(value ?? ""), `${checked.field}: ${checked.message}`, false);
      preferences = checked.preferences;
    }
    const parsed = parseEmailAddress(value);
    if (!parsed.ok) {
      this.result.invalid++;
      if (this.result.invalidRows.length < MAX_REPORTED_INVALID) {
        this.result.invalidRows.push({ line, value: String(value ?? "").slice(0, 100), reason: parsed.message });
      }
      return;
    }
    const identity = identityOf(parsed.address);
    if (this.seen.has(identity)) {
      this.result.duplicates++;
      return;
    }
    this.seen.add(identity);
    this.result.addresses.push(parsed.address);
    if (preferences && !this.result.preferences) this.result.preferences = this.result.addresses.slice(0, -1).map(() => null);
    this.result.preferences?.push(preferences);
  }

  invalidLine(line: number, value: string, reason: string, counted = true): void {
    if (counted) this.result.rows++;
    this.result.invalid++;
    if (this.result.invalidRows.length < MAX_REPORTED_INVALID) this.result.invalidRows.push({ line, value: value.slice(0, 100), reason });
  }
}

export async function parseCsvImport(body: ReadableStream<Uint8Array>): Promise<ParsedImport> {
  const collector = new Collector();
  let emailColumn = -1;
  let choiceColumns: Partial<Record<(typeof CHOICE_COLUMNS)[number], number>> = {};
  let lineNumber = 0;
  let pending = "";
  const handle = (raw: string) => {
    lineNumber++;
    const line = raw.replace(/\r$/, "");
    if (lineNumber === 1) {
      const header = splitCsvLine(line.replace(/^\uFEFF/, ""));
      emailColumn = header ? header.findIndex((cell) => /^\s*e-?mail(\s*address)?\s*$/i.test(cell)) : -1;
      if (emailColumn < 0) throw new ImportFormatError('the first CSV line must be a header with an "email" column');
      choiceColumns = Object.fromEntries(
        CHOICE_COLUMNS.map((name) => [name, header!.findIndex((cell) => cell.trim().toLowerCase() === name.toLowerCase())] as const).filter(
          ([, index]) => index >= 0,
        ),
      );
      return;
    }
    if (line.trim() === "") return;
    const cells = splitCsvLine(line);
    if (!cells) return collector.invalidLine(lineNumber, line, "unbalanced quotes");
    const choices: RawPreferences = {};
    for (const [name, index] of Object.entries(choiceColumns)) choices[name as keyof RawPreferences] = cells[index]?.trim() ?? "";
    collector.add(lineNumber, cells[emailColumn] ?? "", choices);
  };
  // While skipping, the rest of an over-long line is dropped until its newline.
  let skipping = false;
  const tooLong = (start: string) => {
    if (lineNumber === 0) throw new ImportFormatError(`the CSV header line is longer than ${MAX_CSV_LINE_CHARS / 1024} KB`);
    lineNumber++;
    collector.invalidLine(lineNumber, start, `line longer than ${MAX_CSV_LINE_CHARS / 1024} KB`);
  };
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += value;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      if (skipping) skipping = false;
      else if (newline > MAX_CSV_LINE_CHARS) tooLong(pending);
      else handle(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    if (pending.length > MAX_CSV_LINE_CHARS) {
      if (!skipping) tooLong(pending);
      skipping = true;
      pending = "";
    }
  }
  if (pending !== "" && !skipping) handle(pending);
  if (lineNumber === 0) throw new ImportFormatError("the CSV is empty");
  return collector.result;
}

export function parseJsonImport(text: string): ParsedImport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ImportFormatError("the body is not valid JSON");
  }
  if (!Array.isArray(value)) throw new ImportFormatError('send a JSON array of addresses, like ["a@example.org", "b@example.org"]');
  const collector = new Collector();
  // "line" is the 1-based position in the array for JSON.
  value.forEach((entry, index) => {
    if (typeof entry === "object" && entry !== null && "email" in entry) {
      const { email, cadence, topics, lang, otherLanguage } = entry as { email: unknown } & RawPreferences;
      collector.add(index + 1, email, { cadence, topics, lang, otherLanguage });
    } else collector.add(index + 1, entry);
  });
  return collector.result;
}
