import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStats } from '../src/report/stats.js';
import { buildReport, reportJson } from '../src/report/report.js';
import { renderSummary } from '../src/report/table.js';
import { decodeHistogram } from '../src/report/histogram.js';
import { DELIVERED } from '../src/replay/attempt.js';
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
