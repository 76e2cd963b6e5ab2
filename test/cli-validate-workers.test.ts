/**
 * `validate --workers` (README "validate"): the same findings (order included), counts,
 * --json report, summary and --failed file as `--workers 0`, on files cut into ranges at
 * every awkward place (faults: cli-validate-workers-fault.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, ROOT } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';
import { awkwardNdjson } from './helpers/awkward-ndjson.js';

const tmp = (t: Ends) => tempDir(t, 'validate-workers');

/** Everything of a run that must not depend on --workers: the summary, the --report JSON, the --failed file, the exit code. */
async function outcome(args: readonly string[], dir: string, name: string, env: NodeJS.ProcessEnv = {}) {
  const failed = join(dir, `${name}.failed.ndjson`);
  const reportFile = join(dir, `${name}.report.json`);
  const r = await runCli([...args, '--max-examples', '1000', '--failed', failed, '--report', reportFile], { env });
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Record<string, unknown>;
  delete report.startedAt;
  delete report.durationMs;
  return { code: r.code, stderr: r.stderr, report, failed: readFileSync(failed, 'utf8'), text: r.stdout.replace(/ in [\d.]+m?s\b/g, ' in T') };
}

async function assertSameWithWorkers(dir: string, inputs: readonly string[], rangeBytes: readonly number[]): Promise<void> {
  const single = await outcome(['validate', ...inputs, '--workers', '0'], dir, 'single');
  assert.ok(single.report.totals, single.stderr);
  assert.match(single.text, /^FAILED /);
  for (const bytes of rangeBytes) {
    const env = { REPORT_REPLAY_RANGE_BYTES: String(bytes) };
    const parallel = await outcome(['validate', ...inputs, '--workers', '2'], dir, `ranges-${bytes}`, env);
    assert.deepEqual(parallel, single, `ranges of ${bytes} bytes`);
  }
}

test('--workers 2 reports exactly what --workers 0 does, on ranges cut anywhere', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'awkward.ndjson');
  writeFileSync(file, awkwardNdjson());
  await assertSameWithWorkers(dir, [file], [1, 200]);
});

test('--workers 2 over a folder of NDJSON, CSV and .gz reports exactly what --workers 0 does', async (t) => {
  const dir = tmp(t);
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  for (const folder of ['samples/ndjson', 'samples/csv', 'samples/bad']) {
    for (const name of readdirSync(join(ROOT, folder))) copyFileSync(join(ROOT, folder, name), join(logs, `${folder.split('/')[1]}-${name}`));
  }
  writeFileSync(join(logs, 'awkward.ndjson'), awkwardNdjson());
  writeFileSync(join(logs, 'zipped.ndjson.gz'), gzipSync(awkwardNdjson()));
  await assertSameWithWorkers(dir, [logs], [300]);
});
