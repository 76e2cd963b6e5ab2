/**
 * `validate --workers`: a worker thread that fails stops the run with one line and exit 2,
 * never a hang or a summary of a run that broke (README "validate"); a bad --workers value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';
import { awkwardNdjson } from './helpers/awkward-ndjson.js';

const tmp = (t: Ends) => tempDir(t, 'validate-workers-fault');

test('a worker thread that throws or exits stops validate with one line and exit 2, not a hang', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'awkward.ndjson');
  writeFileSync(file, Buffer.concat([awkwardNdjson(), Buffer.from('\n'), awkwardNdjson()]));
  for (const fault of ['throw', 'exit']) {
    const r = await runCli(['validate', file, '--workers', '2'], { env: { REPORT_REPLAY_RANGE_BYTES: '200', REPORT_REPLAY_TEST_WORKER_FAULT: fault } });
    assert.equal(r.code, 2, `${fault}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^report-replay: a validate worker thread failed: /, fault);
    assert.ok(lines.every((l) => !/^\s+at /.test(l)), `no stack trace: ${r.stderr}`);
    assert.equal(r.stdout, '', 'no summary of a run that broke');
  }
});

test('a thread that is never ready is not waited for: the others judge every unit and the run ends as with --workers 0', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'awkward.ndjson');
  writeFileSync(file, awkwardNdjson());
  const single = await runCli(['validate', file, '--workers', '0', '--json']);
  // Threads are numbered from 1 in a fresh process: the second of the two never says it is ready.
  const parallel = await runCli(['validate', file, '--workers', '2', '--json'], { env: { REPORT_REPLAY_RANGE_BYTES: '200', REPORT_REPLAY_TEST_WORKER_FAULT: 'never-ready:2' } });
  assert.equal(parallel.code, 1, parallel.stderr);
  const counts = (stdout: string) => {
    const report = JSON.parse(stdout) as { totals: unknown; findings: unknown };
    return { totals: report.totals, findings: report.findings };
  };
  assert.deepEqual(counts(parallel.stdout), counts(single.stdout));
});

test('--workers must be a whole number of threads', async () => {
  const r = await runCli(['validate', 'samples/ndjson', '--workers', '-1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--workers must be a whole number ≥ 0/);
});
