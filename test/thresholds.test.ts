import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { buildReport, type Report } from '../src/report/report.js';
import { RunStats } from '../src/report/stats.js';
import { evaluateThresholds, type Threshold } from '../src/report/thresholds.js';
import { parseThreshold } from '../src/commands/options/values.js';
import { DELIVERED } from '../src/replay/delivery/attempt.js';
import { attempt } from './helpers/stats.js';

describe('parseThreshold', () => {
  const good: [string, Omit<Threshold, 'expression'>][] = [
    ['p99<200', { metric: 'p99', op: '<', value: 200, percent: false }],
    ['p95 <= 150ms', { metric: 'p95', op: '<=', value: 150, percent: false }],
    ['max<1000', { metric: 'max', op: '<', value: 1000, percent: false }],
    ['p50<2.5', { metric: 'p50', op: '<', value: 2.5, percent: false }],
    ['failed<1%', { metric: 'failed', op: '<', value: 1, percent: true }],
    ['failed<=10', { metric: 'failed', op: '<=', value: 10, percent: false }],
    ['rate>=190', { metric: 'rate', op: '>=', value: 190, percent: false }],
    ['late<5%', { metric: 'late', op: '<', value: 5, percent: true }],
    ['late>0', { metric: 'late', op: '>', value: 0, percent: false }],
    ['P90<300', { metric: 'p90', op: '<', value: 300, percent: false }],
    ['p99_due<500', { metric: 'p99_due', op: '<', value: 500, percent: false }],
    ['max_due <= 900ms', { metric: 'max_due', op: '<=', value: 900, percent: false }],
  ];
  for (const [text, expected] of good) {
    it(`reads "${text}"`, () => assert.deepEqual(parseThreshold(text), { expression: text.trim(), ...expected }));
  }

  const bad: [string, RegExp][] = [
    ['p99', /is not METRIC OP VALUE \(for example p99<200/],
    ['', /is not METRIC OP VALUE/],
    ['p99=200', /is not METRIC OP VALUE/],
    ['p98<200', /unknown metric "p98" \(use p50, p90, p95, p99, max, their _due forms such as p99_due, failed, rate or late\)/],
    ['late_due<5', /unknown metric "late_due"/],
    ['p99_due<5%', /only failed and late can be a percentage/],
    ['errors<1%', /unknown metric "errors"/],
    ['p99<fast', /"fast" is not a number/],
    ['p99<-5', /"-5" is not a number/],
    ['p99<', /"" is not a number/],
    ['p99<5%', /only failed and late can be a percentage/],
    ['rate>=50%', /only failed and late can be a percentage/],
    ['failed<10ms', /only latency metrics/],
    ['failed<150%', /cannot be more than 100/],
  ];
  for (const [text, message] of bad) {
    it(`rejects "${text}" with a sentence saying why`, () => {
      assert.throws(() => parseThreshold(text), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(`--threshold "${text}"`), err.message);
        return true;
      });
    });
  }
});

/**
 * Two endpoints with known numbers. stat: latencies 1..100 ms, 100 sends 10 ms apart, 5
 * late, each due 1000 ms before it went (a held-back schedule). sud: latencies 101..200 ms,
 * 100 sends 20 ms apart, 15 late, on time. The run: 200 requests from 1,000,000 to 1,001,980
 * (199 intervals: 100.51 req/s). Records: 190 succeeded, 10 failed.
 */
function knownReport(): Report {
  const stats = new RunStats('replay', 3);
  for (let i = 0; i < 100; i++) {
    const statAt = 1_000_000 + i * 10;
    stats.addAttempt(attempt('stat.push_data', statAt, i + 1, { late: i < 5, dueMs: statAt - 1000 }));
    stats.addAttempt(attempt('sud.report_game_info', 1_000_000 + i * 20, i + 101, { late: i < 15 }));
  }
  stats.addSettlement('stat.push_data', 98, DELIVERED);
  stats.addSettlement('stat.push_data', 2, { kind: 'failed', cause: 'http 503', excerpt: undefined, uncertain: false });
  stats.addSettlement('sud.report_game_info', 92, DELIVERED);
  stats.addSettlement('sud.report_game_info', 8, { kind: 'failed', cause: 'http 503', excerpt: undefined, uncertain: false });
  return buildReport(stats);
}

function evaluate(expressions: string[], report = knownReport()) {
  return evaluateThresholds(expressions.map(parseThreshold), report);
}

const near = (actual: number, expected: number, tolerance: number) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('evaluateThresholds', () => {
  it('measures latency over every endpoint together, not per endpoint', () => {
    const [p50, p99, max] = evaluate(['p50<200', 'p99<200', 'max<=200']);
    near(p50!.actual, 100, 0.2); // per endpoint it would be 50 or 150
    near(p99!.actual, 198, 0.3); // per endpoint 99 or 199
    near(max!.actual, 200, 0.2);
    assert.deepEqual([p50!.ok, p99!.ok], [true, true]);
  });

  it('fails a latency threshold the run breached', () => {
    const [p99, p90] = evaluate(['p99<150', 'p90<=181']); // HDR keeps 3 significant digits: 180 ms reads as up to 180.1
    assert.equal(p99!.ok, false);
    near(p90!.actual, 180, 0.2);
    assert.equal(p90!.ok, true);
  });

  it('computes failed as a share of records attempted for delivery, or as a count', () => {
    const results = evaluate(['failed<1%', 'failed<=5%', 'failed<=10', 'failed<10']);
    assert.deepEqual(
      results.map((r) => [r.expression, r.ok, r.actual]),
      [
        ['failed<1%', false, 5],
        ['failed<=5%', true, 5],
        ['failed<=10', true, 10],
        ['failed<10', false, 10],
      ],
    );
  });

  it('reads the run\'s rate: its requests over its sending span, not a sum of per-endpoint rates', () => {
    const [rate, tooHigh] = evaluate(['rate>=100', 'rate>101']);
    // Per endpoint, over their own spans, it would read 100 + 50.5.
    assert.equal(rate!.actual, 100.51);
    assert.deepEqual([rate!.ok, tooHigh!.ok], [true, false]);
  });

  it('names latency from the due time with _due: the wait behind the schedule included', () => {
    const [p99, p99Due, maxDue, p50Due] = evaluate(['p99<500', 'p99_due<500', 'max_due<=1100', 'p50_due<1000']);
    near(p99!.actual, 198, 0.3);
    assert.equal(p99!.ok, true);
    // stat's 100 requests waited 1000 ms each: from the due time they took 1001..1100 ms.
    near(p99Due!.actual, 1099, 1.2);
    assert.equal(p99Due!.ok, false);
    near(maxDue!.actual, 1100, 0.01);
    assert.equal(maxDue!.ok, true);
    near(p50Due!.actual, 200, 0.3);
  });

  it('never reads a percentile above the max (nor the max off the table\'s)', () => {
    const stats = new RunStats('replay', 3);
    // 114.77 ms sits in a histogram bucket whose top is 114.82 ms.
    for (const ms of [30.3, 30.35, 114.77]) stats.addAttempt(attempt('stat.push_data', 1_000_000, ms));
    const report = buildReport(stats);
    const [p99, max] = evaluate(['p99<1000', 'max<1000'], report);
    assert.equal(max!.actual, 114.77);
    assert.equal(max!.actual, report.byEndpoint['stat.push_data']!.latencyMs.max);
    assert.ok(p99!.actual <= max!.actual, `p99 ${p99!.actual} > max ${max!.actual}`);
  });

  it('computes late as a count or as a share of requests', () => {
    const [count, share, strict] = evaluate(['late<=20', 'late<10%', 'late<=10%']);
    assert.deepEqual([count!.actual, count!.ok], [20, true]);
    assert.deepEqual([share!.actual, share!.ok], [10, false]);
    assert.equal(strict!.ok, true);
  });

  it('reads an empty run as zeros instead of dividing by zero', () => {
    const empty = buildReport(new RunStats('replay', 3));
    const results = evaluate(['p99<200', 'failed<1%', 'late<5%', 'rate>=1'], empty);
    assert.deepEqual(
      results.map((r) => [r.ok, r.actual]),
      [
        [true, 0],
        [true, 0],
        [true, 0],
        [false, 0],
      ],
    );
  });

  it('judges a report read back from JSON (as merge produces) the same way', () => {
    const report = knownReport();
    const reread = JSON.parse(JSON.stringify(report)) as Report;
    const all = ['p99<200', 'p99_due<200', 'max<200', 'failed<1%', 'rate>=150', 'late<5%'];
    assert.deepEqual(evaluate(all, reread), evaluate(all, report));
  });
});
