/**
 * When a paced run fell behind its target, say why, so the rate in the table is not
 * mistaken for the server's capacity. Two causes look alike from the outside: the
 * concurrency bound (a slow server: rate × latency needs more requests in flight than
 * --concurrency allows — Little's law) and the client itself (its CPU could not send
 * faster; got tops out near 4 k requests/s per core, PERF-NOTES.md).
 */
import type { RunStats } from '../report/stats.js';

/** Achieved below this share of the target is falling behind. */
const BEHIND_BELOW = 0.95;
/** …and it shows when at least this share of requests went late. */
const LATE_SHARE = 0.05;
/** In-flight need at or above this share of --concurrency means the bound, not the CPU, held requests back. */
const BOUND_SHARE = 0.8;

export function saturationNote(stats: RunStats, run: { concurrency: number; transport: 'got' | 'undici' }): string | undefined {
  let target = 0;
  let achieved = 0;
  let requests = 0;
  let late = 0;
  let latencyUsSum = 0;
  let latencyCount = 0;
  for (const counts of stats.byEndpoint.values()) {
    if (counts.rateTarget === undefined) continue;
    target += counts.rateTarget;
    achieved += counts.achievedRate();
    requests += counts.requests;
    late += counts.late;
    latencyUsSum += counts.latency.mean * counts.latency.totalCount;
    latencyCount += counts.latency.totalCount;
  }
  if (requests < 2 || target === 0 || achieved >= BEHIND_BELOW * target || late < LATE_SHARE * requests) return undefined;
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
