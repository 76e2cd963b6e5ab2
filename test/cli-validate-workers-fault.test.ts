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

test('--workers must be a whole number of threads', async () => {
  const r = await runCli(['validate', 'samples/ndjson', '--workers', '-1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--workers must be a whole number ≥ 0/);
});
