/**
 * The HTML report's charts, drawn as inline SVG here (README "Results"): no chart library,
 * no script, nothing fetched, so the page works offline and opens fast whatever the run's
 * size (its series are already aggregated per time bucket, series.ts). Every data line is
 * one <polyline> marked `data-series` with its point count in `data-points`.
 */
import { escapeHtml } from './escape.js';

export interface ChartLine {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly { readonly t: number; readonly value: number }[];
}

export interface LineChartSpec {
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly lines: readonly ChartLine[];
  /** x positions (seconds) to mark with a tick under the axis (late requests). */
  readonly marks?: readonly { readonly t: number; readonly label: string }[];
  readonly markLabel?: string;
}

const W = 920;
const H = 260;
const LEFT = 64;
const RIGHT = 16;
const TOP = 12;
const BOTTOM = 36;
const PLOT_W = W - LEFT - RIGHT;
const PLOT_H = H - TOP - BOTTOM;

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

/** A round step for about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

const num = (n: number): string => (Math.abs(n) >= 100 || Number.isInteger(n) ? String(Math.round(n)) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Seconds since the start as m:ss (or h:mm:ss). */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function legend(lines: readonly { name: string; color: string; dashed?: boolean | undefined }[], extra = ''): string {
  const items = lines.map(
    (l) =>
      `<span class="key"><svg width="22" height="10" aria-hidden="true"><line x1="0" y1="5" x2="22" y2="5" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4 3"' : ''}/></svg>${escapeHtml(l.name)}</span>`,
  );
  return `<div class="legend">${items.join('')}${extra}</div>`;
}

export function lineChart(spec: LineChartSpec): string {
  const all = spec.lines.flatMap((l) => l.points);
  const maxT = Math.max(1, ...all.map((p) => p.t));
  const maxV = Math.max(0, ...all.map((p) => p.value));
  const yStep = niceStep(maxV, 5);
  const yMax = Math.max(yStep, Math.ceil(maxV / yStep) * yStep);
  // Whole seconds: bucket starts are whole seconds.
  const xStep = Math.max(1, niceStep(maxT, 8));
  const x = (t: number): number => LEFT + (t / maxT) * PLOT_W;
  const y = (v: number): number => TOP + PLOT_H - (v / yMax) * PLOT_H;
  const parts: string[] = [];
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(v)}</text>`);
  }
  for (let t = 0; t <= maxT + xStep / 2; t += xStep) {
    parts.push(`<text class="tick" x="${x(t).toFixed(1)}" y="${H - BOTTOM + 16}" text-anchor="middle">${clock(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${TOP + PLOT_H}" y2="${TOP + PLOT_H}"/>`);
  parts.push(`<text class="label" transform="translate(14 ${TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  parts.push(`<text class="label" x="${LEFT + PLOT_W / 2}" y="${H - 4}" text-anchor="middle">time since start (m:ss)</text>`);
  for (const mark of spec.marks ?? []) {
    parts.push(
      `<line class="mark" data-mark="late" x1="${x(mark.t).toFixed(1)}" x2="${x(mark.t).toFixed(1)}" y1="${TOP + PLOT_H - 8}" y2="${TOP + PLOT_H}"><title>${escapeHtml(mark.label)}</title></line>`,
    );
  }
  for (const line of spec.lines) {
    if (line.points.length === 0) continue;
    const points = line.points.map((p) => `${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    const peak = Math.max(...line.points.map((p) => p.value));
    parts.push(
      `<polyline data-series="${escapeHtml(line.name)}" data-points="${line.points.length}" fill="none" stroke="${line.color}" stroke-width="1.6"${line.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points}"><title>${escapeHtml(`${line.name}: peak ${num(peak)}`)}</title></polyline>`,
    );
    // A single point draws no line: show it as a dot.
    if (line.points.length === 1) parts.push(`<circle cx="${x(line.points[0]!.t).toFixed(1)}" cy="${y(line.points[0]!.value).toFixed(1)}" r="3" fill="${line.color}"/>`);
  }
  const markKey = spec.marks && spec.marks.length > 0 ? `<span class="key"><svg width="22" height="10" aria-hidden="true"><line x1="11" y1="0" x2="11" y2="10" stroke="#dc2626" stroke-width="2"/></svg>${escapeHtml(spec.markLabel ?? '')}</span>` : '';
  return `<figure class="chart" id="${spec.id}" data-chart="${spec.id}">
<figcaption>${escapeHtml(spec.title)}</figcaption>
${legend(spec.lines, markKey)}
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">${parts.join('')}</svg>
</figure>`;
}

export interface HistogramSpec {
  readonly id: string;
  readonly title: string;
  /** Bars: lower and upper edge (ms) and count, in order. */
  readonly bars: readonly { readonly fromMs: number; readonly toMs: number; readonly count: number }[];
}

/** Bars over a log-scale latency axis (ms). */
export function histogramChart(spec: HistogramSpec): string {
  const bars = spec.bars.filter((b) => b.count > 0);
  const lo = Math.min(...bars.map((b) => b.fromMs));
  const hi = Math.max(...bars.map((b) => b.toMs));
  const logLo = Math.floor(Math.log10(lo));
  const logHi = Math.max(logLo + 1, Math.ceil(Math.log10(hi)));
  const maxCount = Math.max(1, ...bars.map((b) => b.count));
  const yStep = niceStep(maxCount, 5);
  const yMax = Math.ceil(maxCount / yStep) * yStep;
  const x = (ms: number): number => LEFT + ((Math.log10(ms) - logLo) / (logHi - logLo)) * PLOT_W;
  const y = (v: number): number => TOP + PLOT_H - (v / yMax) * PLOT_H;
  const parts: string[] = [];
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${num(v)}</text>`);
  }
  for (let p = logLo; p <= logHi; p++) {
    const ms = Math.pow(10, p);
    const label = ms >= 1000 ? `${ms / 1000} s` : ms >= 1 ? `${ms} ms` : `${Math.round(ms * 1000)} µs`;
    parts.push(`<line class="grid" x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${TOP}" y2="${TOP + PLOT_H}"/>`);
    parts.push(`<text class="tick" x="${x(ms).toFixed(1)}" y="${H - BOTTOM + 16}" text-anchor="middle">${label}</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${TOP + PLOT_H}" y2="${TOP + PLOT_H}"/>`);
  parts.push(`<text class="label" transform="translate(14 ${TOP + PLOT_H / 2}) rotate(-90)" text-anchor="middle">attempts</text>`);
  parts.push(`<text class="label" x="${LEFT + PLOT_W / 2}" y="${H - 4}" text-anchor="middle">latency from send (log scale)</text>`);
  for (const bar of bars) {
    const x0 = x(bar.fromMs);
    const width = Math.max(1, x(bar.toMs) - x0);
    parts.push(
      `<rect data-bar="" x="${x0.toFixed(1)}" y="${y(bar.count).toFixed(1)}" width="${width.toFixed(1)}" height="${(TOP + PLOT_H - y(bar.count)).toFixed(1)}" fill="#2563eb"><title>${num(bar.fromMs)}–${num(bar.toMs)} ms: ${bar.count}</title></rect>`,
    );
  }
  return `<figure class="chart" id="${spec.id}" data-chart="${spec.id}">
<figcaption>${escapeHtml(spec.title)}</figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">${parts.join('')}</svg>
</figure>`;
}
