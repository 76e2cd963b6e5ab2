import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunStats } from '../src/report/stats.js';
import { buildReport } from '../src/report/report.js';
import { fitColumns, renderSummary, type Column } from '../src/report/table.js';
import { runCli } from './helpers/cli.js';
import { attempt, judge } from './helpers/stats.js';
import { DELIVERED } from '../src/replay/delivery/attempt.js';

function threeEndpoints(): RunStats {
  const stats = new RunStats('replay', 5);
  stats.setPaced(true);
  for (const id of ['stat.push_data', 'sud.report_game_info', 'download.checkAppUpdate'] as const) {
    judge(stats, id, 123_456, true);
    stats.addSettlement(id, 123_456, DELIVERED);
    stats.addSkipped(id, 'duplicate', 3);
    // 12,345 first attempts due 2.5 ms apart (a target of 400/s), 4 of them late, and 17 retries.
    for (let i = 0; i < 12_345; i++) {
      const due = 1_700_000_000_000 + i * 2.5;
      stats.addAttempt(attempt(id, due, 3.7 * (1 + (i % 200)), { seq: i, late: i < 4 }));
    }
    for (let i = 0; i < 17; i++) stats.addAttempt(attempt(id, 1_700_000_000_000 + i, 5, { seq: i, attempt: 1 }));
  }
  stats.finish();
  return stats;
}

const tableLines = (text: string) => text.split('\n').slice(2, 7);

test('the summary table fits 80 columns by dropping the least important columns, and keeps them all at 200', () => {
  const report = buildReport(threeEndpoints(), { exitCode: 0 });
  const wide = renderSummary(report, { color: false, mode: 'replay', width: 200 });
  const narrow = renderSummary(report, { color: false, mode: 'replay', width: 80 });
  const full = tableLines(wide);
  assert.ok(Math.max(...full.map((l) => l.length)) > 80, 'the full table is wider than 80 columns');
  for (const head of ['records', 'invalid', 'dupes', 'requests', 'ok', 'failed', 'retries', 'ms p50/p95/p99/max', 'rate/s (target)', 'late']) {
    assert.ok(full[0]!.includes(head), `${head} at 200 columns`);
  }
  const fitted = tableLines(narrow);
  for (const line of fitted) assert.ok(line.length <= 80, `"${line}" is ${line.length} wide`);
  for (const head of ['endpoint', 'records', 'ok', 'failed']) assert.ok(fitted[0]!.includes(head), `${head} kept at 80 columns`);
  assert.doesNotMatch(fitted[0]!, /dupes|late/, 'the least important went first');
  assert.equal(fitted.length, full.length, 'no row wraps: the same number of lines');
});

test('a column with a narrow form narrows before it is dropped; one that never goes stays', () => {
  const columns: Column[] = [
    { head: 'name', align: 'left', priority: Infinity, cells: ['a-very-long-endpoint-name'] },
    { head: 'wide-figures', align: 'right', priority: 10, cells: ['1/2/3/4/5/6'], narrow: { head: 'p99', cells: ['5'] } },
    { head: 'count', align: 'right', priority: 5, cells: ['42'] },
  ];
  assert.match(fitColumns(columns, 1, 100), /wide-figures/);
  const fitted = fitColumns(columns, 1, 36);
  assert.match(fitted, /p99/);
  assert.doesNotMatch(fitted, /count/, 'the lower priority went first');
  assert.match(fitColumns(columns, 1, 5), /a-very-long-endpoint-name/, 'what never goes stays, even when it cannot fit');
});

test('COLUMNS sets the width when stdout is not a terminal', async () => {
  const r = await runCli(['validate', 'samples/bad'], { env: { COLUMNS: '40' } });
  const table = r.stdout.split('\n\n')[1]!.split('\n');
  for (const line of table) assert.ok(line.length <= 40, `"${line}"`);
  assert.match(table[0]!, /endpoint/);
});
