/**
 * `--threshold` (README § replay, k6's thresholds): pass/fail conditions on a finished run's report,
 * such as `p99<200` or `failed<1%` (read by commands/options/values.ts). A breached threshold makes the exit code 1. Evaluated on
 * the Report alone, so a merged report of sharded runs (README § Scaling out) is judged the same way.
 * Latency is from the send (`p99`) or from the due time (`p99_due`: the wait behind the
 * concurrency bound included), over every endpoint's requests together.
 */
import { combineHistograms, type LatencySummary } from './histogram.js';
import type { Report } from './report.js';
import { round2 } from './round.js';

type LatencyMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max';
export type ThresholdMetric = LatencyMetric | `${LatencyMetric}_due` | 'failed' | 'rate' | 'late';
export type ThresholdOp = '<' | '<=' | '>' | '>=';

export interface Threshold {
  /** As the user wrote it, for the report and messages. */
  readonly expression: string;
  readonly metric: ThresholdMetric;
  readonly op: ThresholdOp;
  /** ms for latency metrics, req/s for `rate`, a count or a percentage for `failed` and `late`. */
  readonly value: number;
  readonly percent: boolean;
}

export interface ThresholdResult {
  readonly expression: string;
  readonly ok: boolean;
  /** The measured value, in the threshold's unit (a percentage when it is one). */
  readonly actual: number;
}

const FROM_SEND: readonly LatencyMetric[] = ['p50', 'p90', 'p95', 'p99', 'max'];
export const LATENCY_METRICS = new Set<ThresholdMetric>([...FROM_SEND, ...FROM_SEND.map((m) => `${m}_due` as const)]);
export const METRICS = new Set<string>([...LATENCY_METRICS, 'failed', 'rate', 'late']);
/** Latency over every endpoint's requests together, in ms: from the send, or from the due time. */
function runLatency(report: Report, fromDue: boolean): LatencySummary {
  const endpoints = Object.values(report.byEndpoint).filter((e) => e.histograms !== undefined);
  return combineHistograms(
    endpoints.map((e) =>
      fromDue ? { encoded: e.histograms.latencyFromDue, summary: e.latencyFromDueMs } : { encoded: e.histograms.latency, summary: e.latencyMs },
    ),
  ).summary;
}

function measure(threshold: Threshold, report: Report, latency: (fromDue: boolean) => LatencySummary): number {
  const endpoints = Object.values(report.byEndpoint);
  const { metric } = threshold;
  if (LATENCY_METRICS.has(metric)) {
    const fromDue = metric.endsWith('_due');
    return latency(fromDue)[(fromDue ? metric.slice(0, -'_due'.length) : metric) as LatencyMetric];
  }
  switch (metric) {
    case 'failed': {
      const { succeeded, failed } = report.totals;
      if (!threshold.percent) return failed;
      return succeeded + failed === 0 ? 0 : round2((failed * 100) / (succeeded + failed));
    }
    case 'rate':
      return report.rate?.achieved ?? round2(endpoints.reduce((sum, e) => sum + e.rate.achieved, 0));
    case 'late': {
      const late = endpoints.reduce((sum, e) => sum + e.late, 0);
      if (!threshold.percent) return late;
      return report.totals.requests === 0 ? 0 : round2((late * 100) / report.totals.requests);
    }
    default:
      throw new Error(`internal: no measure for threshold metric ${metric}`);
  }
}

function holds(actual: number, op: ThresholdOp, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
  }
}

/**
 * Judges each threshold against the report. `failed` as a percentage is of the records
 * attempted for delivery (succeeded + failed); `late` as a percentage is of requests sent.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], report: Report): ThresholdResult[] {
  const summaries = new Map<boolean, LatencySummary>();
  const latency = (fromDue: boolean): LatencySummary => {
    let summary = summaries.get(fromDue);
    if (!summary) summaries.set(fromDue, (summary = runLatency(report, fromDue)));
    return summary;
  };
  return thresholds.map((threshold) => {
    const actual = measure(threshold, report, latency);
    return { expression: threshold.expression, ok: holds(actual, threshold.op, threshold.value), actual };
  });
}
