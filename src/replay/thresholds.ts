/**
 * `--threshold` (SPEC §6, k6's thresholds): pass/fail conditions on a finished run's report,
 * such as `p99<200` or `failed<1%`. A breached threshold makes the exit code 1. Evaluated on
 * the Report alone, so a merged report of sharded runs (SPEC §9) is judged the same way.
 */
import { UsageError } from '../errors.js';
import { decodeHistogram, newHistogram } from '../report/histogram.js';
import type { Report } from '../report/report.js';

export type ThresholdMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'max' | 'failed' | 'rate' | 'late';
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

const LATENCY_METRICS = new Set<ThresholdMetric>(['p50', 'p90', 'p95', 'p99', 'max']);
const METRICS = new Set<string>(['p50', 'p90', 'p95', 'p99', 'max', 'failed', 'rate', 'late']);
const SHAPE = /^([a-z0-9]+)\s*(<=|>=|<|>)\s*([^\s%]*?)\s*(ms|%)?$/i;
const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
const EXAMPLES = 'for example p99<200, failed<1%, failed<=10, rate>=190 or late<5%';

/** Parses `p99<200`, `p95<=150ms`, `failed<1%`, `failed<=10`, `rate>=190`, `late<5%`. */
export function parseThreshold(text: string): Threshold {
  const expression = text.trim();
  const shape = SHAPE.exec(expression);
  if (!shape) {
    throw new UsageError(`--threshold "${text}" is not METRIC OP VALUE (${EXAMPLES})`);
  }
  const [, name, op, valueText, unit] = shape as unknown as [string, string, ThresholdOp, string, string | undefined];
  const metric = name.toLowerCase();
  if (!METRICS.has(metric)) {
    throw new UsageError(`--threshold "${text}": unknown metric "${name}" (use p50, p90, p95, p99, max, failed, rate or late)`);
  }
  if (!NUMBER.test(valueText)) {
    throw new UsageError(`--threshold "${text}": "${valueText}" is not a number (${EXAMPLES})`);
  }
  const value = Number(valueText);
  const percent = unit === '%';
  const m = metric as ThresholdMetric;
  if (percent && m !== 'failed' && m !== 'late') {
    throw new UsageError(`--threshold "${text}": only failed and late can be a percentage`);
  }
  if (unit?.toLowerCase() === 'ms' && !LATENCY_METRICS.has(m)) {
    throw new UsageError(`--threshold "${text}": only latency metrics (p50 … max) are in ms`);
  }
  if (percent && value > 100) {
    throw new UsageError(`--threshold "${text}": a percentage cannot be more than 100`);
  }
  return { expression, metric: m, op, value, percent };
}

/** Latency percentiles over every endpoint's requests together, in ms. */
function mergedLatency(report: Report) {
  const merged = newHistogram();
  for (const endpoint of Object.values(report.byEndpoint)) {
    if (endpoint.histograms?.latency) merged.add(decodeHistogram(endpoint.histograms.latency));
  }
  return merged;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function measure(threshold: Threshold, report: Report, latency: () => ReturnType<typeof newHistogram>): number {
  const endpoints = Object.values(report.byEndpoint);
  switch (threshold.metric) {
    case 'p50':
    case 'p90':
    case 'p95':
    case 'p99':
    case 'max': {
      const histogram = latency();
      if (histogram.totalCount === 0) return 0;
      const us = threshold.metric === 'max' ? histogram.maxValue : histogram.getValueAtPercentile(Number(threshold.metric.slice(1)));
      return round2(us / 1000);
    }
    case 'failed': {
      const { succeeded, failed } = report.totals;
      if (!threshold.percent) return failed;
      return succeeded + failed === 0 ? 0 : round2((failed * 100) / (succeeded + failed));
    }
    case 'rate':
      return round2(endpoints.reduce((sum, e) => sum + e.rate.achieved, 0));
    case 'late': {
      const late = endpoints.reduce((sum, e) => sum + e.late, 0);
      if (!threshold.percent) return late;
      return report.totals.requests === 0 ? 0 : round2((late * 100) / report.totals.requests);
    }
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
  let histogram: ReturnType<typeof newHistogram> | undefined;
  const latency = () => (histogram ??= mergedLatency(report));
  return thresholds.map((threshold) => {
    const actual = measure(threshold, report, latency);
    return { expression: threshold.expression, ok: holds(actual, threshold.op, threshold.value), actual };
  });
}
