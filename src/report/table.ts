/**
 * The summary a person reads (README "Reports"): a headline that answers "did it work?",
 * one row per endpoint, failures by cause, findings by rule with examples. A pure function
 * from a Report to text (autocannon's printResult); colours only when asked for.
 *
 * The endpoint table fits the width it is given: every column has a priority, and while
 * the table is wider than the terminal the least important column that can give way does —
 * first to its narrow form, if it has one, then entirely. A table that wraps is unreadable;
 * one with fewer columns is not (the JSON report has them all).
 *
 * Text that came from the input or a server (file names, field names, values, causes) is
 * shown with its control characters escaped (printable.ts).
 */
import Table from 'cli-table3';
import { Chalk, type ChalkInstance } from 'chalk';
import { printable } from '../printable.js';
import type { LatencySummary } from './histogram.js';
import type { EndpointReport, RateReport, Report } from './report.js';
import { stringifyExact } from '../json/exact.js';

export interface RenderOptions {
  /** Colour the output (stdout is a TTY and NO_COLOR is not set). */
  readonly color: boolean;
  /** `validate` shows validation columns only; `replay` adds delivery and latency. */
  readonly mode: 'validate' | 'replay' | 'dry-run';
  /** The terminal's width: the endpoint table is fitted to it. Undefined: no limit. */
  readonly width?: number;
}

const num = (n: number) => n.toLocaleString('en-US');
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Borderless columns two spaces apart: pastes cleanly into tickets. */
const PLAIN = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '  ', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

function table(head: string[], aligns: ('left' | 'right')[]): Table.Table {
  return new Table({ head, colAligns: aligns, chars: PLAIN, style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 } });
}

/** A column of the endpoint table: its cells for each row (the total row last, when there is one). */
export interface Column {
  readonly head: string;
  readonly align: 'left' | 'right';
  /** Higher stays longer when the table must be narrowed; Infinity never goes. */
  readonly priority: number;
  readonly cells: readonly string[];
  /** A narrower form (fewer figures in one cell), tried before the column is dropped. */
  readonly narrow?: { readonly head: string; readonly cells: readonly string[] };
}

function renderColumns(columns: readonly Column[], rows: number): string {
  const t = table(
    columns.map((c) => c.head),
    columns.map((c) => c.align),
  );
  for (let r = 0; r < rows; r++) t.push(columns.map((c) => c.cells[r] ?? ''));
  return t.toString();
}

function widest(text: string): number {
  // eslint-disable-next-line no-control-regex
  return Math.max(...text.split('\n').map((line) => line.replace(/\x1b\[[0-9;]*m/g, '').length));
}

/** The columns rendered, narrowed and dropped by priority until the table fits `width`. */
export function fitColumns(columns: readonly Column[], rows: number, width: number | undefined): string {
  let current = [...columns];
  for (;;) {
    const text = renderColumns(current, rows);
    if (width === undefined || widest(text) <= width) return text;
    const giving = current
      .map((column, index) => ({ column, index }))
      .filter(({ column }) => column.priority !== Infinity)
      .sort((a, b) => a.column.priority - b.column.priority)[0];
    if (!giving) return text;
    const { column, index } = giving;
    if (column.narrow) current[index] = { head: column.narrow.head, align: column.align, priority: column.priority, cells: column.narrow.cells };
    else current = current.filter((_, i) => i !== index);
  }
}

export function renderSummary(report: Report, options: RenderOptions): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const out: string[] = [headline(report, options, c), ''];
  out.push(endpointTable(report, options));
  if (report.failures.length > 0) {
    out.push('', c.bold('Failures by cause'));
    // The server's own words for the first failure of each cause (one line, secrets masked).
    const withExamples = report.failures.some((f) => f.example !== undefined);
    const t = withExamples ? table(['cause', 'records', 'first answer'], ['left', 'right', 'left']) : table(['cause', 'records'], ['left', 'right']);
    for (const f of report.failures) t.push(withExamples ? [printable(f.cause), num(f.count), printable(f.example ?? '')] : [printable(f.cause), num(f.count)]);
    out.push(t.toString());
  }
  if (report.findings.length > 0) {
    out.push('', c.bold('Findings by rule'));
    for (const f of report.findings) {
      const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      out.push(`  ${sev} ${c.bold(printable(f.rule))}  ×${num(f.count)}`);
      for (const e of f.examples) {
        const where = printable(`${e.file}:${e.line}`);
        const field = e.path ? ` ${printable(e.path)}` : '';
        const value = e.value === undefined ? '' : ` = ${printable(preview(e.value))}`;
        out.push(`      ${c.dim(where)}${field}${value}: ${printable(e.message)}`);
      }
      if (f.count > f.examples.length) out.push(c.dim(`      … and ${num(f.count - f.examples.length)} more`));
    }
  }
  if (report.thresholds && report.thresholds.length > 0) {
    out.push('', c.bold('Thresholds'));
    for (const t of report.thresholds) out.push(`  ${t.ok ? c.green('pass') : c.red('FAIL')} ${t.expression} (actual ${round(t.actual)})`);
  }
  for (const note of report.notes) out.push('', c.yellow(`note: ${printable(note)}`));
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
    // What to do next is said once, in a note: resuming is possible only with a checkpoint.
    return c.yellow.bold(`INTERRUPTED after ${secs}s: ${num(t.succeeded)} of ${num(t.records)} records delivered`) + (problems.length ? c.red(` (${problems.join(', ')})`) : '');
  }
  if (report.exitCode === 2) {
    // The run stopped on an input it could not read: what came before it is counted, but it is not a success.
    return c.red.bold(`STOPPED after ${secs}s: an input could not be read (see the error below); ${num(t.records)} records read before it`);
  }
  if (t.records === 0) {
    if (options.mode === 'validate') {
      const status = report.exitCode === 0 ? c.green.bold('OK') : c.red.bold('FAILED');
      return `${status} nothing read: no records in ${secs}s`;
    }
    return `${c.yellow.bold('NOTHING SENT')}: no records read in ${secs}s`;
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

/** The endpoint ids, then `total` when there is more than one endpoint. */
function rowLabels(report: Report): string[] {
  const ids = Object.keys(report.byEndpoint).map(printable);
  return ids.length > 1 ? [...ids, 'total'] : ids;
}

function countColumn(head: string, priority: number, report: Report, pick: (e: EndpointReport | Report['totals']) => number): Column {
  const endpoints = Object.values(report.byEndpoint);
  const cells = endpoints.map((e) => num(pick(e)));
  if (endpoints.length > 1) cells.push(num(pick(report.totals)));
  return { head, align: 'right', priority, cells };
}

function endpointTable(report: Report, options: RenderOptions): string {
  const endpoints = Object.values(report.byEndpoint);
  const labels = rowLabels(report);
  const endpoint: Column = { head: 'endpoint', align: 'left', priority: Infinity, cells: labels };
  if (options.mode === 'validate') {
    const columns = [
      endpoint,
      countColumn('records', 90, report, (e) => e.records),
      countColumn('valid', 60, report, (e) => e.valid),
      countColumn('invalid', 80, report, (e) => e.invalid),
      countColumn('warnings', 50, report, (e) => e.warnings),
    ];
    return fitColumns(columns, labels.length, options.width);
  }
  const latency = endpoints.map((e) => latencyOf(e.requests, e.latencyMs));
  const fromDue = endpoints.map((e) => latencyOf(e.requests, e.latencyFromDueMs));
  // The total row shows the run's own rate (its target is the run's, not a sum of shares).
  const rateRows: (RateReport | undefined)[] = endpoints.map((e) => e.rate);
  if (endpoints.length > 1) rateRows.push(report.rate);
  const rates = rateRows.map((r) => ({ achieved: r?.achieved ? rate(r.achieved) : '', target: r?.target ? ` (${rate(r.target)})` : '' }));
  const columns: Column[] = [
    endpoint,
    countColumn('records', 90, report, (e) => e.records),
    countColumn('invalid', 70, report, (e) => e.invalid),
    countColumn('dupes', 20, report, (e) => e.duplicates),
    countColumn('requests', 50, report, (e) => e.requests),
    countColumn('ok', 85, report, (e) => e.succeeded),
    countColumn('failed', 88, report, (e) => e.failed),
    // Shown only when the run left records unsent (it stopped, or its schedule ended).
    ...(report.totals.unsent > 0 ? [countColumn('unsent', 75, report, (e) => e.unsent)] : []),
    countColumn('retries', 30, report, (e) => e.retries),
    {
      head: 'ms p50/p95/p99/max',
      align: 'right',
      priority: 60,
      cells: latency.map((l) => (l ? [l.p50, l.p95, l.p99, l.max].map(ms).join('/') : '')),
      narrow: { head: 'ms p99', cells: latency.map((l) => (l ? ms(l.p99) : '')) },
    },
    // When any request went late: latency from the due time, what a user waiting on the schedule saw.
    ...(endpoints.some((e) => e.late > 0)
      ? [
          {
            head: 'from due p50/p95/p99/max',
            align: 'right' as const,
            priority: 55,
            cells: fromDue.map((l) => (l ? [l.p50, l.p95, l.p99, l.max].map(ms).join('/') : '')),
            narrow: { head: 'due p99', cells: fromDue.map((l) => (l ? ms(l.p99) : '')) },
          },
        ]
      : []),
    {
      head: 'rate/s (target)',
      align: 'right',
      priority: 40,
      cells: rates.map((r) => r.achieved + r.target),
      narrow: { head: 'rate/s', cells: rates.map((r) => r.achieved) },
    },
    { head: 'late', align: 'right', priority: 25, cells: endpoints.map((e) => num(e.late)) },
  ];
  return fitColumns(columns, labels.length, options.width);
}

function latencyOf(requests: number, lat: LatencySummary | undefined): LatencySummary | undefined {
  return lat && requests > 0 && lat.max > 0 ? lat : undefined;
}

function rate(n: number): string {
  return n >= 100 ? num(Math.round(n)) : n.toFixed(1);
}
