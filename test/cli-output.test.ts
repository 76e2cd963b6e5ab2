/**
 * What reaches the terminal tells the truth: a stdout that fails is one line and exit 2,
 * an empty input says nothing was read, an input cut short never gets an "OK" headline,
 * and control characters from the input are shown escaped, never sent to the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { CLI, runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import { printable } from '../src/printable.js';
import { main } from '../src/cli.js';
import { Collector, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

test('a full disk on stdout is one line and exit 2, never a stack trace or a claim of success', { skip: !existsSync('/dev/full') && 'no /dev/full here' }, async () => {
  const cases = [
    ['validate', 'samples/ndjson', '--json'],
    ['replay', 'samples/ndjson', '--dry-run', '--print-requests', '--stat-secret', 'S', '--stat-session-key', 'K'],
    ['validate', 'samples/ndjson'],
  ];
  for (const args of cases) {
    const r = await runCli(args, { stdoutFile: '/dev/full' });
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, /^report-replay: cannot write to stdout: ENOSPC: no space left on device/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /OK|would be sent|\n\s+at /);
  }
});

test('a reader that leaves (EPIPE) ends --print-requests with one line and exit 2; generate | head stays quiet', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const records = [];
  for (let i = 0; i < 3000; i++) records.push(sudRecord(i));
  // Far more than a pipe holds: the writer must wait for the reader, who leaves after one chunk.
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), records);
  const headOne = (args: readonly string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const printed = await headOne(['replay', file, '--dry-run', '--print-requests']);
  assert.equal(printed.code, 2, printed.stderr);
  assert.match(printed.stderr, /^report-replay: cannot write to stdout: its reader closed it; the output is incomplete$/m);
  assert.doesNotMatch(printed.stderr, /would be sent|\n\s+at /);
  const generated = await headOne(['generate', '--api', 'stat', '--count', '200000']);
  assert.equal(generated.code, 0, generated.stderr);
  assert.equal(generated.stderr, '');
});

test('generated data is written as generated: a secret in the environment masks messages, not synthetic records', async () => {
  const plain = await runCli(['generate', '--api', 'stat', '--count', '50']);
  const withSecret = await runCli(['generate', '--api', 'stat', '--count', '50'], { env: { REPLAY_STAT_SECRET: '1000' } });
  assert.match(plain.stdout, /"aid":1000/);
  assert.equal(withSecret.stdout, plain.stdout);
});

test('an empty input says nothing was read: validate fails unless --allow-empty; replay says it sent nothing', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const empty = path.join(dir, 'empty.ndjson');
  await writeFile(empty, '\n\n');
  const validate = await runCli(['validate', empty]);
  assert.equal(validate.code, 1, validate.stderr);
  assert.match(validate.stdout, /^FAILED nothing read: no records in/);
  assert.match(validate.stdout, /note: no records were read: the inputs hold none \(--allow-empty accepts that\)/);
  const allowed = await runCli(['validate', empty, '--allow-empty']);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /^OK nothing read: no records in/);
  const replay = await runCli(['replay', empty, '--target', receiver.url]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /^NOTHING SENT: no records read in/);
  assert.match(replay.stdout, /note: no records were read: the inputs hold none/);

  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), [sudRecord(1), sudRecord(2)]);
  const checkpoint = path.join(dir, 'run.ckpt');
  assert.equal((await runCli(['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet'])).code, 0);
  const resumed = await runCli(['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--resume']);
  assert.equal(resumed.code, 0, resumed.stderr);
  // The report of a resumed run covers the whole backfill: what the first run delivered, and that nothing was left.
  assert.match(resumed.stdout, /^OK 2 of 2 records delivered/);
  assert.match(resumed.stdout, /note: resumed: 2 records had been settled by earlier runs/);
  assert.match(resumed.stdout, /note: nothing left to send: the checkpoint says an earlier run settled every record/);
  assert.equal(receiver.stats().totals.requests, 2);
});

test('an input cut short (a truncated .gz) never gets an "OK" headline beside its exit 2', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const lines = [];
  for (let i = 0; i < 3000; i++) lines.push(JSON.stringify({ aid: 1000, uid: `u${i}`, app_id: 1 }));
  const whole = gzipSync(lines.join('\n') + '\n');
  const cut = path.join(dir, 'cut.ndjson.gz');
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  const r = await runCli(['validate', cut]);
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stdout, /^OK/m);
  assert.match(r.stdout, /^STOPPED after [\d.]+s: an input could not be read \(see the error below\); [\d,]+ records read before it/);
  assert.match(r.stderr, /cut\.ndjson\.gz: truncated or corrupt gzip data/);
});

test('control characters from the input are shown escaped in every message, never sent to the terminal', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const folder = path.join(dir, 'logs');
  await mkdir(folder);
  const evil = path.join(folder, 'clear\x1b[2J\x07.ndjson');
  await writeFile(evil, [
    JSON.stringify({ aid: 1000, uid: 'u\x1b]0;owned\x07', app_id: 'x\x1b[31m' }),
    JSON.stringify({ aid: 1003, uid: 'u', app_id: 1, 'gam\x1b[1me_id': 1, v: '\r\x1b[Kx' }),
    '{"aid": \x1b[2J',
  ].join('\n') + '\n');
  const r = await runCli(['validate', folder]);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /[\x00-\x08\x0b-\x1f\x7f]/, 'no raw control character (NO_COLOR is set)');
  assert.match(r.stdout, /clear\\x1b\[2J\\x07\.ndjson:1/);
  const missing = await runCli(['validate', path.join(dir, 'no\x1b[2Jsuch.ndjson')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no\\x1b\[2Jsuch\.ndjson: no such file/);
  assert.doesNotMatch(missing.stderr, /\x1b/);
  assert.equal(printable('tab\there\u202e'), 'tab\\x09here\\u202e');
  assert.equal(printable('plain text, 中文'), 'plain text, 中文');
});

test('validate shows a progress line on a terminal: records read, the share of the input and an ETA', async () => {
  const stdout = Object.assign(new Collector(), { isTTY: true, columns: 120 });
  const stderr = new Collector();
  const code = await main(['validate', 'samples/ndjson/stat.ndjson'], { stdout, stderr, stdin: process.stdin, env: { NO_COLOR: '1' }, cwd: process.cwd() });
  assert.equal(code, 0, stderr.text);
  assert.match(stdout.text, /^\rvalidating: [\d,]+ read {2}0 invalid {2}100%\x1b\[K\r\x1b\[K/, 'drawn, then cleared before the summary');
  assert.match(stdout.text, /OK [\d,]+ records/);
});
