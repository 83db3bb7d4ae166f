// The pieces every console page is built from: a table from columns and
// rows, a row of figure cards, the digest list and the edition form
// fields. Every value goes through hono/html, so it is escaped; a cell that
// needs markup returns an html`` template.
import { html } from "hono/html";
import type { DigestSummary } from "../../../operator/console-data";
import { CADENCES, LANGUAGES, type Cadence, type Edition } from "../../../operator/digest-actions";
import type { StoredRelease } from "../../../releases/release-store";
import type { StatusCounts } from "../../../subscribers/daily-counts";
import type { FeedChoice } from "../../../subscribers/preferences";
import { number, when, type Html } from "../ui";

type Cell = Html | string | number;

export interface Column<T> {
  header: string;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** A class for the body cells (e.g. "title": a minimum width). */
  cellClass?: string;
  cell: (row: T) => Cell;
}

/** A scrollable, labelled table: one header row from `columns`, one row per item. */
export function table<T>(options: { label: string; columns: Column<T>[]; rows: T[]; caption?: string; scroll?: boolean }): Html {
  const numClass = (column: Column<T>) => (column.num ? html` class="num"` : "");
  const cellClass = (column: Column<T>) => (column.cellClass ? html` class="${column.cellClass}"` : numClass(column));
  return html`<div class="${options.scroll ? "scroll table-wrap" : "table-wrap"}" tabindex="0" role="region" aria-label="${options.label}">
    <table>
      ${
        options.caption
          ? html`<caption class="muted" style="text-align:left">
              ${options.caption}
            </caption>`
          : ""
      }
      <thead>
        <tr>
          ${options.columns.map((column) => html`<th scope="col" ${numClass(column)}>${column.header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${options.rows.map(
          (row) =>
            html`<tr>
              ${options.columns.map((column) => html`<td${cellClass(column)}>${column.cell(row)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** A table of one record: a header cell and a value per row; rows that are null are left out. */
export function recordTable(label: string, rows: ([string, Cell] | null)[]): Html {
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="${label}">
    <table>
      <tbody>
        ${rows.map((row) =>
          row
            ? html`<tr>
                <th scope="row">${row[0]}</th>
                <td>${row[1]}</td>
              </tr>`
            : "",
        )}
      </tbody>
    </table>
  </div>`;
}

export interface Card {
  label: string;
  value: Cell;
  /** The name console.js updates the figure by (data-field). */
  field?: string;
}

export function cards(items: Card[]): Html {
  return html`<dl class="cards">
    ${items.map(
      (item) =>
        html`<div>
          <dt>${item.label}</dt>
          <dd${item.field ? html` data-field="${item.field}"` : ""}>${item.value}</dd>
        </div>`,
    )}
  </dl>`;
}

export function statusCards(counts: StatusCounts): Html {
  return cards([
    { label: "Confirmed", value: number(counts.confirmed) },
    { label: "Unconfirmed", value: number(counts.unconfirmed) },
    { label: "Unsubscribed", value: number(counts.unsubscribed) },
    { label: "Suppressed", value: number(counts.suppressed) },
  ]);
}

/** A count in red when it is not zero. */
export function badCount(n: number): Cell {
  return n ? html`<span class="bad">${number(n)}</span>` : "0";
}

export function cadenceName(cadence: Cadence): string {
  return cadence === "weekly" ? "Weekly" : "Daily";
}

export function languageName(lang: string): string {
  return lang === "fr" ? "French" : "English";
}

/** Newest first, as the digest lists them. */
export function newestFirst<T extends { publishedAt: string }>(releases: T[]): T[] {
  return [...releases].sort((a, b) => Number(a.publishedAt < b.publishedAt) - Number(a.publishedAt > b.publishedAt));
}

export function releaseList(releases: StoredRelease[], now: Date): Html {
  return html`<ul>
      ${newestFirst(releases)
        .slice(0, 20)
        .map((r) => html`<li><a href="${r.link}" rel="noreferrer">${r.title}</a> <span class="muted">· published ${when(r.publishedAt, now)}</span></li>`)}
    </ul>
    ${releases.length > 20 ? html`<p class="muted">and ${releases.length - 20} more.</p>` : ""}`;
}

function digestStatus(d: DigestSummary): Cell {
  if (d.status === "sent") return html`<span class="ok">sent</span>`;
  if (d.deferredBatches) return html`<span class="bad">paused (quota)</span>`;
  return "sending";
}

export function digestTable(digests: DigestSummary[], now: Date): Html {
  return table<DigestSummary>({
    label: "Digests",
    caption: "Newest first",
    rows: digests,
    columns: [
      { header: "Digest", cellClass: "title", cell: (d) => html`<a href="/console/digests/${d.id}">${d.subject}</a>` },
      {
        header: "Edition",
        cell: (d) => html`${cadenceName(d.cadence)}${d.editions.length > 1 ? html` <span class="muted">· ${d.editions.length} editions</span>` : ""}`,
      },
      { header: "Started", cell: (d) => when(d.createdAt, now) },
      { header: "Status", cell: digestStatus },
      { header: "Readers", num: true, cell: (d) => number(d.recipients) },
      { header: "Sent", num: true, cell: (d) => number(d.sent) },
      { header: "Failed", num: true, cell: (d) => badCount(d.failed) },
      { header: "Pending", num: true, cell: (d) => number(d.pending) },
    ],
  });
}

export function cadenceSelect(id: string, selected: Cadence = "daily"): Html {
  return html`<div>
    <label for="${id}">Cadence</label>
    <select id="${id}" name="cadence">
      ${CADENCES.map((c) => html`<option value="${c}" ${c === selected ? "selected" : ""}>${cadenceName(c)}</option>`)}
    </select>
  </div>`;
}

/** A reader's choices: language, topics and (with more than one feed) feeds, as the sign-up form names them. */
export function editionFields(prefix: string, feeds: FeedChoice[], edition?: Edition): Html {
  const sources = edition?.sources ? new Set(edition.sources) : null;
  const feedBoxes = html`<fieldset>
    <legend>Feeds <span class="muted">(none ticked: the language's default feeds)</span></legend>
    ${feeds.map(
      (f) =>
        html`<label class="check"
          ><input type="checkbox" name="sources" value="${f.id}" ${sources?.has(f.id) ? "checked" : ""} /> ${f.title}${f.lang ? ` (${f.lang})` : ""}</label
        >`,
    )}
  </fieldset>`;
  return html`<div>
      <label for="${prefix}-lang">Language</label>
      <select id="${prefix}-lang" name="lang">
        ${LANGUAGES.map((l) => html`<option value="${l}" ${l === (edition?.lang ?? "en") ? "selected" : ""}>${languageName(l)}</option>`)}
      </select>
    </div>
    <div>
      <label for="${prefix}-topics">Topics <span class="muted">(optional, comma-separated)</span></label>
      <input id="${prefix}-topics" name="topics" type="text" placeholder="e.g. cyber, Ukraine" value="${edition?.topics.join(", ") ?? ""}" />
    </div>
    ${feeds.length > 1 ? feedBoxes : ""}`;
}
