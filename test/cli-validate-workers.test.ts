/**
 * `validate --workers` (README "validate"): the same findings (order included), counts,
 * --json report, summary and --failed file as `--workers 0`, on files cut into ranges at
 * every awkward place; a worker that fails stops the run with one line and exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli, ROOT } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';

const tmp = (t: Ends) => tempDir(t, 'validate-workers');

/** Everything of a run that must not depend on --workers. */
async function outcome(args: readonly string[], failed: string, env: NodeJS.ProcessEnv = {}) {
  const json = await runCli([...args, '--json', '--max-examples', '1000', '--failed', failed], { env });
  const report = JSON.parse(json.stdout) as Record<string, unknown>;
  delete report.startedAt;
  delete report.durationMs;
  const text = await runCli([...args, '--max-examples', '3'], { env });
  return {
    code: json.code,
    stderr: json.stderr,
    report,
    failed: readFileSync(failed, 'utf8'),
    text: text.stdout.replace(/ in [\d.]+m?s\b/g, ' in T'),
    textCode: text.code,
  };
}

async function assertSameWithWorkers(dir: string, inputs: readonly string[], rangeBytes: readonly number[]): Promise<void> {
  const single = await outcome(['validate', ...inputs, '--workers', '0'], join(dir, 'failed-0.ndjson'));
  assert.ok(single.report.totals, single.stderr);
  for (const bytes of rangeBytes) {
    const env = { REPORT_REPLAY_RANGE_BYTES: String(bytes) };
    const parallel = await outcome(['validate', ...inputs, '--workers', '2'], join(dir, `failed-${bytes}.ndjson`), env);
    assert.deepEqual(parallel, single, `ranges of ${bytes} bytes`);
  }
}

/** Lines that make a cut awkward: CRLF, blank and whitespace lines, multi-byte text, bad lines, a BOM mid-file. */
function awkwardNdjson(): Buffer {
  const good = readFileSync(join(ROOT, 'samples/ndjson/download.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const stat = readFileSync(join(ROOT, 'samples/ndjson/stat.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const bad = readFileSync(join(ROOT, 'samples/bad/records.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const parts: Buffer[] = [Buffer.from('\uFEFF')];
  for (let i = 0; i < 40; i++) {
    const line = [good, stat, bad][i % 3]![i % 5 % ([good, stat, bad][i % 3]!.length)]!;
    parts.push(Buffer.from(line + (i % 2 ? '\r\n' : '\n')));
    if (i % 7 === 0) parts.push(Buffer.from('\n  \n\r\n'));
    // Multi-byte UTF-8 (3- and 4-byte) in a string, so byte cuts fall inside characters.
    if (i % 4 === 0) parts.push(Buffer.from(`{"aid": 1003, "uid": "用户-😀-${i}", "app_id": 1, "ts": 1768176000, "game_id": 1, "game_v": "1", "v": 1}\n`));
    if (i === 20) parts.push(Buffer.from('\uFEFF{"aid": 1003}\n'));
    if (i === 25) parts.push(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
  }
  // The last line has no newline.
  parts.push(Buffer.from(good[0]!));
  return Buffer.concat(parts);
}

test('--workers 2 reports exactly what --workers 0 does, on ranges cut anywhere', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'awkward.ndjson');
  writeFileSync(file, awkwardNdjson());
  await assertSameWithWorkers(dir, [file], [1, 50, 1000]);
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
  await assertSameWithWorkers(dir, [logs], [64, 500]);
});

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
