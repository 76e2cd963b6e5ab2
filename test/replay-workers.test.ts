/**
 * `replay --workers` gives what `--workers 0` gives (README "replay"): the same requests byte
 * for byte (dry-run print, SOURCE_DATE_EPOCH fixed), the same findings in the same order, the
 * same --failed file and the same report counts — on the samples and on a mixed input cut into
 * hundreds of units; and delivered for real, the receiver holds the same records once each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startReceiver } from '../src/serve/receiver.js';
import { runCli, ROOT } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';
import { SESSION_KEY, STAT_SECRET } from './helpers/replay.js';
import { SMALL_RANGES, writeMixed } from './helpers/workers-input.js';

const COUNTS = ['records', 'valid', 'invalid', 'warnings', 'duplicates', 'requests', 'succeeded', 'failed', 'retries', 'unsent', 'possiblyDuplicated'] as const;

interface ReportJson {
  totals: Record<string, number>;
  byEndpoint: Record<string, Record<string, number>>;
  findings: unknown[];
  notes: string[];
}

/** What must be the same whatever the threads: counts, findings (order included), notes. */
function comparable(json: string): unknown {
  const report = JSON.parse(json) as ReportJson;
  const counts = (c: Record<string, number>) => Object.fromEntries(COUNTS.map((k) => [k, c[k]]));
  return {
    totals: counts(report.totals),
    byEndpoint: Object.fromEntries(Object.entries(report.byEndpoint).map(([id, c]) => [id, counts(c)])),
    findings: report.findings,
    notes: report.notes,
  };
}

const AUTH = ['--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY];

/** A dry run's printed requests and its report, and the --failed file, with `workers` threads. */
async function dryRun(dir: string, inputs: readonly string[], workers: number, env: NodeJS.ProcessEnv) {
  const failed = join(dir, `failed-${workers}.ndjson`);
  const report = join(dir, `report-${workers}.json`);
  const target = ['--target', 'http://127.0.0.1:9', '--sud-url', 'http://127.0.0.1:9/sud', ...AUTH, '--failed', failed, '--report', report, '--workers', String(workers)];
  const printed = await runCli(['replay', ...inputs, '--dry-run', '--print-requests', ...target], { env });
  assert.ok(printed.code === 0 || printed.code === 1, printed.stderr);
  return { printed: printed.stdout, report: comparable(readFileSync(report, 'utf8')), failed: readFileSync(failed, 'utf8'), code: printed.code };
}

async function sameDryRuns(t: Ends, inputs: readonly string[], env: NodeJS.ProcessEnv, checkThreads: boolean): Promise<void> {
  const dir = tempDir(t, 'replay-workers');
  const one = await dryRun(dir, inputs, 0, env);
  const two = await dryRun(dir, inputs, 2, env);
  assert.ok(one.printed.length > 0);
  assert.equal(two.printed, one.printed, 'the same requests, byte for byte, in the same order');
  assert.deepEqual(two.report, one.report, 'the same counts, findings and notes');
  assert.equal(two.failed, one.failed, 'the same --failed file');
  assert.equal(two.code, one.code);
  if (!checkThreads) return;
  // The threads were in use: a thread that exits stops the same run.
  const broken = await runCli(['replay', ...inputs, '--dry-run', '--target', 'http://127.0.0.1:9', '--sud-url', 'http://127.0.0.1:9/sud', ...AUTH, '--workers', '2'], {
    env: { ...env, REPORT_REPLAY_TEST_WORKER_FAULT: 'exit' },
  });
  assert.equal(broken.code, 2, broken.stderr);
}

test('on the samples, --workers 2 prints the same requests, findings, --failed lines and counts as --workers 0', async (t) => {
  const inputs = ['samples/ndjson', 'samples/bad'].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => join(ROOT, d, f)),
  );
  await sameDryRuns(t, inputs, { REPORT_REPLAY_RANGE_BYTES: '300', SOURCE_DATE_EPOCH: '1767225600' }, false);
});

test('on a mixed input cut into hundreds of units (and a .gz one), --workers 2 is --workers 0 byte for byte', async (t) => {
  const dir = tempDir(t, 'replay-workers-mixed');
  const file = await writeMixed(join(dir, 'mixed.ndjson'), 800);
  // A .gz input is one unit (gzip cannot be entered mid-way), read by a thread all the same.
  const second = await writeMixed(join(dir, 'again.ndjson'), 200);
  writeFileSync(`${second}.gz`, gzipSync(readFileSync(second)));
  await sameDryRuns(t, [file, `${second}.gz`], SMALL_RANGES, true);
});

test('delivered for real with --workers 2, the receiver holds what --workers 0 delivers, each record once', async (t) => {
  const dir = tempDir(t, 'replay-workers-real');
  const file = await writeMixed(join(dir, 'mixed.ndjson'), 500);
  const results = [];
  for (const workers of [0, 2]) {
    const receiver = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true });
    try {
      const r = await runCli(['replay', file, '--target', receiver.url, ...AUTH, '--json', '--workers', String(workers)], { env: SMALL_RANGES });
      assert.equal(r.code, 1, r.stderr); // the mixed input holds invalid lines
      const stats = receiver.stats();
      for (const [endpoint, keys] of Object.entries(stats.keys!)) {
        for (const [key, n] of Object.entries(keys)) assert.equal(n, 1, `${endpoint} ${key} arrived ${n} times`);
      }
      // Stat batches may leave on --batch-linger's timer, so requests are not compared: records are.
      const { totals } = JSON.parse(r.stdout) as ReportJson;
      results.push({ keys: stats.keys, totals: [totals.records, totals.valid, totals.invalid, totals.duplicates, totals.succeeded, totals.failed, totals.unsent] });
    } finally {
      await receiver.close();
    }
  }
  assert.deepEqual(results[1], results[0]);
});
