/**
 * --failed on a disk that fills up: a record is settled only once its line is whole in the
 * file; the run stops (exit 2, summary printed) with the record unsettled; a resume on a
 * freed disk writes or sends it once. Mounts a small tmpfs, so it needs root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import { FailedWriter } from '../src/report/failed.js';
import type { ValidRecord } from '../src/records.js';
import type { Report } from '../src/report/report.js';
import { runCli } from './helpers/cli.js';
import { sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

const RECORDS = 1000;

/** Every line of a --failed file parses and ends in a newline; the game_round_ids in it. */
function roundsIn(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), 'the failed file ends with a whole line');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => (JSON.parse(line) as { report_msg: { game_round_id: string } }).report_msg.game_round_id);
}

function mountTmpfs(dir: string, size: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `mount failed: ${String(err)}`;
  }
}

test('a --failed disk that fills mid-run stops the run (exit 2, summary printed); freed and resumed, every record is delivered once or in the failed file once', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const disk = path.join(dir, 'small');
  mkdirSync(disk);
  const why = mountTmpfs(disk, '64k');
  if (why) {
    t.skip(`needs a small tmpfs (${why})`);
    return;
  }
  let receiver: Receiver | undefined;
  try {
    // Half the requests fail (fixed seed, no retries): ~500 failed lines of ~300 bytes fill 64 KiB mid-run.
    receiver = await startReceiver({ port: 0, trackKeys: true, failRate: 0.5, seed: 7 });
    const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: RECORDS }, (_, i) => sudRecord(i)));
    const failed = path.join(disk, 'failed.ndjson');
    const common = ['replay', file, '--target', receiver.url, '--checkpoint', path.join(dir, 'run.ckpt'), '--failed', failed, '--retries', '0'];

    const first = await runCli(common);
    assert.equal(first.code, 2, first.stderr);
    assert.match(first.stderr, /failed\.ndjson: cannot write the failed-records file .*ENOSPC/);
    assert.doesNotMatch(first.stderr, /\n\s+at /, 'no stack trace');
    assert.match(first.stdout, /not in .*failed\.ndjson \(it could not be written\)/, 'the summary is printed and says so');
    const before = roundsIn(failed);
    assert.ok(before.length > 0 && before.length < RECORDS / 2, `the disk filled mid-run (${before.length} lines)`);

    execFileSync('mount', ['-o', 'remount,size=4m', disk]);
    const reportFile = path.join(dir, 'report.json');
    const second = await runCli([...common, '--resume', '--report', reportFile]);
    assert.ok(second.code === 0 || second.code === 1, second.stderr);
    // The records whose lines could not be written were neither settled nor counted: the resume counts them once.
    const { totals } = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    assert.equal(totals.records, RECORDS);
    assert.equal(totals.succeeded + totals.failed, RECORDS, JSON.stringify(totals));

    const inFailed = roundsIn(failed);
    const delivered = receiver.stats().keys?.['sud.report_game_info']! ?? {};
    const seen = new Map<string, number>();
    for (const round of inFailed) seen.set(round, (seen.get(round) ?? 0) + 1);
    for (const [key, n] of Object.entries(delivered)) {
      const round = key.replace(/^game_start:/, '');
      seen.set(round, (seen.get(round) ?? 0) + n);
    }
    const wrong = Array.from({ length: RECORDS }, (_, i) => `round-${i}`).filter((round) => seen.get(round) !== 1);
    assert.deepEqual(wrong, [], 'each record delivered exactly once or in the failed file exactly once');
  } finally {
    await receiver?.close();
    execFileSync('umount', [disk]);
  }
});

const record: ValidRecord = {
  origin: { file: 'in.ndjson', line: 3, input: 0 },
  endpoint: 'sud.report_game_info',
  value: { report_type: 'game_start' },
  meta: {},
  seq: 0,
};

test('appending to a failed file that ends in a torn line cuts the fragment off first', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = path.join(dir, 'failed.ndjson');
  writeFileSync(file, '{"a":1,"_error":"x"}\n{"report_type":"game_st');
  const writer = new FailedWriter(file, { append: true, durable: true });
  assert.equal(writer.repairedBytes, '{"report_type":"game_st'.length);
  await writer.writeUndelivered(record, 'http 503');
  await writer.close();
  assert.equal(readFileSync(file, 'utf8'), '{"a":1,"_error":"x"}\n{"_api":"sud.report_game_info","report_type":"game_start","_error":"http 503","_source":"in.ndjson:3"}\n');

  // A file that is all fragment is emptied.
  writeFileSync(file, '{"torn');
  const again = new FailedWriter(file, { append: true, durable: true });
  await again.close();
  assert.equal(readFileSync(file, 'utf8'), '');
});
