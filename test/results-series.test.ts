/**
 * The HTML report's time series (src/results/series.ts) stays a thousand points whatever
 * the run's length and size: buckets widen, counts are kept, memory does not grow with the
 * attempts, and the page it makes stays small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from '../src/report/report.js';
import { RunStats } from '../src/report/stats.js';
import { renderHtml } from '../src/report/html/page.js';
import type { ResultLine } from '../src/results/line.js';
import { MAX_BUCKETS, TimeSeries } from '../src/results/series.js';
import { binOf, binMiddleMs, binPercentile, newBins } from '../src/results/log-histogram.js';

function line(i: number, sentMs: number, latencyMs: number, extra: Partial<ResultLine> = {}): ResultLine {
  return { endpoint: i % 3 === 0 ? 'sud.report_game_info' : 'stat.push_data', seq: i, attempt: 0, dueMs: sentMs - 1, sentMs, endMs: sentMs + latencyMs, latencyMs, latencyFromDueMs: latencyMs + 1, status: 200, bytes: 100, records: 1, keys: [], settled: 'delivered', ...extra };
}

test('a million attempts over ten hours: at most MAX_BUCKETS buckets, every attempt counted, a small page', () => {
  const series = new TimeSeries();
  const start = 1_800_000_000_000;
  const n = 1_000_000;
  const spanMs = 10 * 3600 * 1000;
  for (let i = 0; i < n; i++) {
    const cause = i % 1000 === 0 ? 'http 503' : undefined;
    series.add(line(i, start + (i / n) * spanMs, 5 + (i % 50), cause ? { cause, settled: 'failed', failedAs: cause } : {}));
  }
  const buckets = series.buckets();
  assert.ok(buckets.length <= MAX_BUCKETS, `${buckets.length} buckets`);
  assert.ok(series.widthSeconds >= 36, `buckets of ${series.widthSeconds} s`);
  let sent = 0;
  let failures = 0;
  for (const { bucket } of buckets) {
    for (const count of bucket.sent.values()) sent += count;
    failures += bucket.failures.get('http 503') ?? 0;
  }
  assert.equal(sent, n);
  assert.equal(failures, n / 1000);
  assert.equal(series.answered, n);
  const html = renderHtml(buildReport(new RunStats('replay', 1)), series);
  assert.ok(html.length < 1_000_000, `${html.length} characters`);
  for (const m of html.matchAll(/data-points="(\d+)"/g)) assert.ok(Number(m[1]) <= MAX_BUCKETS);
});

test('attempts out of order (retries end late, shards interleave) land in their own second', () => {
  const series = new TimeSeries();
  series.add(line(0, 5_000, 10));
  series.add(line(1, 2_500, 10));
  series.add(line(2, 9_999, 10));
  assert.equal(series.widthSeconds, 1);
  assert.deepEqual(
    series.perSecond((b) => [...b.sent.values()].reduce((a, c) => a + c, 0)).map((p) => [p.t, p.value]),
    // Seconds 2 to 9 of the clock: sends at 2.5, 5.0 and 9.999 s.
    [[0, 1], [1, 0], [2, 0], [3, 1], [4, 0], [5, 0], [6, 0], [7, 1]],
  );
});

test('log bins: percentiles within 2.5%', () => {
  const bins = newBins();
  for (let ms = 1; ms <= 1000; ms++) bins[binOf(ms)]!++;
  for (const [p, exact] of [[50, 500], [90, 900], [99, 990]] as const) {
    const value = binPercentile(bins, 1000, p)!;
    assert.ok(Math.abs(value - exact) / exact < 0.026, `p${p}: ${value} vs ${exact}`);
  }
  assert.ok(Math.abs(binMiddleMs(binOf(42)) - 42) / 42 < 0.026);
});
