/**
 * The HTML report (`replay --html FILE`, `report --html FILE`; README "Results"): one
 * self-contained page — inline CSS and SVG, no script, nothing fetched — with the charts of
 * the run's time series (when results were given) over the summary, thresholds, findings,
 * failures and the command. Registered secrets are masked in the whole page.
 */
import { writeFile } from 'node:fs/promises';
import { InputError, describeError } from '../../errors.js';
import { maskSecrets } from '../../redact.js';
import type { TimeSeries } from '../../results/series.js';
import type { LatencySummary } from '../histogram.js';
import type { Report } from '../report.js';
import { failureChart, histogram, latencyChart, rateChart } from './charts.js';
import { escapeHtml as h } from './escape.js';

export interface PageOptions {
  /** The command line, as typed (masked here again). */
  readonly command?: string;
  /** Where the figures come from, for the header. */
  readonly sources?: readonly string[];
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;margin:0;background:#f9fafb}
main{max-width:960px;margin:0 auto;padding:20px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.meta{color:#4b5563;margin:0 0 12px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:96px}
.card b{display:block;font-size:18px}.card span{color:#6b7280;font-size:12px}
.bad b{color:#dc2626}.good b{color:#16a34a}
table{border-collapse:collapse;background:#fff;width:100%;font-variant-numeric:tabular-nums;font-size:13px}
th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:right}th{background:#f3f4f6}
td:first-child,th:first-child,td.text{text-align:left}
.pass{color:#16a34a;font-weight:600}.fail{color:#dc2626;font-weight:600}
figure.chart{background:#fff;border:1px solid #e5e7eb;border-radius:6px;margin:12px 0;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:#374151;margin-bottom:4px}
.key{display:inline-flex;align-items:center;gap:4px;white-space:nowrap}
figure.chart>svg{width:100%;height:auto;display:block}
.key svg{width:22px;height:10px;flex:none}
.wide{overflow-x:auto}
.grid{stroke:#eef0f3}.axis{stroke:#9ca3af}.mark{stroke:#dc2626;stroke-width:2}
.tick{font-size:11px;fill:#6b7280}.label{font-size:12px;fill:#374151}
pre{background:#fff;border:1px solid #e5e7eb;padding:8px;white-space:pre-wrap;word-break:break-all}
.note{color:#4b5563}
`;

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

function card(label: string, value: string, tone = ''): string {
  return `<div class="card ${tone}"><b>${h(value)}</b><span>${h(label)}</span></div>`;
}

function latencyCells(l: LatencySummary): string {
  return [l.p50, l.p90, l.p99, l.max].map((v) => `<td>${fmt(v)}</td>`).join('');
}

function endpointTable(report: Report): string {
  const rows = Object.entries(report.byEndpoint).map(
    ([id, e]) =>
      `<tr><td>${h(id)}</td><td>${fmt(e.records)}</td><td>${fmt(e.invalid)}</td><td>${fmt(e.requests)}</td><td>${fmt(e.retries)}</td><td>${fmt(e.late)}</td><td>${fmt(e.succeeded)}</td><td>${fmt(e.failed)}</td><td>${fmt(e.unsent)}</td>${latencyCells(e.latencyMs)}${latencyCells(e.latencyFromDueMs)}<td>${e.rate.target === null ? '—' : fmt(e.rate.target)}</td><td>${fmt(e.rate.achieved)}</td></tr>`,
  );
  return `<table id="summary"><thead><tr><th rowspan="2">endpoint</th><th rowspan="2">records</th><th rowspan="2">invalid</th><th rowspan="2">requests</th><th rowspan="2">retries</th><th rowspan="2">late</th><th rowspan="2">succeeded</th><th rowspan="2">failed</th><th rowspan="2">unsent</th><th colspan="4">latency from send (ms)</th><th colspan="4">latency from due (ms)</th><th colspan="2">req/s</th></tr>
<tr><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>target</th><th>achieved</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function thresholdTable(report: Report): string {
  if (!report.thresholds || report.thresholds.length === 0) return '<p class="note">No --threshold was given.</p>';
  const rows = report.thresholds.map((t) => `<tr><td class="text">${h(t.expression)}</td><td>${fmt(t.actual)}</td><td class="${t.ok ? 'pass">pass' : 'fail">FAIL'}</td></tr>`);
  return `<table id="thresholds"><thead><tr><th>threshold</th><th>actual</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function findingTable(report: Report): string {
  if (report.findings.length === 0) return '<p class="note">No findings.</p>';
  const rows = report.findings.map((f) => {
    const e = f.examples[0];
    const example = e ? `${e.file}:${e.line} ${e.path ? e.path + ': ' : ''}${e.message}` : '';
    return `<tr><td class="text">${h(f.rule)}</td><td class="text ${f.severity === 'error' ? 'fail' : ''}">${f.severity}</td><td>${fmt(f.count)}</td><td class="text">${h(example)}</td></tr>`;
  });
  return `<table id="findings"><thead><tr><th>rule</th><th>severity</th><th>records</th><th>first example</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function failureTable(report: Report): string {
  if (report.failures.length === 0) return '<p class="note">No record failed.</p>';
  const rows = report.failures.map((f) => `<tr><td class="text">${h(f.cause)}</td><td>${fmt(f.count)}</td><td class="text">${h(f.example ?? '')}</td></tr>`);
  return `<table id="failures"><thead><tr><th>cause</th><th>records</th><th>first answer</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderHtml(report: Report, series: TimeSeries | undefined, options: PageOptions = {}): string {
  const t = report.totals;
  const latency = Object.values(report.byEndpoint).map((e) => e.latencyMs.p99);
  const cards = [
    card('requests', fmt(t.requests)),
    card('succeeded', fmt(t.succeeded), t.failed === 0 && t.succeeded > 0 ? 'good' : ''),
    card('failed', fmt(t.failed), t.failed > 0 ? 'bad' : ''),
    card('retries', fmt(t.retries)),
    card('invalid', fmt(t.invalid), t.invalid > 0 ? 'bad' : ''),
    card('req/s achieved', report.rate ? fmt(report.rate.achieved) : '—'),
    card('req/s target', report.rate?.target != null ? fmt(report.rate.target) : '—'),
    card('worst p99 (ms)', latency.length > 0 ? fmt(Math.max(...latency)) : '—'),
  ];
  if (report.thresholds?.length) {
    const failed = report.thresholds.filter((x) => !x.ok).length;
    cards.push(card('thresholds', failed === 0 ? 'all pass' : `${failed} failed`, failed === 0 ? 'good' : 'bad'));
  }
  const charts = series && series.lines > 0
    ? [rateChart(series), latencyChart(series), failureChart(series), histogram(series)].join('\n')
    : '<p class="note" id="no-series">No time series: this page was made from a JSON report. Render a results file (replay --results) for the charts.</p>';
  const command = options.command ?? report.command;
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>report-replay: ${h(report.command)} ${h(report.startedAt)}</title>
<style>${CSS}</style></head>
<body><main>
<h1>report-replay run report</h1>
<p class="meta">${h(report.startedAt)} · ${fmt(report.durationMs / 1000)} s${report.interrupted ? ' · interrupted' : ''}${report.exitCode !== undefined ? ` · exit ${report.exitCode}` : ''}${options.sources?.length ? ` · from ${h(options.sources.join(', '))}` : ''}</p>
<div class="cards">${cards.join('')}</div>
<h2>Charts</h2>
${charts}
<h2>Summary</h2>
<div class="wide">${endpointTable(report)}</div>
<h2>Thresholds</h2>
${thresholdTable(report)}
<h2>Findings by rule</h2>
${findingTable(report)}
<h2>Failures by cause</h2>
${failureTable(report)}
${report.notes.length ? `<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
<h2>Command</h2>
<pre id="command">${h(command)}</pre>
</main></body></html>
`;
  return maskSecrets(page);
}

export async function writeHtml(file: string, html: string): Promise<void> {
  try {
    await writeFile(file, html);
  } catch (err) {
    throw new InputError(file, `cannot write the HTML report (${describeError(err)})`);
  }
}
