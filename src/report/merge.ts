/**
 * Merging the JSON reports of sharded runs into one (README § Scaling out): counts add up; latency
 * histograms are decoded, added and re-encoded, and the percentiles are recomputed from
 * the merged histograms — a percentile of shards is never the average of their percentiles.
 *
 * The shards of one job run at the same time against the same target, so their rates add
 * (a fleet of 4 shards at 500/s is 2000/s), the run lasted as long as its slowest shard,
 * and it started when its first shard did.
 *
 * The runs of one resumed backfill (`mode: 'sequential'`) ran one after the other: their
 * durations add, the achieved rate is all requests over all the time spent sending, and
 * the last run says how it ended (interrupted, exit code, notes).
 */
import { z } from 'zod';
import type { JsonPath } from '../json/stream.js';
import { combineHistograms, decodeHistogram, encodeHistogram } from './histogram.js';
import type { EndpointReport, RateReport, Report } from './report.js';
import type { FindingExample, Totals } from './stats.js';
import { round2 } from './round.js';

export interface MergeOptions {
  /**
   * Examples kept per rule. Default: the shards' own --max-examples as their reports show
   * it (the length of any truncated example list); when no shard truncated, all are kept.
   */
  readonly maxExamples?: number;
  /** `parallel` (default): shards of one job. `sequential`: runs of one backfill, oldest first. */
  readonly mode?: 'parallel' | 'sequential';
}

const COUNT_FIELDS = ['records', 'valid', 'invalid', 'warnings', 'duplicates', 'requests', 'succeeded', 'failed', 'retries', 'late'] as const;
const TOTAL_FIELDS = ['records', 'valid', 'invalid', 'warnings', 'duplicates', 'requests', 'succeeded', 'failed', 'retries'] as const;
/** Counts added later: a report written before them has none, which is zero. */
const LATER_COUNT_FIELDS = ['unsent', 'possiblyDuplicated'] as const;
const HISTOGRAMS = ['latency', 'latencyFromDue', 'lateness'] as const;

const count = z.number().int().nonnegative();
const laterCounts = Object.fromEntries(LATER_COUNT_FIELDS.map((f) => [f, count.optional()])) as Record<(typeof LATER_COUNT_FIELDS)[number], z.ZodOptional<typeof count>>;
const rate = z.object({ target: z.number().nullable(), achieved: z.number() });
const summary = z.object({ p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() });

/** What merge needs of a report; anything else in it is carried or ignored. */
const REPORT_SCHEMA = z.object({
  command: z.string(),
  startedAt: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date'),
  durationMs: z.number().nonnegative(),
  exitCode: z.number().int().optional(),
  interrupted: z.boolean().optional(),
  totals: z.object({ ...(Object.fromEntries(TOTAL_FIELDS.map((f) => [f, count])) as Record<(typeof TOTAL_FIELDS)[number], typeof count>), ...laterCounts }),
  rate: rate.optional(),
  byEndpoint: z.record(
    z.string(),
    z.object({
      ...(Object.fromEntries(COUNT_FIELDS.map((f) => [f, count])) as Record<(typeof COUNT_FIELDS)[number], typeof count>),
      ...laterCounts,
      latencyMs: summary,
      rate,
      histograms: z.object({ latency: z.string(), latencyFromDue: z.string(), lateness: z.string() }),
      sendWindow: z.object({ first: z.number().nullable(), last: z.number().nullable() }).optional(),
    }),
  ),
  findings: z.array(
    z.object({
      rule: z.string(),
      severity: z.enum(['error', 'warning']),
      count,
      examples: z.array(z.object({ file: z.string(), line: z.number(), path: z.string(), message: z.string() })),
    }),
  ),
  failures: z.array(z.object({ cause: z.string(), count, example: z.string().optional() })),
  notes: z.array(z.string()).optional(),
});

/** The top-level fields merge reads: anything else in a report file is passed over unread. */
const REPORT_FIELDS: ReadonlySet<string> = new Set(Object.keys(REPORT_SCHEMA.shape));

/**
 * Examples kept per rule while reading when --max-examples is not given (the shards' own
 * limit is then inferred from what is kept): a report written with a huge --max-examples
 * still reads in bounded memory.
 */
export const MERGE_READ_EXAMPLES = 1000;

/** What to build of a report file as it is read: the fields merge uses, at most `examples` examples per rule. */
export function reportParts(examples: number): (path: JsonPath) => boolean {
  return (path) => {
    if (path.length === 1) return REPORT_FIELDS.has(String(path[0]));
    if (path.length === 4 && path[0] === 'findings' && path[2] === 'examples') return (path[3] as number) < examples;
    return true;
  };
}

/**
 * Check that parsed JSON is a report this version can merge; the problem in a few words
 * otherwise (the caller names the file). Histograms are decoded here so a corrupt one is
 * caught before anything is merged.
 */
export function checkReport(value: unknown): { report: Report } | { problem: string } {
  const parsed = REPORT_SCHEMA.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the top level';
    return { problem: `not a report-replay JSON report (${where}: ${issue.message})` };
  }
  for (const [id, endpoint] of Object.entries(parsed.data.byEndpoint)) {
    for (const name of HISTOGRAMS) {
      try {
        decodeHistogram(endpoint.histograms[name]);
      } catch {
        return { problem: `byEndpoint.${id}.histograms.${name} is not an encoded histogram` };
      }
    }
  }
  const report = value as Report;
  return { report: { ...report, interrupted: report.interrupted ?? false, notes: report.notes ?? [] } };
}

/** A count of a report that may predate it. */
function countOf(part: Partial<Record<(typeof LATER_COUNT_FIELDS)[number], number>>, field: (typeof LATER_COUNT_FIELDS)[number]): number {
  return part[field] ?? 0;
}

/** Shards send at the same time: their rates add (not average); --rate is per shard, so targets add too. */
function addRates(rates: readonly RateReport[]): RateReport {
  const targets = rates.map((r) => r.target).filter((t): t is number => t !== null);
  return {
    target: targets.length > 0 ? round2(targets.reduce((a, b) => a + b, 0)) : null,
    achieved: round2(rates.reduce((sum, r) => sum + r.achieved, 0)),
  };
}

function minOf(values: readonly (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length > 0 ? Math.min(...present) : null;
}

function maxOf(values: readonly (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number');
  return present.length > 0 ? Math.max(...present) : null;
}

/**
 * Runs one after the other (a resumed backfill): requests over the time spent sending them
 * (each part's requests at its own achieved rate); the target is the last run's (the same command).
 */
function sequentialRates(parts: readonly { readonly requests: number; readonly rate: RateReport }[]): RateReport {
  let requests = 0;
  let seconds = 0;
  for (const p of parts) {
    if (p.rate.achieved <= 0) continue;
    requests += p.requests;
    seconds += p.requests / p.rate.achieved;
  }
  const targets = parts.map((p) => p.rate.target).filter((t): t is number => t !== null);
  return { target: targets.length > 0 ? targets[targets.length - 1]! : null, achieved: seconds > 0 ? round2(requests / seconds) : 0 };
}

function mergeEndpoint(parts: readonly EndpointReport[], sequential: boolean): EndpointReport {
  // Percentiles come from the merged histograms, the max from the parts' exact maxima.
  const latency = combineHistograms(parts.map((p) => ({ encoded: p.histograms.latency, summary: p.latencyMs })));
  const latencyFromDue = combineHistograms(parts.map((p) => ({ encoded: p.histograms.latencyFromDue, summary: p.latencyFromDueMs })));
  const lateness = combineHistograms(parts.map((p) => ({ encoded: p.histograms.lateness, summary: p.latenessMs })));
  const merged = {} as EndpointReport;
  for (const field of COUNT_FIELDS) merged[field] = parts.reduce((sum, p) => sum + p[field], 0);
  for (const field of LATER_COUNT_FIELDS) merged[field] = parts.reduce((sum, p) => sum + countOf(p, field), 0);
  return {
    ...merged,
    latencyMs: latency.summary,
    latencyFromDueMs: latencyFromDue.summary,
    latenessMs: lateness.summary,
    rate: sequential ? sequentialRates(parts) : addRates(parts.map((p) => p.rate)),
    histograms: { latency: encodeHistogram(latency.histogram), latencyFromDue: encodeHistogram(latencyFromDue.histogram), lateness: encodeHistogram(lateness.histogram) },
    sendWindow: { first: minOf(parts.map((p) => p.sendWindow?.first)), last: maxOf(parts.map((p) => p.sendWindow?.last)) },
  };
}

/** The cap the shards ran with, as their reports show it: the longest example list cut short. */
function inferredMaxExamples(reports: readonly Report[]): number | undefined {
  let cap: number | undefined;
  for (const report of reports) {
    for (const f of report.findings) if (f.count > f.examples.length) cap = Math.max(cap ?? 0, f.examples.length);
  }
  return cap;
}

/** Examples in input order: by file, then line (shards read the same inputs). */
function byFileLine(a: FindingExample, b: FindingExample): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}

function mergeFindings(reports: readonly Report[], maxExamples: number | undefined): Report['findings'] {
  const byRule = new Map<string, Report['findings'][number]>();
  for (const report of reports) {
    for (const f of report.findings) {
      const seen = byRule.get(f.rule);
      if (!seen) byRule.set(f.rule, { rule: f.rule, severity: f.severity, count: f.count, examples: [...f.examples] });
      else {
        seen.count += f.count;
        seen.examples.push(...f.examples);
        // A shard run with --strict reports the rule as an error: the merged run did fail on it.
        if (f.severity === 'error') seen.severity = 'error';
      }
    }
  }
  const findings = [...byRule.values()];
  for (const f of findings) {
    f.examples.sort(byFileLine);
    if (maxExamples !== undefined && f.examples.length > maxExamples) f.examples.length = maxExamples;
  }
  // The order a single run reports them in: errors first, then by count, then by rule id.
  return findings.sort(
    (a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || b.count - a.count || a.rule.localeCompare(b.rule),
  );
}

function mergeFailures(reports: readonly Report[]): Report['failures'] {
  const byCause = new Map<string, Report['failures'][number]>();
  for (const report of reports) {
    for (const f of report.failures) {
      const seen = byCause.get(f.cause);
      if (!seen) byCause.set(f.cause, { ...f });
      else {
        seen.count += f.count;
        if (seen.example === undefined && f.example !== undefined) seen.example = f.example;
      }
    }
  }
  return [...byCause.values()].sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
}

/** The worst shard's exit code decides: usage/I-O error, then interrupted, then failed. */
function mergedExitCode(reports: readonly Report[]): number | undefined {
  const codes = reports.map((r) => r.exitCode).filter((c): c is number => c !== undefined);
  if (codes.length === 0) return undefined;
  for (const code of [2, 130, 1]) if (codes.includes(code)) return code;
  return Math.max(...codes);
}

/** One report for the whole job (or backfill, oldest run first). `reports` must not be empty. */
export function mergeReports(reports: readonly Report[], options: MergeOptions = {}): Report {
  if (reports.length === 0) throw new RangeError('mergeReports needs at least one report');
  const sequential = options.mode === 'sequential';
  const totals = {} as Totals;
  for (const field of TOTAL_FIELDS) totals[field] = reports.reduce((sum, r) => sum + r.totals[field], 0);
  for (const field of LATER_COUNT_FIELDS) totals[field] = reports.reduce((sum, r) => sum + countOf(r.totals, field), 0);

  const ids: string[] = [];
  for (const report of reports) for (const id of Object.keys(report.byEndpoint)) if (!ids.includes(id)) ids.push(id);
  const byEndpoint: Record<string, EndpointReport> = {};
  for (const id of ids) byEndpoint[id] = mergeEndpoint(reports.flatMap((r) => (r.byEndpoint[id] ? [r.byEndpoint[id]] : [])), sequential);

  const commands = [...new Set(reports.map((r) => r.command))];
  const last = reports[reports.length - 1]!;
  // An earlier run's notes ("… not sent; --resume sends them") were about a state the later run changed.
  const notes = sequential ? [...last.notes] : [...new Set(reports.flatMap((r) => r.notes))];
  if (!sequential) notes.push(`merged from ${reports.length} report${reports.length === 1 ? '' : 's'}: counts added, latency histograms merged, rates summed`);
  const startedAt = reports.map((r) => r.startedAt).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));

  const merged: Report = {
    command: commands.length === 1 ? commands[0]! : commands.join('+'),
    startedAt,
    durationMs: sequential ? reports.reduce((sum, r) => sum + r.durationMs, 0) : Math.max(...reports.map((r) => r.durationMs)),
    interrupted: sequential ? last.interrupted : reports.some((r) => r.interrupted),
    totals,
    // A report written before the run's own rate: its endpoints' rates add up to it.
    rate: (sequential ? (rates: RateReport[]) => sequentialRates(rates.map((rate, i) => ({ rate, requests: reports[i]!.totals.requests }))) : addRates)(
      reports.map((r) => r.rate ?? addRates(Object.values(r.byEndpoint).map((e) => e.rate))),
    ),
    byEndpoint,
    findings: mergeFindings(reports, options.maxExamples ?? inferredMaxExamples(reports)),
    failures: mergeFailures(reports),
    notes,
  };
  const resumed = reports.flatMap((r) => (r.resumed ? [r.resumed] : []));
  // Resumed shards: what their earlier runs settled adds up too (a backfill's runs are merged by report/resumed.ts).
  if (!sequential && resumed.length > 0) {
    merged.resumed = {
      settledEarlier: resumed.reduce((sum, r) => sum + r.settledEarlier, 0),
      outcomeUnknown: resumed.reduce((sum, r) => sum + r.outcomeUnknown, 0),
    };
  }
  const exitCode = sequential ? last.exitCode : mergedExitCode(reports);
  if (exitCode !== undefined) merged.exitCode = exitCode;
  // Thresholds are not merged: each shard judged its own share; a breach shows in exitCode.
  return merged;
}
