import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';
import type { Report } from '../src/report/report.js';

test('replay --report and --json carry findings whose example is an int64, digit for digit', async (t) => {
  const file = join(tempDir(t, 'cli-replay-report'), 'report.json');
  const r = await runCli(['replay', 'samples/bad/sud.ndjson', '--dry-run', '--report', file, '--json']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(readFileSync(file, 'utf8'), r.stdout, 'the file and stdout hold the same report');
  const report = JSON.parse(r.stdout) as Report;
  const mismatch = report.findings.find((f) => f.rule === 'sud.mg_id_mismatch')!;
  assert.equal(mismatch.examples[0]!.value, '1461227817776713818');
});

test('an unwritable --report path is one line naming it, exit 2', async () => {
  const r = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--dry-run', '--report', join(tmpdir(), 'no-such-dir-rr', 'r.json')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^report-replay: --report .*r\.json cannot be written: there is no folder/);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
});
