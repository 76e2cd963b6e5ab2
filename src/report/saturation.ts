/**
 * When a paced run fell behind its target, say why, so the rate in the table is not
 * mistaken for the server's capacity. Two causes look alike from the outside: the
 * concurrency bound (a slow server: rate × latency needs more requests in flight than
 * --concurrency allows — Little's law) and the client itself (its CPU could not send
 * faster; got tops out near 4 k requests/s per core, docs/BENCHMARKS.md § Measured before building).
 */
import type { RunStats } from './stats.js';

/** Achieved below this share of the target is falling behind. */
const BEHIND_BELOW = 0.95;
/** …and it shows when at least this share of requests went late… */
const LATE_SHARE = 0.05;
/**
 * …and at least this many: a run of a few requests (the demo's 19) is late by one timer
 * hiccup at its end, which moves its rate but says nothing about saturation.
 */
const LATE_AT_LEAST = 10;
/** In-flight need at or above this share of --concurrency means the bound, not the CPU, held requests back. */
const BOUND_SHARE = 0.8;

/**
 * Compares like with like: the run's target (its --rate, its ramp's, or the log's pace)
 * with the run's achieved rate, both over all the run's requests (RunStats.rate).
 */
export function saturationNote(stats: RunStats, run: { concurrency: number; transport: 'got' | 'undici' }): string | undefined {
  const { target, achieved } = stats.rate();
  let requests = 0;
  let late = 0;
  let latencyUsSum = 0;
  let latencyCount = 0;
  for (const counts of stats.byEndpoint.values()) {
    requests += counts.requests;
    late += counts.late;
    latencyUsSum += counts.latency.mean * counts.latency.totalCount;
    latencyCount += counts.latency.totalCount;
  }
  if (target === undefined || requests < 2 || achieved >= BEHIND_BELOW * target || late < Math.max(LATE_AT_LEAST, LATE_SHARE * requests)) return undefined;
  const meanLatencyMs = latencyCount > 0 ? latencyUsSum / latencyCount / 1000 : 0;
  const neededInFlight = (target * meanLatencyMs) / 1000;
  const behind = `the run fell behind its target: ${fmt(achieved)} of ${fmt(target)} requests/s, ${late} of ${requests} requests late`;
  if (neededInFlight >= BOUND_SHARE * run.concurrency) {
    return (
      `${behind}; the server answered in ${fmt(meanLatencyMs)} ms on average, so ${fmt(target)} requests/s needs about ` +
      `${Math.ceil(neededInFlight)} in flight and --concurrency allows ${run.concurrency}: raise --concurrency`
    );
  }
  const hint = run.transport === 'got' ? ' — try --transport undici, which costs far less CPU per request' : ' — run fewer requests per process (--shard) or on more cores';
  return `${behind}; the client was saturated (its CPU, not the server, was the limit)${hint}`;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}
