/**
 * The values flags are written in, read from text: durations (duration.ts), rate ramps, shards and
 * threshold expressions. Each parser returns the value or throws a UsageError whose
 * message is one sentence naming what was typed; the option schemas (replay-options.ts)
 * turn those into one problem each, so a command line with several reports them all.
 */
import { UsageError } from '../../errors.js';
import type { Ramp } from '../../replay/options.js';
import { LATENCY_METRICS, METRICS, type Threshold, type ThresholdMetric, type ThresholdOp } from '../../report/thresholds.js';
import { PLAIN_SECONDS, parseDuration } from './duration.js';

function parseRampRate(text: string, which: string, whole: string): number {
  const rate = PLAIN_SECONDS.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isFinite(rate)) {
    throw new UsageError(`--ramp "${whole}": the ${which} rate "${text}" is not a number of requests per second`);
  }
  return rate;
}

/** --ramp FROM:TO:DURATION, e.g. `0:200:30s` (rates in requests per second). */
export function parseRamp(text: string): Ramp {
  const parts = text.split(':');
  if (parts.length !== 3) {
    throw new UsageError(`--ramp "${text}" must be FROM:TO:DURATION, for example 0:200:30s`);
  }
  const from = parseRampRate(parts[0]!, 'start', text);
  const to = parseRampRate(parts[1]!, 'end', text);
  if (from === 0 && to === 0) throw new UsageError(`--ramp "${text}" goes from 0 to 0 requests per second and would send nothing`);
  let durationMs: number;
  try {
    durationMs = parseDuration(parts[2]!);
  } catch {
    throw new UsageError(`--ramp "${text}": "${parts[2]}" is not a duration (use 500ms, 30s, 2m, 1h)`);
  }
  if (durationMs <= 0) throw new UsageError(`--ramp "${text}": the ramp must last more than 0 s`);
  return { from, to, durationMs };
}

/** `K/N` or `auto/N` (K from JOB_COMPLETION_INDEX), K from 0 to N−1. */
export function parseShard(text: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const m = /^(\d+|auto)\/(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--shard ${text}: expected K/N or auto/N, for example 0/4`);
  const count = Number(m[2]);
  let indexText = m[1]!;
  if (indexText === 'auto') {
    const fromJob = env.JOB_COMPLETION_INDEX;
    if (fromJob === undefined || !/^\d+$/.test(fromJob)) throw new UsageError('--shard auto/N needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)');
    indexText = fromJob;
  }
  const index = Number(indexText);
  if (count < 1 || index >= count) throw new UsageError(`--shard ${text}: K must be from 0 to N−1 and N at least 1`);
  return { index, count };
}

const SHAPE = /^([a-z0-9_]+)\s*(<=|>=|<|>)\s*([^\s%]*?)\s*(ms|%)?$/i;
const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)$/;
const EXAMPLES = 'for example p99<200, p99_due<500, failed<1%, failed<=10, rate>=190 or late<5%';

/** Parses `p99<200`, `p95<=150ms`, `p99_due<500`, `failed<1%`, `failed<=10`, `rate>=190`, `late<5%`. */
export function parseThreshold(text: string): Threshold {
  const expression = text.trim();
  const shape = SHAPE.exec(expression);
  if (!shape) {
    throw new UsageError(`--threshold "${text}" is not METRIC OP VALUE (${EXAMPLES})`);
  }
  const [, name, op, valueText, unit] = shape as unknown as [string, string, ThresholdOp, string, string | undefined];
  const metric = name.toLowerCase();
  if (!METRICS.has(metric)) {
    throw new UsageError(`--threshold "${text}": unknown metric "${name}" (use p50, p90, p95, p99, max, their _due forms such as p99_due, failed, rate or late)`);
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
    throw new UsageError(`--threshold "${text}": only latency metrics (p50 … max, p50_due … max_due) are in ms`);
  }
  if (percent && value > 100) {
    throw new UsageError(`--threshold "${text}": a percentage cannot be more than 100`);
  }
  return { expression, metric: m, op, value, percent };
}
