/**
 * A small fixed histogram for the HTML report's time series: bins 5% wide on a log scale
 * from 1 µs to about 30 minutes (440 counters), so a percentile per second costs a few KB
 * and is within ±2.5%. The summary table's exact percentiles come from the HDR histograms
 * (report/histogram.ts), never from these.
 */
const FACTOR = 1.05;
const LOG_FACTOR = Math.log(FACTOR);
const MIN_MS = 0.001;
export const BINS = 440;

export function binOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BINS - 1, Math.floor(Math.log(ms / MIN_MS) / LOG_FACTOR));
}

/** The middle of a bin (geometric), in ms. */
export function binMiddleMs(bin: number): number {
  return MIN_MS * Math.pow(FACTOR, bin + 0.5);
}

export function newBins(): Uint32Array {
  return new Uint32Array(BINS);
}

/** The value at `percentile` (0–100) of a histogram holding `total` values; undefined when empty. */
export function binPercentile(bins: Uint32Array, total: number, percentile: number): number | undefined {
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i]!;
    if (seen >= rank) return binMiddleMs(i);
  }
  return undefined;
}

export function addBins(into: Uint32Array, from: Uint32Array): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i]!;
}
