/** The report of a resumed backfill: runs merged one after the other, earlier runs' settled records counted. */
import { attempt, judge } from './helpers/stats.js';
import { DELIVERED, UNSENT } from '../src/replay/delivery/attempt.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeReports } from '../src/report/merge.js';
import { buildReport, reportJson, type Report } from '../src/report/report.js';
import { backfillReport } from '../src/report/resumed.js';
import { RunStats } from '../src/report/stats.js';

interface Plan {
  readonly read: number;
  readonly invalid: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly firstSend: number;
  readonly seconds: number;
  readonly interrupted: boolean;
  readonly note: string;
  readonly startedAt: string;
}

/** One run's report as its replay wrote it (through JSON): `read − invalid − succeeded − failed` records left unsent. */
function runReport(plan: Plan): Report {
  const stats = new RunStats('replay', 5);
  const id = 'sud.report_game_info';
  judge(stats, id, plan.read - plan.invalid, true);
  judge(stats, id, plan.invalid, false);
  stats.addSettlement(id, plan.succeeded, DELIVERED);
  if (plan.failed > 0) stats.addSettlement(id, plan.failed, { kind: 'failed', cause: 'http 503', excerpt: undefined, uncertain: false });
  stats.addSettlement(id, plan.read - plan.invalid - plan.succeeded - plan.failed, UNSENT);
  const sent = plan.succeeded + plan.failed;
  for (let i = 0; i < sent; i++) stats.addAttempt(attempt(id, plan.firstSend + (plan.seconds * 1000 * i) / (sent - 1), 10 + (i % 7), { seq: i }));
  stats.addNote(plan.note);
  if (plan.interrupted) stats.markInterrupted();
  stats.finish();
  const report = JSON.parse(reportJson(buildReport(stats, { exitCode: plan.interrupted ? 130 : 1 }))) as Report;
  report.durationMs = plan.seconds * 1000 + 100;
  report.startedAt = plan.startedAt;
  return report;
}

const FIRST: Plan = { read: 1200, invalid: 10, succeeded: 950, failed: 40, firstSend: 1_000_000, seconds: 4, interrupted: true, note: '200 records were not sent before the run stopped', startedAt: '2026-03-01T10:00:00.000Z' };
const SECOND: Plan = { read: 800, invalid: 2, succeeded: 790, failed: 8, firstSend: 2_000_000, seconds: 2, interrupted: false, note: 'a note of the last run', startedAt: '2026-03-01T11:00:00.000Z' };

test('sequential merge: durations add, the rate is all requests over all sending time, the last run says how it ended', () => {
  const runs = [runReport(FIRST), runReport(SECOND)];
  const merged = mergeReports(runs, { mode: 'sequential' });
  assert.equal(merged.durationMs, 4100 + 2100);
  assert.equal(merged.startedAt, FIRST.startedAt);
  assert.equal(merged.interrupted, false);
  assert.equal(merged.exitCode, 1);
  assert.deepEqual(merged.notes, ['a note of the last run'], "an earlier run's notes no longer hold");
  const e = merged.byEndpoint['sud.report_game_info']!;
  const [a, b] = runs.map((r) => r.byEndpoint['sud.report_game_info']!);
  const expected = Math.round(((a!.requests + b!.requests) / (a!.requests / a!.rate.achieved + b!.requests / b!.rate.achieved)) * 100) / 100;
  assert.equal(e.rate.achieved, expected);
  assert.ok(e.rate.achieved > b!.rate.achieved * 0.5 && e.rate.achieved < b!.rate.achieved, 'between the two runs, not their sum');
  assert.equal(e.requests, 990 + 798);
  // Shards (the default) run side by side: the longest duration, rates summed.
  const parallel = mergeReports(runs);
  assert.equal(parallel.durationMs, 4100);
  assert.equal(parallel.byEndpoint['sud.report_game_info']!.rate.achieved, Math.round((a!.rate.achieved + b!.rate.achieved) * 100) / 100);
});

test('a resumed run counts what earlier runs settled (not what they read and left unsent), and records settled after their last saved report', () => {
  const earlier = runReport(FIRST);
  const current = runReport(SECOND);
  const report = backfillReport({ report: earlier, unaccounted: 5 }, current);
  const settledEarlier = FIRST.invalid + FIRST.succeeded + FIRST.failed;
  assert.deepEqual(report.resumed, { settledEarlier: settledEarlier + 5, outcomeUnknown: 5 });
  assert.equal(report.totals.records, settledEarlier + 5 + SECOND.read);
  assert.equal(report.totals.succeeded, FIRST.succeeded + SECOND.succeeded);
  assert.equal(report.totals.failed, FIRST.failed + SECOND.failed);
  assert.equal(report.totals.invalid, FIRST.invalid + SECOND.invalid);
  assert.equal(report.byEndpoint['sud.report_game_info']!.records, settledEarlier + SECOND.read);
  assert.deepEqual(report.failures, [{ cause: 'http 503', count: 48 }]);
  assert.match(report.notes[0]!, /^resumed: 1005 records had been settled by earlier runs \(5 of them after the last saved report/);

  // Resumed again: the saved report of the second run already covers the first.
  const third = runReport({ ...SECOND, read: 10, invalid: 0, succeeded: 10, failed: 0 });
  const again = backfillReport({ report: JSON.parse(reportJson(report)) as Report, unaccounted: 0 }, third);
  assert.equal(again.totals.records, report.totals.records + 10);
  assert.deepEqual(again.resumed, { settledEarlier: report.totals.records, outcomeUnknown: 5 });

  assert.equal(backfillReport(undefined, current), current, 'a run that did not resume reports itself');
});

test('merging resumed shards adds what their earlier runs settled', () => {
  const a = backfillReport({ report: runReport(FIRST), unaccounted: 3 }, runReport(SECOND));
  const b = backfillReport({ report: runReport(FIRST), unaccounted: 0 }, runReport(SECOND));
  const merged = mergeReports([a, b]);
  assert.deepEqual(merged.resumed, { settledEarlier: a.resumed!.settledEarlier + b.resumed!.settledEarlier, outcomeUnknown: 3 });
  assert.equal(merged.totals.records, a.totals.records + b.totals.records);
});
