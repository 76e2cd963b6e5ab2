/**
 * The JSON report (README § Reports): `--report FILE` and `--json`. Its shape is a contract users'
 * scripts read; fields are only ever added. Merge (README § Scaling out) reads it back, which is why
 * each endpoint carries its histograms encoded.
 */
import { writeFile } from 'node:fs/promises';
import { InputError, describeError } from '../errors.js';
import { maskSecrets } from '../redact.js';
import { encodeHistogram, summarize, type LatencySummary } from './histogram.js';
import type { FindingExample, RunStats, Totals } from './stats.js';
import { round2 } from './round.js';

/** One endpoint's counts (the same counters as the run's totals) and its latency. */
export interface EndpointReport extends Totals {
  late: number;
  latencyMs: LatencySummary;
  /** Latency measured from each request's due time (open model, no coordinated omission). */
  latencyFromDueMs: LatencySummary;
  latenessMs: LatencySummary;
  /** The endpoint's share of the run's rate (`Report.rate`), by its share of the requests. */
  rate: RateReport;
  /** Encoded HDR histograms (µs), so `merge` can combine shards exactly. */
  histograms: { latency: string; latencyFromDue: string; lateness: string };
  /** Span of first-attempt sends, epoch ms, for merged rates. */
  sendWindow: { first: number | null; last: number | null };
}

/** Requests per second: what the schedule asked (null when unpaced) and what went. */
export interface RateReport {
  target: number | null;
  achieved: number;
}

export interface Report {
  command: string;
  startedAt: string;
  durationMs: number;
  exitCode?: number;
  interrupted: boolean;
  totals: Totals;
  /** The run's rate (when it made requests): first attempts over the span from the first send to the last; the target over their due times. */
  rate?: RateReport;
  byEndpoint: Record<string, EndpointReport>;
  findings: { rule: string; severity: 'error' | 'warning'; count: number; examples: FindingExample[] }[];
  /** Failed records by cause, with the first answer seen for it (one line, secrets masked). */
  failures: { cause: string; count: number; example?: string }[];
  thresholds?: { expression: string; ok: boolean; actual: number }[];
  notes: string[];
  /**
   * A resumed backfill: records settled by its earlier runs (counted in the totals), and
   * how many of those settled after their last saved report, outcome unknown.
   */
  resumed?: { settledEarlier: number; outcomeUnknown: number };
}

export function buildReport(stats: RunStats, extra: Partial<Pick<Report, 'exitCode' | 'thresholds'>> = {}): Report {
  const totals = stats.totals();
  const run = stats.rate();
  const byEndpoint: Record<string, EndpointReport> = {};
  for (const [id, s] of stats.byEndpoint) {
    // Like with like: an endpoint's target and achieved rate are the run's, by its share of the requests.
    const share = totals.requests > 0 ? s.requests / totals.requests : 0;
    byEndpoint[id] = {
      records: s.records,
      valid: s.valid,
      invalid: s.invalid,
      warnings: s.warnings,
      duplicates: s.duplicates,
      requests: s.requests,
      succeeded: s.succeeded,
      failed: s.failed,
      retries: s.retries,
      unsent: s.unsent,
      possiblyDuplicated: s.possiblyDuplicated,
      late: s.late,
      latencyMs: summarize(s.latency),
      latencyFromDueMs: summarize(s.latencyFromDue),
      latenessMs: summarize(s.lateness),
      rate: { target: run.target === undefined ? null : round2(run.target * share), achieved: round2(run.achieved * share) },
      histograms: {
        latency: encodeHistogram(s.latency),
        latencyFromDue: encodeHistogram(s.latencyFromDue),
        lateness: encodeHistogram(s.lateness),
      },
      sendWindow: { first: s.firstSendMs ?? null, last: s.lastSendMs ?? null },
    };
  }
  const report: Report = {
    command: stats.command,
    startedAt: stats.startedAt.toISOString(),
    durationMs: stats.durationMs,
    interrupted: stats.interrupted,
    totals,
    byEndpoint,
    findings: stats.findings.tallies().map((t) => ({ rule: t.rule, severity: t.severity, count: t.count, examples: t.examples })),
    failures: [...stats.failures]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([cause, { count, example }]) => (example === undefined ? { cause, count } : { cause, count, example })),
    notes: [...stats.notes],
  };
  // A run that made requests has a rate; a validation has none.
  if (totals.requests > 0) report.rate = { target: run.target === undefined ? null : round2(run.target), achieved: round2(run.achieved) };
  if (extra.exitCode !== undefined) report.exitCode = extra.exitCode;
  if (extra.thresholds) report.thresholds = extra.thresholds;
  return report;
}

/** Pretty JSON. A bigint from a record (an example's int64 value) is written as its digits, in a string. */
export function reportJson(report: Report): string {
  return JSON.stringify(report, jsonSafe, 2);
}

function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A report already serialized, to its file (secrets masked); an unwritable path is one clear error. */
export async function writeReportText(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, maskSecrets(text));
  } catch (err) {
    throw new InputError(file, `cannot write the report (${describeError(err)})`);
  }
}
