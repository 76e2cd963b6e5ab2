/**
 * Latency histograms (HDR, from hdr-histogram-js): percentiles without keeping samples,
 * and an exact merge of sharded runs (README § Scaling out) through the compressed base64 encoding.
 * Values are recorded in microseconds and reported in milliseconds.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** 1 µs to 1 hour at 3 significant digits: ±0.1% on every percentile. */
export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Microseconds as milliseconds with two decimals (rounded from µs, so no float drift). */
const usToMs = (us: number) => Math.round(us / 10) / 100;

const ZERO: LatencySummary = Object.freeze({ p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });

/**
 * Percentiles in ms (two decimals); zeros when nothing was recorded. The one place
 * percentiles are computed. A histogram answers a percentile with the top of the bucket
 * the value fell in (up to 0.1% above it), while it keeps the max exactly: every
 * percentile is capped at the max, so none is ever above it (nor below the min, which no
 * bucket top is). `maxMs` gives the exact max when the histogram only knows its bucket (a
 * decoded one: merged shards, thresholds over a report).
 */
export function summarize(histogram: Histogram, maxMs?: number): LatencySummary {
  if (histogram.totalCount === 0) return ZERO;
  const maxUs = maxMs === undefined ? histogram.maxValue : Math.round(maxMs * 1000);
  const at = (percentile: number): number => usToMs(Math.min(histogram.getValueAtPercentile(percentile), maxUs));
  return { p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: usToMs(maxUs) };
}

/**
 * Several encoded histograms as one (endpoints of a run, shards of a job), with their
 * summary: the max is the largest of the parts' exact maxima when every part gives one.
 */
export function combineHistograms(parts: readonly { readonly encoded: string; readonly summary?: LatencySummary | undefined }[]): {
  histogram: Histogram;
  summary: LatencySummary;
} {
  const histogram = newHistogram();
  for (const part of parts) histogram.add(decodeHistogram(part.encoded));
  const maxima = parts.flatMap((p) => (p.summary && typeof p.summary.max === 'number' ? [p.summary.max] : []));
  const exactMax = maxima.length === parts.length && histogram.totalCount > 0 ? Math.max(...maxima) : undefined;
  return { histogram, summary: summarize(histogram, exactMax) };
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded);
  // Copy into a histogram of our own shape so later merges never overflow or mismatch.
  const histogram = newHistogram();
  histogram.add(decoded);
  return histogram;
}
