// The console's page frame and small view helpers, on top of the site's one
// layout (src/web/layout.ts): same fonts, colours and dark mode, plus a
// navigation bar, buttons, progress bars and chart styles. Every value is
// interpolated through hono/html, so it is escaped.
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { page } from "../layout";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const CONSOLE_STYLE = `
main.wide { max-width: 64rem; }
nav.console { display:flex; flex-wrap:wrap; gap:.25rem 1rem; align-items:center; margin:0 0 1.5rem; padding-bottom:.75rem; border-bottom:1px solid var(--border); }
nav.console a { padding:.35rem .1rem; }
nav.console a[aria-current=page] { font-weight:700; text-decoration-thickness:3px; }
nav.console form { margin-left:auto; }
nav.console button { margin:0; padding:.35rem .9rem; background:transparent; color:var(--accent); border:2px solid var(--accent); }
h2 { font-size:1.25rem; margin:2rem 0 .75rem; }
section { margin-bottom:1.5rem; }
input[type=text], input[type=password], input[type=file], select { width:100%; font:inherit; padding:.6rem .7rem; border:2px solid var(--border); border-radius:.4rem; background:var(--bg); color:var(--fg); }
input[type=checkbox] { width:1.2rem; height:1.2rem; vertical-align:middle; }
label.inline { display:inline; font-weight:400; margin:0 0 0 .4rem; }
label.check { display:flex; gap:.5rem; align-items:center; font-weight:400; margin:.35rem 0; }
.row > fieldset { flex-basis:100%; margin:0; }
td.title { min-width:12rem; }
select:focus-visible, input:focus-visible { outline:3px solid var(--accent); outline-offset:2px; }
button.secondary { background:transparent; color:var(--accent); border:2px solid var(--accent); }
button.danger { background:var(--warn); color:var(--bg); }
.row { display:flex; flex-wrap:wrap; gap:1rem; align-items:flex-end; }
.row > * { flex:1 1 12rem; }
.row > button { flex:0 0 auto; }
.cards { display:grid; grid-template-columns:repeat(auto-fit, minmax(9rem, 1fr)); gap:.75rem; margin:0; padding:0; }
.cards div { border:1px solid var(--border); border-radius:.5rem; padding:.6rem .8rem; }
.cards dt { color:var(--muted); font-size:.9rem; }
.cards dd { margin:0; font-size:1.5rem; font-weight:700; }
.ok { color:var(--ok); }
.bad { color:var(--warn); font-weight:600; }
.table-wrap { overflow-x:auto; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
progress { width:100%; height:1.4rem; accent-color: var(--accent); }
.chart { display:grid; grid-template-columns: minmax(0, 3fr) minmax(12rem, 2fr); gap:1rem; align-items:start; }
@media (max-width: 40rem) { .chart { grid-template-columns: 1fr; } }
.chart svg { width:100%; height:auto; display:block; }
.chart .scroll { max-height:18rem; overflow-y:auto; }
.chart-bar { fill: var(--accent); }
.chart-line { stroke: var(--accent); fill:none; stroke-width:2.5; }
.chart-dot { fill: var(--accent); }
.chart-axis { stroke: var(--border); }
.chart-label { fill: var(--muted); font: 12px system-ui, sans-serif; }
details { margin-top: 1rem; }
iframe.preview { width:100%; height:75vh; border:1px solid var(--border); border-radius:.4rem; background:#fff; }
.notice.ok { border-left-color: var(--ok); }
`;

export function consolePage(options: { title: string; body: Html; current?: string; csrf?: string; script?: boolean; refreshSeconds?: number }): Html {
  const links: [string, string][] = [
    ["/console", "Overview"],
    ["/console/digests", "Digests"],
    ["/console/subscribers", "Subscribers"],
  ];
  const nav = options.csrf
    ? html`<nav class="console" aria-label="Console">
        <strong>NATO Digest console</strong>
        ${links.map(([href, label]) => html`<a href="${href}" ${options.current === href ? html`aria-current="page"` : ""}>${label}</a>`)}
        <form method="post" action="/console/logout"><input type="hidden" name="csrf" value="${options.csrf}" /><button type="submit">Sign out</button></form>
      </nav>`
    : "";
  const head = html`<style>
      ${CONSOLE_STYLE}
    </style>
    ${options.script ? html`<script src="/console/static/console.js" defer></script>` : ""}
    ${options.refreshSeconds ? html`<noscript><meta http-equiv="refresh" content="${options.refreshSeconds}" /></noscript>` : ""}`;
  return page({ title: options.title, wide: true, head, body: html`${nav}${options.body}` });
}

/** Hidden CSRF field for every state-changing form. */
export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}" />`;
}

const pad = (n: number) => String(n).padStart(2, "0");

export function formatUtc(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

const UNITS: [seconds: number, unit: string][] = [
  [86_400, "d"],
  [3600, "h"],
  [60, "min"],
  [1, "s"],
];

/** "3 h ago", "in 5 min": the rough distance a person reads at a glance. */
export function relativeTime(iso: string, now: Date): string {
  const seconds = Math.round((Date.parse(iso) - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 5) return "just now";
  const [size, unit] = UNITS.find(([size]) => abs >= size)!;
  const value = Math.round(abs / size);
  return seconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** A time in UTC with a relative hint; "never" for null. */
export function when(iso: string | null | undefined, now: Date): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  return html`<time datetime="${iso}">${formatUtc(iso)}</time> <span class="muted">(${relativeTime(iso, now)})</span>`;
}

export function notice(text: Html | string, kind: "ok" | "error" | "info" = "info"): Html {
  return html`<p class="notice ${kind === "info" ? "" : kind}" role="${kind === "error" ? "alert" : "status"}">${text}</p>`;
}

export function number(n: number): string {
  return n.toLocaleString("en-GB");
}

/** "1 release", "8 releases": a count with the noun it counts, singular for one. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${number(n)} ${n === 1 ? one : many}`;
}
