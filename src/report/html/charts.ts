/** The HTML report's four charts from a run's time series (README "Results"). */
import { BINS, binMiddleMs } from '../../results/log-histogram.js';
import type { TimeSeries } from '../../results/series.js';
import { PALETTE, clock, histogramChart, lineChart, type ChartLine } from './svg.js';

const per = (width: number): string => (width === 1 ? 'per second' : `per second, averaged over ${width} s`);

export function rateChart(series: TimeSeries): string {
  const lines: ChartLine[] = [];
  [...series.endpoints].sort().forEach((endpoint, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    lines.push({ name: `${endpoint} achieved`, color, points: series.perSecond((b) => b.sent.get(endpoint) ?? 0) });
    if (series.paced) lines.push({ name: `${endpoint} target`, color, dashed: true, points: series.perSecond((b) => b.due.get(endpoint) ?? 0) });
  });
  return lineChart({ id: 'chart-rate', title: `Requests ${per(series.widthSeconds)}: ${series.paced ? 'target (dashed) vs achieved' : 'achieved (unpaced run)'}, per endpoint`, yLabel: 'requests/s', lines });
}

export function latencyChart(series: TimeSeries): string {
  const percentiles = [
    { p: 50, color: '#16a34a' },
    { p: 90, color: '#ea580c' },
    { p: 99, color: '#dc2626' },
  ];
  const lines: ChartLine[] = [];
  for (const { p, color } of percentiles) lines.push({ name: `p${p} from send`, color, points: series.percentile('latency', p) });
  for (const { p, color } of percentiles) lines.push({ name: `p${p} from due`, color, dashed: true, points: series.percentile('latencyFromDue', p) });
  const marks = series
    .buckets()
    .filter(({ bucket }) => bucket.late > 0)
    .map(({ t, bucket }) => ({ t, label: `${clock(t)}: ${bucket.late} late request${bucket.late === 1 ? '' : 's'}` }));
  return lineChart({
    id: 'chart-latency',
    title: `Latency over time (ms), ${series.widthSeconds === 1 ? 'per second' : `per ${series.widthSeconds} s`}: from send (solid) and from due time (dashed: includes time held back — coordinated omission shows as the gap)`,
    yLabel: 'ms',
    lines,
    marks,
    markLabel: 'late requests',
  });
}

export function failureChart(series: TimeSeries): string {
  const causes = [...series.causes].sort();
  const lines: ChartLine[] = causes.map((cause, i) => ({ name: cause, color: PALETTE[(i + 1) % PALETTE.length]!, points: series.perSecond((b) => b.failures.get(cause) ?? 0) }));
  // No failure at all is a line at zero, not an empty chart.
  if (lines.length === 0) lines.push({ name: 'failed attempts (none)', color: '#16a34a', points: series.perSecond(() => 0) });
  return lineChart({ id: 'chart-failures', title: `Failed attempts ${per(series.widthSeconds)}, by cause`, yLabel: 'attempts/s', lines });
}

export function histogram(series: TimeSeries): string {
  const bars: { fromMs: number; toMs: number; count: number }[] = [];
  for (let bin = 0; bin < BINS; bin++) {
    const count = series.latency[bin]!;
    if (count > 0) bars.push({ fromMs: binMiddleMs(bin - 0.5), toMs: binMiddleMs(bin + 0.5), count });
  }
  return histogramChart({ id: 'chart-histogram', title: `Latency histogram: ${series.answered} answered attempts`, bars });
}
