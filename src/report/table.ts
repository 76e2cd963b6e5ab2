/**
 * The summary a person reads (SPEC §6): a headline that answers "did it work?", one row
 * per endpoint, failures by cause, findings by rule with examples. A pure function from a
 * Report to text (autocannon's printResult); colours only when asked for.
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { LatencySummary } from './histogram.js';
import type { RateReport, Report } from './report.js';
import type { Totals } from './stats.js';

export interface RenderOptions {
  /** Colour the output (stdout is a TTY and NO_COLOR is not set). */
  readonly color: boolean;
  /** `validate` shows validation columns only; `replay` adds delivery and latency. */
  readonly mode: 'validate' | 'replay' | 'dry-run';
}

const num = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Borderless columns two spaces apart: fits a 100-column terminal and pastes cleanly into tickets. */
const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '  ', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

function table(head: string[], aligns: ('left' | 'right')[]): Table.Table {
  return new Table({ head, colAligns: aligns, chars: PLAIN, style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 } });
}

export function renderSummary(report: Report, options: RenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [headline(report, options, c), ''];
  out.push(endpointTable(report, options).toString());
  if (report.failures.length > 0) {
    out.push('', c.bold('Failures by cause'));
    // The server's own words for the first failure of each cause (one line, secrets masked).
    const withExamples = report.failures.some((f) => f.example !== undefined);
    const t = withExamples ? table(['cause', 'records', 'first answer'], ['left', 'right', 'left']) : table(['cause', 'records'], ['left', 'right']);
    for (const f of report.failures) t.push(withExamples ? [f.cause, num(f.count), f.example ?? ''] : [f.cause, num(f.count)]);
    out.push(t.toString());
  }
  if (report.findings.length > 0) {
    out.push('', c.bold('Findings by rule'));
    for (const f of report.findings) {
      const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      out.push(`  ${sev} ${c.bold(f.rule)}  ×${num(f.count)}`);
      for (const e of f.examples) {
        const where = `${e.file}:${e.line}`;
        const field = e.path ? ` ${e.path}` : '';
        const value = e.value === undefined ? '' : ` = ${preview(e.value)}`;
        out.push(`      ${c.dim(where)}${field}${value}: ${e.message}`);
      }
      if (f.count > f.examples.length) out.push(c.dim(`      … and ${num(f.count - f.examples.length)} more`));
    }
  }
  if (report.thresholds && report.thresholds.length > 0) {
    out.push('', c.bold('Thresholds'));
    for (const t of report.thresholds) out.push(`  ${t.ok ? c.green('pass') : c.red('FAIL')} ${t.expression} (actual ${round(t.actual)})`);
  }
  for (const note of report.notes) out.push('', c.yellow(`note: ${note}`));
  return out.join('\n') + '\n';
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? value.toString() : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '…' : text;
}

function headline(report: Report, options: RenderOptions, c: ChalkInstance): string {
  const t = report.totals;
  const secs = (report.durationMs / 1000).toFixed(1);
  const problems: string[] = [];
  if (t.invalid > 0) problems.push(`${num(t.invalid)} invalid`);
  if (t.failed > 0) problems.push(`${num(t.failed)} not delivered`);
  const breached = report.thresholds?.filter((x) => !x.ok).length ?? 0;
  if (breached > 0) problems.push(`${breached} threshold${breached > 1 ? 's' : ''} breached`);
  const warn = t.warnings > 0 ? `, ${num(t.warnings)} with warnings` : '';
  if (report.interrupted) {
    return c.yellow.bold(`INTERRUPTED after ${secs}s: ${num(t.succeeded)} of ${num(t.records)} records delivered; resume with --resume`) + (problems.length ? c.red(` (${problems.join(', ')})`) : '');
  }
  let what: string;
  if (options.mode === 'validate') what = `${num(t.records)} records, ${num(t.valid)} valid${warn}`;
  else if (options.mode === 'dry-run') what = `${num(t.valid)} of ${num(t.records)} records would be sent in ${num(t.requests)} requests (dry run)${warn}`;
  else {
    const unsent = t.unsent;
    what =
      `${num(t.succeeded)} of ${num(t.records)} records delivered in ${num(t.requests)} requests${t.retries ? ` (${num(t.retries)} retries)` : ''}` +
      `${t.duplicates ? `, ${num(t.duplicates)} duplicates skipped` : ''}${unsent ? `, ${num(unsent)} unsent` : ''}${warn}`;
  }
  const status = problems.length > 0 ? c.red.bold('FAILED') : c.green.bold('OK');
  return `${status} ${what}${problems.length ? c.red(` — ${problems.join(', ')}`) : ''} in ${secs}s`;
}

function endpointTable(report: Report, options: RenderOptions): string {
  const rows = Object.entries(report.byEndpoint);
  const totals = report.totals;
  if (options.mode === 'validate') {
    const t = table(['endpoint', 'records', 'valid', 'invalid', 'warnings'], ['left', 'right', 'right', 'right', 'right']);
    for (const [id, e] of rows) t.push([id, num(e.records), num(e.valid), num(e.invalid), num(e.warnings)]);
    if (rows.length > 1) t.push(['total', num(totals.records), num(totals.valid), num(totals.invalid), num(totals.warnings)]);
    return t.toString();
  }
  // Columns that only matter sometimes are shown only then: records left unsent (the run
  // stopped or its schedule ended), and — when any request went late — latency from the due
  // time, which is what a user waiting on the schedule saw.
  const withUnsent = totals.unsent > 0;
  const withDue = rows.some(([, e]) => e.late > 0);
  const head = ['endpoint', 'records', 'invalid', 'dupes', 'requests', 'ok', 'failed', ...(withUnsent ? ['unsent'] : []), 'retries', 'ms p50/p95/p99/max', ...(withDue ? ['from due p50/p95/p99/max'] : []), 'rate/s (target)', 'late'];
  const t = table(head, ['left', ...head.slice(1).map(() => 'right' as const)]);
  const row = (id: string, counts: Totals, latency: string, dueLatency: string, rates: RateReport | undefined, late: string): string[] => [
    id,
    num(counts.records),
    num(counts.invalid),
    num(counts.duplicates),
    num(counts.requests),
    num(counts.succeeded),
    num(counts.failed),
    ...(withUnsent ? [num(counts.unsent)] : []),
    num(counts.retries),
    latency,
    ...(withDue ? [dueLatency] : []),
    rates ? rateText(rates) : '',
    late,
  ];
  for (const [id, e] of rows) t.push(row(id, e, latencyText(e.requests, e.latencyMs), latencyText(e.requests, e.latencyFromDueMs), e.rate, num(e.late)));
  if (rows.length > 1) t.push(row('total', totals, '', '', report.rate, ''));
  return t.toString();
}

function latencyText(requests: number, lat: LatencySummary | undefined): string {
  return lat && requests > 0 && lat.max > 0 ? [lat.p50, lat.p95, lat.p99, lat.max].map(ms).join('/') : '';
}

function rateText(r: RateReport): string {
  const achieved = r.achieved ? rate(r.achieved) : '';
  const target = r.target ? ` (${rate(r.target)})` : '';
  return achieved + target;
}

function rate(n: number): string {
  return n >= 100 ? num(Math.round(n)) : n.toFixed(1);
}
