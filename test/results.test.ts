/**
 * `replay --results` and `report` (README "Results"): a real run against the receiver with
 * faults, its results file read back — by hand here, and by `report` — gives the run's own
 * report: line count, counts, failures by cause and latency percentiles, exactly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import type { ResultLine } from '../src/results/line.js';
import { runCli, type CliResult } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp.js';
import { downloadRecord, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, writeNdjson } from './helpers/replay.js';

const lines = (text: string): ResultLine[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ResultLine);

describe('replay --results', () => {
  let receiver: Receiver;
  let dir: string;
  let remove: () => Promise<void>;
  let input: string;
  let run: CliResult;
  let report: Report;
  let results: ResultLine[];

  before(async () => {
    ({ dir, remove } = await makeTempDir('results'));
    const records = [];
    for (let i = 0; i < 40; i++) records.push(sudRecord(i), statRecord(i), statRecord(i + 1000), downloadRecord(i));
    input = await writeNdjson(path.join(dir, 'mixed.ndjson'), records);
    // Enough 503s that some requests need a retry and some fail for good (one retry only).
    receiver = await startReceiver({ port: 0, failRate: 0.3, seed: 11, credentials: { statSecret: STAT_SECRET } });
    run = await runCli([
      'replay', input, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY,
      '--rate', '400', '--retries', '1', '--retry-delay', '5ms', '--concurrency', '8',
      '--results', path.join(dir, 'r.ndjson.gz'), '--report', path.join(dir, 'run.json'), '-q',
    ]);
    report = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as Report;
    results = lines(gunzipSync(readFileSync(path.join(dir, 'r.ndjson.gz'))).toString('utf8'));
  });
  after(async () => {
    await receiver?.close();
    await remove?.();
  });

  test('the run retried and failed some requests (the test needs both)', () => {
    assert.equal(run.code, 1, run.stderr);
    assert.ok(report.totals.retries > 0 && report.totals.failed > 0, JSON.stringify(report.totals));
  });

  test('one line per attempt: requests + retries', () => {
    assert.equal(results.length, report.totals.requests + report.totals.retries);
    const firsts = results.filter((l) => l.attempt === 0);
    assert.equal(firsts.length, report.totals.requests);
    assert.equal(new Set(firsts.map((l) => l.seq)).size, firsts.length, 'each request has one first attempt');
  });

  test('summing the lines by hand gives the report totals, per endpoint and by cause', () => {
    const by = new Map<string, { requests: number; retries: number; succeeded: number; failed: number; late: number }>();
    const causes = new Map<string, number>();
    for (const l of results) {
      let e = by.get(l.endpoint);
      if (!e) by.set(l.endpoint, (e = { requests: 0, retries: 0, succeeded: 0, failed: 0, late: 0 }));
      if (l.attempt === 0) e.requests++;
      else e.retries++;
      if (l.late) e.late++;
      if (l.settled === 'delivered') e.succeeded += l.records;
      if (l.settled === 'failed') {
        e.failed += l.records;
        causes.set(l.failedAs!, (causes.get(l.failedAs!) ?? 0) + l.records);
      }
    }
    for (const [endpoint, counts] of Object.entries(report.byEndpoint)) {
      const e = by.get(endpoint)!;
      assert.deepEqual(e, { requests: counts.requests, retries: counts.retries, succeeded: counts.succeeded, failed: counts.failed, late: counts.late }, endpoint);
    }
    assert.deepEqual(Object.fromEntries(causes), Object.fromEntries(report.failures.map((f) => [f.cause, f.count])));
  });

  test('every line names its records by file:line, and every input line is named once per request', () => {
    const named = new Set<number>();
    for (const l of results.filter((r) => r.attempt === 0)) {
      for (const key of l.keys) {
        const m = /^(.*):(\d+)(?:-(\d+))?$/.exec(key);
        assert.ok(m, key);
        assert.equal(m[1], input);
        for (let n = Number(m[2]); n <= Number(m[3] ?? m[2]); n++) named.add(n);
      }
    }
    // Every record was sent (none invalid, none a duplicate): lines 1–160.
    assert.equal(named.size, 160);
  });

  test('`report` computes the same table from the results: counts, rates and latency percentiles exactly', async () => {
    const r = await runCli(['report', path.join(dir, 'r.ndjson.gz'), '--json']);
    assert.equal(r.code, 1, r.stderr);
    const again = JSON.parse(r.stdout) as Report;
    for (const key of ['requests', 'retries', 'succeeded', 'failed', 'possiblyDuplicated'] as const) assert.equal(again.totals[key], report.totals[key], key);
    assert.deepEqual(again.failures, report.failures);
    assert.deepEqual(again.rate, report.rate);
    for (const [endpoint, e] of Object.entries(report.byEndpoint)) {
      const a = again.byEndpoint[endpoint]!;
      assert.deepEqual(a.latencyMs, e.latencyMs, endpoint);
      assert.deepEqual(a.latencyFromDueMs, e.latencyFromDueMs, endpoint);
      assert.deepEqual(a.rate, e.rate, endpoint);
      assert.equal(a.late, e.late, endpoint);
      assert.deepEqual(a.sendWindow, e.sendWindow, endpoint);
    }
  });

  test('two results files (shards) add up; the table shows their sum', async () => {
    const plain = path.join(dir, 'plain.ndjson');
    writeFileSync(plain, gunzipSync(readFileSync(path.join(dir, 'r.ndjson.gz'))));
    const r = await runCli(['report', path.join(dir, 'r.ndjson.gz'), plain, '--json']);
    const twice = JSON.parse(r.stdout) as Report;
    assert.equal(twice.totals.requests, 2 * report.totals.requests);
    assert.equal(twice.totals.retries, 2 * report.totals.retries);
    assert.equal(twice.totals.failed, 2 * report.totals.failed);
  });

  test('secrets never appear in the results', () => {
    const text = gunzipSync(readFileSync(path.join(dir, 'r.ndjson.gz'))).toString('utf8');
    assert.ok(!text.includes(STAT_SECRET) && !text.includes(SESSION_KEY));
  });

  test('--results - writes the lines to stdout and the table to stderr', async () => {
    const r = await runCli(['replay', input, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--retries', '0', '--results', '-']);
    const out = lines(r.stdout);
    assert.ok(out.length >= 40, `${out.length} lines`);
    assert.match(r.stderr, /endpoint\s+records/);
    assert.ok(!r.stdout.includes(SESSION_KEY));
  });

  test('--results - with --json is a usage error naming both', async () => {
    const r = await runCli(['replay', input, '--target', receiver.url, '--results', '-', '--json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--results - and --json both write to stdout/);
  });

  test('a file that is not results nor a report is one line naming it, exit 2', async () => {
    const r = await runCli(['report', input]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^report-replay: .*mixed\.ndjson/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('replay --results on --resume', () => {
  test('appends the resumed run\'s lines after the earlier run\'s, a torn last line cut off; a .gz file is refused', async (t) => {
    const { dir, remove } = await makeTempDir('results-resume');
    t.after(remove);
    const receiver = await startReceiver({ port: 0, seed: 1, credentials: { statSecret: STAT_SECRET } });
    t.after(() => receiver.close());
    const records = [];
    for (let i = 0; i < 30; i++) records.push(sudRecord(i));
    const input = await writeNdjson(path.join(dir, 'sud.ndjson'), records);
    const results = path.join(dir, 'r.ndjson');
    const base = ['replay', input, '--target', receiver.url, '--checkpoint', path.join(dir, 'run.ckpt'), '--results', results, '-q'];
    // The schedule ends after a second at 10 a second: the rest is left for the resume.
    const first = await runCli([...base, '--rate', '10', '--duration', '1s']);
    assert.equal(first.code, 0, first.stderr);
    const firstLines = lines(readFileSync(results, 'utf8')).length;
    assert.ok(firstLines < 30, `${firstLines} lines: the first run was meant to stop early`);
    appendFileSync(results, '{"endpoint":"sud.report_game_info","seq":');
    const second = await runCli([...base.slice(0, -1), '--resume']); // not quiet: the summary's notes
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout + second.stderr, /r\.ndjson ended in a torn line \(\d+ bytes\)/);
    const all = lines(readFileSync(results, 'utf8'));
    assert.equal(all.length, 30, 'one line per request of both runs, each whole');
    assert.equal(receiver.stats().totals.requests, 30);
    writeFileSync(path.join(dir, 'r.ndjson.gz'), gzipSync(readFileSync(results)));
    const refused = await runCli([...base.slice(0, -3), '--results', path.join(dir, 'r.ndjson.gz'), '-q', '--resume']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^report-replay: .*r\.ndjson\.gz.*cannot be appended to/);
    assert.equal(refused.stderr.trim().split('\n').length <= 2, true, refused.stderr);
  });
});
