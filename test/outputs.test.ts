/**
 * The files a run writes are checked before anything is opened or sent: an output that is
 * an input (by device and inode) is refused and the input left untouched; an output that
 * cannot be written is found before the first request; a report that fails at the very
 * end still leaves the summary on screen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { CLI, mapLimit, runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import { SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

const hash = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

test('an output that is also an input is refused before anything is opened, and the input is left as it was', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const failed = await writeNdjson(path.join(dir, 'failed.ndjson'), [sudRecord(1), { ...statRecord(2), _error: 'http 503' }]);
  const before = await hash(failed);
  const send = ['--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY];
  await mkdir(path.join(dir, 'logs'));
  const inFolder = await writeNdjson(path.join(dir, 'logs', 'day.ndjson'), [sudRecord(3)]);
  await link(inFolder, path.join(dir, 'hard-link.json'));
  await symlink(failed, path.join(dir, 'sym.ndjson'));

  const cases: [string[], RegExp][] = [
    [['replay', failed, ...send, '--failed', failed], /--failed .*failed\.ndjson is also an input \(.*failed\.ndjson\)/],
    [['replay', failed, ...send, '--report', path.join(dir, 'sym.ndjson')], /--report .*sym\.ndjson is also an input/],
    [['replay', path.join(dir, 'logs'), ...send, '--report', path.join(dir, 'hard-link.json')], /--report .*hard-link\.json is also an input \(.*day\.ndjson\)/],
    [['replay', failed, ...send, '--checkpoint', failed], /--checkpoint .*failed\.ndjson is also an input/],
    [['validate', path.join(dir, 'logs'), '--failed', inFolder], /--failed .*day\.ndjson is also an input/],
    [['validate', failed, '--report', failed], /--report .*failed\.ndjson is also an input/],
  ];
  // A checkpoint whose journal would be the input: `--checkpoint X` writes X.journal.
  const journalInput = await writeNdjson(path.join(dir, 'run.ckpt.journal'), [sudRecord(4)]);
  cases.push([['replay', journalInput, '--format', 'ndjson', ...send, '--checkpoint', path.join(dir, 'run.ckpt')], /--checkpoint \(its journal\) .*run\.ckpt\.journal is also an input/]);
  const results = await mapLimit(cases, 4, ([args]) => runCli(args));
  for (const [i, [args, message]] of cases.entries()) {
    const r = results[i]!;
    assert.equal(r.code, 2, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /^report-replay: /);
  }
  assert.equal(await hash(failed), before, 'failed.ndjson untouched');
  assert.equal(receiver.stats().totals.requests, 0, 'nothing was sent');
  const twice = await runCli(['replay', inFolder, ...send, '--failed', path.join(dir, 'out.ndjson'), '--report', path.join(dir, 'out.ndjson')]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--failed and --report both name .*out\.ndjson/);
});

test('an output that cannot be written is found before the first request', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), [sudRecord(1)]);
  await mkdir(path.join(dir, 'a-folder'));
  const cases: [string, RegExp][] = [
    ['--report', /--report .*no-such-folder\/r\.json cannot be written: there is no folder/],
    ['--failed', /--failed .*no-such-folder\/r\.json cannot be written: there is no folder/],
    ['--checkpoint', /--checkpoint .*no-such-folder\/r\.json cannot be written: there is no folder/],
  ];
  for (const [flag, message] of cases) {
    const r = await runCli(['replay', file, '--target', receiver.url, flag, path.join(dir, 'no-such-folder', 'r.json')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
  }
  const folder = await runCli(['replay', file, '--target', receiver.url, '--report', path.join(dir, 'a-folder')]);
  assert.match(folder.stderr, /--report .*a-folder is a folder, not a file/);
  assert.equal(receiver.stats().totals.requests, 0, 'nothing was sent');
});

test('a report that cannot be written at the end still leaves the summary, then the error (exit 2)', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ port: 0, latencyMs: 300 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const records = [];
  for (let i = 0; i < 40; i++) records.push(sudRecord(i));
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), records);
  const reports = path.join(dir, 'reports');
  await mkdir(reports);
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'replay', file, '--target', receiver.url, '--concurrency', '4', '--report', path.join(reports, 'run.json')], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Once the run is under way, the report's folder goes away (a full or unmounted disk would do the same).
    const poll = setInterval(() => {
      if (receiver.stats().totals.requests < 1) return;
      clearInterval(poll);
      void rm(reports, { recursive: true, force: true });
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stdout, /^OK 40 of 40 records delivered/, 'the summary is shown');
  assert.match(result.stderr, /^report-replay: .*run\.json: cannot write the report/);
});
