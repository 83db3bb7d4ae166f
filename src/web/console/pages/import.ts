// /console/imports/:id: an import's progress (updated live by console.js)
// and the rows that were not imported.
import { html } from "hono/html";
import { consolePage, counted, number, when, type Html } from "../ui";
import { cards, table } from "./components";

export interface ImportView {
  id: string;
  createdAt: string;
  rows: number;
  valid: number;
  duplicates: number;
  invalid: number;
  invalidRows: { line: number; value: string; reason: string }[];
  chunks: number;
  done: number;
  totals: Record<string, number>;
}

export function importText(p: Pick<ImportView, "done" | "chunks" | "valid">): string {
  return p.done >= p.chunks
    ? `Finished: all ${counted(p.valid, "address", "addresses")} handled.`
    : `Importing: ${number(p.done)} of ${counted(p.chunks, "chunk")} of 50 done.`;
}

const OUTCOMES: [string, string][] = [
  ["added", "Added"],
  ["confirmed", "Confirmed"],
  ["alreadySubscribed", "Already subscribed"],
  ["optInSent", "Confirmation sent"],
  ["keptUnsubscribed", "Kept unsubscribed"],
  ["keptSuppressed", "Kept suppressed"],
];

function invalidRows(p: ImportView): Html | string {
  if (!p.invalidRows.length) return "";
  return html`<section aria-labelledby="invalid-h">
    <h2 id="invalid-h">Rows that were not imported</h2>
    ${table<ImportView["invalidRows"][number]>({
      label: "Rows not imported",
      rows: p.invalidRows.slice(0, 100),
      columns: [
        { header: "Line", num: true, cell: (r) => r.line },
        { header: "Value", cell: (r) => r.value },
        { header: "Why", cell: (r) => r.reason },
      ],
    })}
  </section>`;
}

export function importPage(options: { csrf: string; now: Date; progress: ImportView }): Html {
  const p = options.progress;
  const finished = p.done >= p.chunks;
  return consolePage({
    title: "Import",
    current: "/console/subscribers",
    csrf: options.csrf,
    script: !finished,
    refreshSeconds: finished ? undefined : 3,
    body: html`<h1>Import ${p.id}</h1>
      <p class="muted">
        Started ${when(p.createdAt, options.now)}. ${counted(p.rows, "row")}: ${number(p.valid)} valid, ${counted(p.duplicates, "duplicate")},
        ${number(p.invalid)} invalid.
      </p>
      <section aria-labelledby="import-progress-h" data-progress-url="/console/imports/${p.id}/progress.json">
        <h2 id="import-progress-h">Progress</h2>
        <progress aria-labelledby="import-progress-h" max="${Math.max(1, p.chunks)}" value="${p.chunks === 0 ? 1 : p.done}"></progress>
        <p data-progress-text aria-live="polite">${importText(p)}</p>
        ${cards(OUTCOMES.map(([key, label]) => ({ label, value: number(p.totals[key] ?? 0), field: key })))}
      </section>
      ${invalidRows(p)}
      <p><a href="/console/subscribers">Back to subscribers</a></p>`,
  });
}
