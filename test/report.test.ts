import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStats } from '../src/report/stats.js';
import { buildReport, reportJson } from '../src/report/report.js';
import { renderSummary } from '../src/report/table.js';
import { decodeHistogram } from '../src/report/histogram.js';
import { DELIVERED, UNSENT } from '../src/replay/delivery/attempt.js';
import { attempt, finding, judge } from './helpers/stats.js';

const UNKNOWN_AID = { rule: 'stat.unknown_aid', severity: 'error', path: 'aid', value: 9999, message: 'aid 9999 is not in the feature table' } as const;

/** 10 stat records (4 invalid, 1 with a warning), 98 requests and 2 retries answered in 1..100 ms, 8 delivered, 1 failed. */
function sampleStats(): RunStats {
  const stats = new RunStats('replay', 2);
  for (let line = 1; line <= 4; line++) finding(stats, 'stat.push_data', line, UNKNOWN_AID);
  finding(stats, 'stat.push_data', 7, { rule: 'stat.missing_game_v', severity: 'warning', path: 'game_v', message: 'game_v is missing' });
  judge(stats, 'stat.push_data', 5, true);
  for (let i = 1; i <= 100; i++) stats.addAttempt(attempt('stat.push_data', 1_000_000 + i, i, { attempt: i <= 98 ? 0 : 1, dueMs: 1_000_000 + i - 1 }));
  stats.addSettlement('stat.push_data', 8, DELIVERED);
  stats.addSettlement('stat.push_data', 1, { kind: 'failed', cause: 'http 503', excerpt: 'busy, try later', uncertain: false });
  stats.finish();
  return stats;
}

test('the report counts records, keeps the first examples per rule, and orders errors first', () => {
  const report = buildReport(sampleStats(), { exitCode: 1 });
  assert.equal(report.totals.records, 10);
  assert.equal(report.totals.failed, 1);
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.findings.map((f) => [f.rule, f.count, f.examples.length]), [
    ['stat.unknown_aid', 4, 2],
    ['stat.missing_game_v', 1, 1],
  ]);
  assert.deepEqual(report.findings[0]!.examples[0], { file: 'log.ndjson', line: 1, path: 'aid', message: 'aid 9999 is not in the feature table', value: 9999 });
  assert.deepEqual(report.failures, [{ cause: 'http 503', count: 1, example: 'busy, try later' }]);
});

test('latency percentiles come from the histogram, and the encoded histogram round-trips', () => {
  const report = buildReport(sampleStats());
  const e = report.byEndpoint['stat.push_data']!;
  assert.ok(Math.abs(e.latencyMs.p50 - 50) <= 0.1, `p50 ${e.latencyMs.p50}`);
  assert.ok(Math.abs(e.latencyMs.p99 - 99) <= 0.1, `p99 ${e.latencyMs.p99}`);
  assert.ok(Math.abs(e.latencyMs.max - 100) <= 0.1);
  assert.equal(decodeHistogram(e.histograms.latency).totalCount, 100);
  assert.ok(Math.abs(e.latencyFromDueMs.p50 - 51) <= 0.1);
});

test('the JSON report writes a bigint example value as its exact digits', () => {
  const stats = new RunStats('validate', 5);
  finding(stats, 'sud.report_game_info', 1, { rule: 'sud.mg_id_mismatch', severity: 'error', path: 'report_msg.mg_id', value: 1461227817776713818n, message: 'x' });
  assert.match(reportJson(buildReport(stats)), /"value": "1461227817776713818"/);
});

test('the summary answers "did it work?" in its first line, then the table, failures and findings', () => {
  const text = renderSummary(buildReport(sampleStats(), { exitCode: 1 }), { color: false, mode: 'replay' });
  const lines = text.split('\n');
  assert.match(lines[0]!, /^FAILED 8 of 10 records delivered in 98 requests \(2 retries\), 1 with warnings — 4 invalid, 1 not delivered in \d+\.\ds$/);
  assert.match(text, /stat\.push_data/);
  assert.match(text, /Failures by cause[\s\S]*http 503 +1 +busy, try later/);
  assert.match(text, /error   stat\.unknown_aid  ×4/);
  assert.match(text, /log\.ndjson:1 aid = 9999: aid 9999 is not in the feature table/);
  assert.match(text, /… and 2 more/);
  assert.doesNotMatch(text, /\u001b\[/, 'no colour codes when colour is off');
});

test('a clean validate run says OK with the counts', () => {
  const stats = new RunStats('validate', 5);
  judge(stats, 'sud.report_game_info', 2, true);
  stats.finish();
  const text = renderSummary(buildReport(stats), { color: false, mode: 'validate' });
  assert.match(text.split('\n')[0]!, /^OK 2 records, 2 valid in \d+\.\ds$/);
  assert.ok(renderSummary(buildReport(stats), { color: true, mode: 'validate' }).includes('\u001b['), 'colour when asked');
});

test('no percentile is above the max, in the JSON report and in the table', () => {
  const stats = new RunStats('replay', 1);
  // 114.77 ms falls in a histogram bucket whose top is 114.82 ms; 30.3 and 30.35 share one too.
  for (const [i, ms] of [30.3, 30.35, 114.77].entries()) stats.addAttempt(attempt('stat.push_data', 1_000_000 + i, ms));
  const report = buildReport(stats);
  for (const summary of [report.byEndpoint['stat.push_data']!.latencyMs, report.byEndpoint['stat.push_data']!.latencyFromDueMs]) {
    assert.equal(summary.max, 114.77);
    for (const p of ['p50', 'p90', 'p95', 'p99'] as const) assert.ok(summary[p] <= summary.max, `${p} ${summary[p]} > max ${summary.max}`);
  }
  const row = renderSummary(report, { color: false, mode: 'replay' }).split('\n').find((l) => l.includes('stat.push_data'))!;
  const [p50, p95, p99, max] = /([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(row)!.slice(1).map(Number);
  assert.ok(p50! <= p95! && p95! <= p99! && p99! <= max!, row);
});

test('latency from the due time is a column of the table only when a request was late', () => {
  const onTime = new RunStats('replay', 1);
  onTime.addAttempt(attempt('sud.report_game_info', 1_000_000, 5));
  assert.doesNotMatch(renderSummary(buildReport(onTime), { color: false, mode: 'replay' }), /from due/);
  const late = new RunStats('replay', 1);
  late.addAttempt(attempt('sud.report_game_info', 1_000_000, 5, { dueMs: 1_000_000 - 300, late: true }));
  const text = renderSummary(buildReport(late), { color: false, mode: 'replay' });
  assert.match(text, /ms p50\/p95\/p99\/max +from due p50\/p95\/p99\/max/);
  assert.match(text, /5\.0\/5\.0\/5\.0\/5\.0 +305\/305\/305\/305/, 'from the send 5 ms, from the due time 305 ms');
});

test('records left unsent show in the headline, as a column and in the totals; none, and the column is not there', () => {
  const stats = new RunStats('replay', 1);
  judge(stats, 'sud.report_game_info', 5, true);
  stats.addAttempt(attempt('sud.report_game_info', 1_000_000, 5));
  stats.addSettlement('sud.report_game_info', 1, DELIVERED);
  stats.addSettlement('sud.report_game_info', 4, UNSENT);
  const report = buildReport(stats);
  assert.equal(report.totals.unsent, 4);
  assert.equal(report.byEndpoint['sud.report_game_info']!.unsent, 4);
  const text = renderSummary(report, { color: false, mode: 'replay' });
  assert.match(text.split('\n')[0]!, /^OK 1 of 5 records delivered in 1 requests, 4 unsent in/);
  assert.match(text, /failed +unsent +retries/);
  assert.doesNotMatch(renderSummary(buildReport(new RunStats('replay', 1)), { color: false, mode: 'replay' }), /unsent/);
});
