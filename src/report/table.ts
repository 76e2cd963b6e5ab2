/**
 * The summary a person reads (SPEC §6): a headline that answers "did it work?", one row
 * per endpoint, failures by cause, findings by rule with examples. A pure function from a
 * Report to text (autocannon's printResult); colours only when asked for.
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import type { EndpointReport, Report } from './report.js';
import { stringifyExact } from '../json/exact.js';

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
    const t = table(['cause', 'records'], ['left', 'right']);
    for (const f of report.failures) t.push([f.cause, num(f.count)]);
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
  // stringifyExact: bigints and numbers kept as text show as the numbers they are.
  const text = typeof value === 'string' ? JSON.stringify(value) : (stringifyExact(value) ?? String(value));
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
  else what = `${num(t.succeeded)} of ${num(t.records)} records delivered in ${num(t.requests)} requests${t.retries ? ` (${num(t.retries)} retries)` : ''}${t.duplicates ? `, ${num(t.duplicates)} duplicates skipped` : ''}${warn}`;
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
  const head = ['endpoint', 'records', 'invalid', 'dupes', 'requests', 'ok', 'failed', 'retries', 'ms p50/p95/p99/max', 'rate/s (target)', 'late'];
  const t = table(head, ['left', ...head.slice(1).map(() => 'right' as const)]);
  for (const [id, e] of rows) t.push(endpointRow(id, e));
  if (rows.length > 1) {
    t.push(['total', num(totals.records), num(totals.invalid), num(totals.duplicates), num(totals.requests), num(totals.succeeded), num(totals.failed), num(totals.retries), '', '', '']);
  }
  return t.toString();
}

function endpointRow(id: string, e: EndpointReport): string[] {
  const lat = e.latencyMs;
  const latency = e.requests > 0 && lat.max > 0 ? [lat.p50, lat.p95, lat.p99, lat.max].map(ms).join('/') : '';
  const achieved = e.rate.achieved ? rate(e.rate.achieved) : '';
  const target = e.rate.target ? ` (${rate(e.rate.target)})` : '';
  return [id, num(e.records), num(e.invalid), num(e.duplicates), num(e.requests), num(e.succeeded), num(e.failed), num(e.retries), latency, achieved + target, num(e.late)];
}

function rate(n: number): string {
  return n >= 100 ? num(Math.round(n)) : n.toFixed(1);
}
