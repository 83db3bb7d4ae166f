// Charts drawn on the server as inline SVG images (role="img" with a title),
// styled by the page's colours so they follow dark mode. Each chart sits
// beside a table of its figures, so nothing depends on seeing the picture.
// Pure: data in, markup out.
import { html } from "hono/html";
import type { Html } from "./ui";

export interface ChartPoint {
  label: string;
  value: number | null;
}

const WIDTH = 600;
const HEIGHT = 240;
const PAD = { top: 16, right: 16, bottom: 36, left: 48 };

/**
 * The y axis's ticks for counts up to `max`: whole numbers from 0, a round
 * step apart (1, 2, 5 × 10ⁿ, about four steps), so no two labels read the
 * same. The last tick is the axis's top, never 0.
 */
export function buildTicks(max: number): number[] {
  const target = Math.max(max, 1) / 4;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(target)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= target) ?? 10 * magnitude;
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let value = 0; value <= top; value += step) ticks.push(value);
  return ticks;
}

function axes(ticks: number[], labels: { x: number; text: string }[]): Html {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const top = ticks[ticks.length - 1]!;
  return html`<line class="chart-axis" x1="${PAD.left}" y1="${PAD.top + plotHeight}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotHeight}" /> ${ticks.map(
      (value) => {
        const y = PAD.top + plotHeight * (1 - value / top);
        return html`<line class="chart-axis" x1="${PAD.left}" y1="${y}" x2="${WIDTH - PAD.right}" y2="${y}" stroke-dasharray="${value === 0 ? "" : "3 4"}" />
          <text class="chart-label" x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${value}</text>`;
      },
    )}
    ${labels.map((l) => html`<text class="chart-label" x="${l.x}" y="${HEIGHT - 12}" text-anchor="middle">${l.text}</text>`)}`;
}

/** A line over days; null values are gaps (no snapshot that day). */
export function buildLineChart(id: string, title: string, points: ChartPoint[]): Html {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const ticks = buildTicks(Math.max(0, ...points.map((p) => p.value ?? 0)));
  const top = ticks[ticks.length - 1]!;
  const x = (i: number) => PAD.left + (points.length <= 1 ? plotWidth / 2 : (plotWidth * i) / (points.length - 1));
  const y = (v: number) => PAD.top + plotHeight * (1 - v / top);
  const segments: string[] = [];
  let current = "";
  points.forEach((p, i) => {
    if (p.value === null) {
      if (current) segments.push(current);
      current = "";
      return;
    }
    current += `${current ? "L" : "M"}${x(i).toFixed(1)},${y(p.value).toFixed(1)} `;
  });
  if (current) segments.push(current);
  const every = Math.max(1, Math.ceil(points.length / 6));
  const labels = points.map((p, i) => ({ x: x(i), text: p.label })).filter((_, i) => i % every === 0 || i === points.length - 1);
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title" focusable="false">
    <title id="${id}-title">${title}</title>
    ${axes(ticks, labels)} ${segments.map((d) => html`<path class="chart-line" d="${d.trim()}" />`)}
    ${points.map((p, i) => (p.value === null ? "" : html`<circle class="chart-dot" cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" />`))}
  </svg>`;
}

/** Vertical bars, one per point. */
export function buildBarChart(id: string, title: string, points: ChartPoint[]): Html {
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const ticks = buildTicks(Math.max(0, ...points.map((p) => p.value ?? 0)));
  const top = ticks[ticks.length - 1]!;
  const slot = plotWidth / Math.max(1, points.length);
  const barWidth = Math.max(2, Math.min(48, slot * 0.7));
  const every = Math.max(1, Math.ceil(points.length / 7));
  const labels = points.map((p, i) => ({ x: PAD.left + slot * (i + 0.5), text: p.label })).filter((_, i) => i % every === 0);
  return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title" focusable="false">
    <title id="${id}-title">${title}</title>
    ${axes(ticks, labels)}
    ${points.map((p, i) => {
      const h = ((p.value ?? 0) / top) * plotHeight;
      return html`<rect
        class="chart-bar"
        x="${(PAD.left + slot * (i + 0.5) - barWidth / 2).toFixed(1)}"
        y="${(PAD.top + plotHeight - h).toFixed(1)}"
        width="${barWidth.toFixed(1)}"
        height="${h.toFixed(1)}"
        rx="2"
      />`;
    })}
  </svg>`;
}
