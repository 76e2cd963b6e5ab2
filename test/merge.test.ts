import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { readReportFile } from '../src/commands/merge.js';
import { newHistogram, recordMs, summarize } from '../src/report/histogram.js';
import { checkReport, mergeReports } from '../src/report/merge.js';
import { buildReport, reportJson, type Report } from '../src/report/report.js';
import { RunStats } from '../src/report/stats.js';
import { ROOT, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';
import { DELIVERED } from '../src/replay/delivery/attempt.js';
import { attempt, judge } from './helpers/stats.js';
import { Prng } from '../src/prng.js';


/** A deterministic spread of latencies (ms): `n` values, most near `base`, a tail up to `tail`. */
function latencies(n: number, base: number, tail: number, salt: number): number[] {
  const out: number[] = [];
  const prng = new Prng(salt);
  for (let i = 0; i < n; i++) {
    const r = prng.next();
    out.push(r < 0.95 ? base * (0.5 + r) : base + (tail - base) * ((r - 0.95) / 0.05));
  }
  return out;
}

interface ShardPlan {
  readonly latencies: number[];
  readonly invalid: number;
  readonly failures: [string, number][];
  readonly findings: { line: number; rule: string }[];
  readonly rate: number;
  readonly firstSend: number;
  readonly lastSend: number;
  readonly durationMs: number;
  readonly startedAt: string;
  readonly interrupted?: boolean;
}

/** A shard's report, as its replay would have written it (through JSON, as `merge` reads it). */
function shardReport(plan: ShardPlan): Report {
  const stats = new RunStats('replay', 2);
  stats.setPaced(true);
  const origin = (line: number) => ({ file: 'in.ndjson', line, input: 0 });
  stats.addJudged({ origin: origin(1), endpoint: 'stat.push_data', records: plan.latencies.length, valid: true, findings: [] });
  stats.addJudged({ origin: origin(1), endpoint: 'stat.push_data', records: plan.invalid, valid: false, findings: [] });
  // The invalid lines' findings (lines already counted above).
  for (const f of plan.findings) {
    stats.addJudged({ origin: origin(f.line), endpoint: 'stat.push_data', records: 0, valid: false, findings: [{ rule: f.rule, severity: 'error', path: 'aid', message: `bad at ${f.line}` }] });
  }
  const n = plan.latencies.length;
  for (let i = 0; i < n; i++) {
    const sentMs = plan.firstSend + ((plan.lastSend - plan.firstSend) * i) / (n - 1);
    // Due 1 ms before each send, on a schedule of plan.rate per second.
    stats.addAttempt(attempt('stat.push_data', sentMs, plan.latencies[i]!, { seq: i, dueMs: sentMs - 1 }));
  }
  const failed = plan.failures.reduce((sum, [, count]) => sum + count, 0);
  stats.addSettlement('stat.push_data', n - failed, DELIVERED);
  for (const [cause, count] of plan.failures) stats.addSettlement('stat.push_data', count, { kind: 'failed', cause, excerpt: undefined, uncertain: false });
  if (plan.interrupted) stats.markInterrupted();
  const report = JSON.parse(reportJson(buildReport(stats, { exitCode: plan.invalid > 0 || failed > 0 ? 1 : 0 }))) as Report;
  report.startedAt = plan.startedAt;
  report.durationMs = plan.durationMs;
  return report;
}

const PLANS: ShardPlan[] = [
  {
    latencies: latencies(4000, 20, 400, 1),
    invalid: 2,
    failures: [['http 503', 5]],
    findings: [{ line: 30, rule: 'stat.unknown_aid' }, { line: 90, rule: 'stat.unknown_aid' }],
    rate: 500,
    firstSend: 1_000_000,
    lastSend: 1_007_998,
    durationMs: 8100,
    startedAt: '2026-03-01T10:00:01.000Z',
  },
  {
    latencies: latencies(3000, 80, 2000, 2),
    invalid: 1,
    failures: [['http 503', 2], ['network ECONNRESET', 7]],
    findings: [{ line: 10, rule: 'stat.unknown_aid' }, { line: 50, rule: 'stat.unknown_aid' }, { line: 60, rule: 'stat.unknown_aid' }, { line: 70, rule: 'stat.missing_uid' }],
    rate: 500,
    firstSend: 1_000_010,
    lastSend: 1_006_008,
    durationMs: 9400,
    startedAt: '2026-03-01T10:00:00.500Z',
  },
  {
    latencies: latencies(500, 5, 30, 3),
    invalid: 0,
    failures: [],
    findings: [],
    rate: 250,
    firstSend: 999_990,
    lastSend: 1_001_986,
    durationMs: 2500,
    startedAt: '2026-03-01T10:00:02.000Z',
    interrupted: true,
  },
];

/** The p-th percentile of raw values, as HDR defines it: the smallest value with p% at or below it. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

test('merged counts are the sums of the shards: totals, endpoint rows, failures by cause, findings by rule', () => {
  const shards = PLANS.map(shardReport);
  const merged = mergeReports(shards);
  for (const field of ['records', 'valid', 'invalid', 'requests', 'succeeded', 'failed', 'retries'] as const) {
    const sum = shards.reduce((s, r) => s + r.totals[field], 0);
    assert.equal(merged.totals[field], sum, `totals.${field}`);
    assert.equal(merged.byEndpoint['stat.push_data']![field], sum, `byEndpoint.${field}`);
  }
  assert.equal(merged.totals.records, 7503);
  assert.deepEqual(merged.failures, [
    { cause: 'http 503', count: 7 },
    { cause: 'network ECONNRESET', count: 7 },
  ]);
  const unknownAid = merged.findings.find((f) => f.rule === 'stat.unknown_aid')!;
  assert.equal(unknownAid.count, 5);
  // Shard 1 found 3 and kept 2 examples: its --max-examples was 2, so the merged run keeps the first 2 by line.
  assert.deepEqual(unknownAid.examples.map((e) => e.line), [10, 30]);
  assert.deepEqual(merged.findings.map((f) => f.rule), ['stat.unknown_aid', 'stat.missing_uid'], 'by count, as one run orders them');
  const wider = mergeReports(shards, { maxExamples: 10 }).findings[0]!;
  assert.deepEqual(wider.examples.map((e) => e.line), [10, 30, 50, 90], 'every example the shards kept, in line order, when asked for more');
  assert.equal(merged.totals.records, merged.totals.valid + merged.totals.invalid);
});

test('merged percentiles come from the merged histograms: p99 equals the p99 over all latencies within 0.1%', () => {
  const merged = mergeReports(PLANS.map(shardReport));
  const all = PLANS.flatMap((p) => p.latencies);
  const latency = merged.byEndpoint['stat.push_data']!.latencyMs;
  for (const p of [50, 90, 95, 99] as const) {
    const exact = exactPercentile(all, p);
    const got = latency[`p${p}`];
    // 3 significant digits (±0.1%), then rounded to 0.01 ms in the report.
    assert.ok(Math.abs(got - exact) <= exact * 0.001 + 0.01, `p${p}: merged ${got}, exact ${exact}`);
  }
  const shardP99s = PLANS.map(shardReport).map((r) => r.byEndpoint['stat.push_data']!.latencyMs.p99);
  const averaged = shardP99s.reduce((a, b) => a + b, 0) / shardP99s.length;
  assert.ok(Math.abs(latency.p99 - averaged) > 100, 'not the average of the shards’ p99s');
  assert.ok(Math.abs(latency.max - Math.max(...all)) <= Math.max(...all) * 0.001 + 0.01, 'max');
});

test('merging is exact: the merged histogram is the one a single run over every latency would have recorded', () => {
  const merged = mergeReports(PLANS.map(shardReport));
  const single = newHistogram();
  for (const ms of PLANS.flatMap((p) => p.latencies)) recordMs(single, ms);
  assert.deepEqual(merged.byEndpoint['stat.push_data']!.latencyMs, summarize(single), 'p50, p90, p95, p99 and the exact max');
  const again = mergeReports([merged]);
  assert.deepEqual(again.byEndpoint['stat.push_data']!.latencyMs, merged.byEndpoint['stat.push_data']!.latencyMs, 'a merged report merges again');
});

test('shards run at once: rates and targets add, duration is the longest, start the earliest, interrupted if any was', () => {
  const shards = PLANS.map(shardReport);
  const merged = mergeReports(shards);
  const row = merged.byEndpoint['stat.push_data']!;
  assert.equal(row.rate.target, 1250);
  const achievedSum = shards.reduce((s, r) => s + r.byEndpoint['stat.push_data']!.rate.achieved, 0);
  assert.ok(Math.abs(row.rate.achieved - achievedSum) < 0.02, `achieved ${row.rate.achieved} vs ${achievedSum}`);
  assert.ok(row.rate.achieved > 1200, 'about 500 + 500 + 250 per second');
  assert.equal(merged.durationMs, 9400);
  assert.equal(merged.startedAt, '2026-03-01T10:00:00.500Z');
  assert.equal(merged.interrupted, true);
  assert.deepEqual(row.sendWindow, { first: 999_990, last: 1_007_998 });
  assert.equal(merged.exitCode, 1, 'a shard that failed fails the job');
  assert.ok(merged.notes.some((n) => n.includes('merged from 3 reports')));
});

test('endpoints present in only some shards are kept as they are', () => {
  const stats = new RunStats('replay', 5);
  judge(stats, 'sud.report_game_info', 3, true);
  stats.addSettlement('sud.report_game_info', 3, DELIVERED);
  const sudOnly = JSON.parse(reportJson(buildReport(stats))) as Report;
  const merged = mergeReports([shardReport(PLANS[2]!), sudOnly]);
  assert.deepEqual(Object.keys(merged.byEndpoint).sort(), ['stat.push_data', 'sud.report_game_info']);
  assert.equal(merged.byEndpoint['sud.report_game_info']!.records, 3);
  assert.equal(merged.totals.records, 503);
});

test('what is not a report is refused with the reason: wrong shape, a missing histogram, a corrupt histogram', () => {
  const good = shardReport(PLANS[0]!);
  assert.ok('report' in checkReport(good));
  const noTotals = checkReport({ ...good, totals: undefined });
  assert.ok('problem' in noTotals && /not a report-replay JSON report \(totals/.test(noTotals.problem), JSON.stringify(noTotals));
  const endpoint = good.byEndpoint['stat.push_data']!;
  const noHistograms = checkReport({ ...good, byEndpoint: { 'stat.push_data': { ...endpoint, histograms: undefined } } });
  assert.ok('problem' in noHistograms && noHistograms.problem.includes('byEndpoint.stat.push_data.histograms'), JSON.stringify(noHistograms));
  const corrupt = checkReport({ ...good, byEndpoint: { 'stat.push_data': { ...endpoint, histograms: { ...endpoint.histograms, latency: 'bm90IGEgaGlzdG9ncmFt' } } } });
  assert.ok('problem' in corrupt && /histograms.latency is not an encoded histogram/.test(corrupt.problem), JSON.stringify(corrupt));
  assert.ok('problem' in checkReport([1, 2]));
});

test('readReportFile names the file for a missing file, text that is not JSON, and JSON that is not a report', async (t) => {
  const dir = tempDir(t, 'merge');
  const notJson = path.join(dir, 'notes.json');
  await writeFile(notJson, 'hello');
  const notReport = path.join(dir, 'other.json');
  await writeFile(notReport, '{"name":"package"}');
  const cases: [string, RegExp][] = [
    [path.join(dir, 'missing.json'), /missing\.json: no such file/],
    [notJson, /notes\.json: not JSON/],
    [notReport, /other\.json: not a report-replay JSON report/],
  ];
  for (const [file, message] of cases) {
    await assert.rejects(readReportFile(file), (err: unknown) => err instanceof InputError && err.exitCode === 2 && message.test(err.message) && !err.message.includes('\n'));
  }
});

test('the built CLI merges report files: table on stdout, merged report written, exit 1 when a shard failed; exit 2 naming a bad file', async (t) => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli.js'))) return t.skip('the CLI is not built');
  const dir = tempDir(t, 'merge');
  const files = await Promise.all(
    PLANS.map(async (plan, i) => {
      const file = path.join(dir, `shard-${i}.json`);
      await writeFile(file, reportJson(shardReport(plan)));
      return file;
    }),
  );
  const out = path.join(dir, 'merged.json');
  const result = await runCli(['merge', ...files, '--report', out]);
  assert.equal(result.code, 1, `exit code (stderr: ${result.stderr})`);
  assert.match(result.stdout, /stat\.push_data/);
  assert.match(result.stdout, /7,503/);
  const written = JSON.parse(await readFile(out, 'utf8')) as Report;
  assert.equal(written.totals.records, 7503);
  assert.deepEqual(written.byEndpoint['stat.push_data']!.latencyMs, mergeReports(PLANS.map(shardReport)).byEndpoint['stat.push_data']!.latencyMs);

  const json = await runCli(['merge', files[2]!, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.equal((JSON.parse(json.stdout) as Report).totals.records, 500, '--json prints the merged report; one clean shard exits 0');

  const bad = path.join(dir, 'bad.json');
  await writeFile(bad, '{"hello": 1}');
  const failure = await runCli(['merge', files[0]!, bad]);
  assert.equal(failure.code, 2, 'a bad report fails the merge');
  assert.match(failure.stderr, /^report-replay: .*bad\.json: not a report-replay JSON report/);
  assert.equal(failure.stderr.trim().split('\n').filter((l) => !l.trim().startsWith('hint:')).length, 1, 'one line');
});

test('a merged report never reads a percentile above its max, and counts unsent and possibly duplicated records', () => {
  const shard = (ms: number, unsent: number) => {
    const stats = new RunStats('replay', 1);
    stats.addAttempt(attempt('stat.push_data', 1_000_000, ms));
    stats.addSettlement('stat.push_data', 1, { kind: 'delivered', possiblyDuplicated: true });
    stats.addSettlement('stat.push_data', unsent, { kind: 'unsent' });
    return JSON.parse(reportJson(buildReport(stats))) as Report;
  };
  // 114.77 ms sits in a histogram bucket whose top is 114.82 ms.
  const merged = mergeReports([shard(114.77, 2), shard(30.3, 3)]);
  const latency = merged.byEndpoint['stat.push_data']!.latencyMs;
  assert.equal(latency.max, 114.77);
  for (const p of ['p50', 'p90', 'p95', 'p99'] as const) assert.ok(latency[p] <= latency.max, `${p} ${latency[p]}`);
  assert.equal(merged.totals.unsent, 5);
  assert.equal(merged.totals.possiblyDuplicated, 2);
  assert.equal(merged.byEndpoint['stat.push_data']!.unsent, 5);
  // A report written before these counts merges as zeros.
  const old = shard(10, 1);
  delete (old.totals as Partial<typeof old.totals>).unsent;
  delete (old.byEndpoint['stat.push_data']! as Partial<(typeof old.byEndpoint)[string]>).unsent;
  assert.equal(mergeReports([old, shard(10, 1)]).totals.unsent, 1);
});
