// Subscriber export for operators (privacy requests, moving a list): one
// KV list page (1,000 keys) and ten bulk reads at a time, streamed, so the
// size of the list never matters for memory.
import { preferencesOf, type Preferences } from "./preferences";
import type { Subscriber } from "./subscriber";
import { getSubscribersByIds, listSubscriberPage } from "./subscriber-store";

export interface ExportRow {
  email: string;
  status: Subscriber["status"];
  consentAt: string | null;
  consentSource: Subscriber["consentSource"];
  createdAt: string;
  unsubscribedAt: string | null;
  suppressedAt: string | null;
  suppressedReason: string | null;
  /** The reader's choices (records from before preferences read as the defaults). */
  cadence: Preferences["cadence"];
  topics: string[];
  lang: Preferences["lang"];
  /** Feed ids; null = the default feeds for the reader's language. */
  sources: string[] | null;
  otherLanguage: "include" | "skip";
}

export const CSV_COLUMNS: (keyof ExportRow)[] = [
  "email",
  "status",
  "consentAt",
  "consentSource",
  "createdAt",
  "unsubscribedAt",
  "suppressedAt",
  "suppressedReason",
  "cadence",
  "topics",
  "lang",
  "sources",
  "otherLanguage",
];

export function toExportRow(subscriber: Subscriber): ExportRow {
  const preferences = preferencesOf(subscriber);
  return {
    email: subscriber.email,
    status: subscriber.status,
    consentAt: subscriber.consentAt,
    consentSource: subscriber.consentSource,
    createdAt: subscriber.createdAt,
    unsubscribedAt: subscriber.unsubscribedAt,
    suppressedAt: subscriber.suppressedAt,
    suppressedReason: subscriber.suppressedReason,
    cadence: preferences.cadence,
    topics: preferences.topics,
    lang: preferences.lang,
    sources: preferences.sources,
    otherLanguage: preferences.otherLanguage ?? "include",
  };
}

/** A list in one CSV cell: "; "-separated, as the import reads topics (an empty cell: none, or for sources the default). */
function cellText(value: string | string[] | null): string | null {
  return Array.isArray(value) ? value.join("; ") : value;
}

/** RFC 4180 quoting, plus a leading ' on cells a spreadsheet would run as a formula. */
export function csvCell(value: string | null): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function* exportSubscribers(kv: KVNamespace): AsyncGenerator<ExportRow[]> {
  let cursor: string | null = null;
  do {
    const page = await listSubscriberPage(kv, cursor);
    const records = await getSubscribersByIds(
      kv,
      page.subscribers.map((s) => s.id),
    );
    yield records.map(toExportRow);
    cursor = page.cursor;
  } while (cursor);
}

export function exportStream(kv: KVNamespace, format: "csv" | "json"): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = exportSubscribers(kv);
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : "["));
      }
      const next = await pages.next();
      if (next.done) {
        if (format === "json") controller.enqueue(encoder.encode("]\n"));
        controller.close();
        return;
      }
      let chunk = "";
      for (const row of next.value) {
        if (format === "csv") chunk += `${CSV_COLUMNS.map((column) => csvCell(cellText(row[column]))).join(",")}\r\n`;
        else {
          chunk += `${first ? "" : ","}\n${JSON.stringify(row)}`;
          first = false;
        }
      }
      controller.enqueue(encoder.encode(chunk));
    },
  });
}

/** The export as a download (the admin API and the console both answer with this). */
export function exportDownload(kv: KVNamespace, format: "csv" | "json"): Response {
  const date = new Date().toISOString().slice(0, 10);
  return new Response(exportStream(kv, format), {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="nato-digest-subscribers-${date}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
}
