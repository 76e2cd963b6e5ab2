/**
 * Latency histograms (HDR, from hdr-histogram-js): percentiles without keeping samples,
 * and an exact merge of sharded runs (SPEC §9) through the compressed base64 encoding.
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

const round2 = (us: number) => Math.round(us / 10) / 100;

/** Percentiles in ms (two decimals); zeros when nothing was recorded. */
export function summarize(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };
  return {
    p50: round2(histogram.getValueAtPercentile(50)),
    p90: round2(histogram.getValueAtPercentile(90)),
    p95: round2(histogram.getValueAtPercentile(95)),
    p99: round2(histogram.getValueAtPercentile(99)),
    max: round2(histogram.maxValue),
  };
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
