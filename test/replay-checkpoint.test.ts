/**
 * The checkpoint through the built CLI: one process per checkpoint, SUD keys remembered
 * across --resume, --restart, records in flight when an earlier run died (--uncertain), and
 * a disk that fills up under the checkpoint.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { CLI, runCli } from './helpers/cli.js';
import { downloadRecord, onceEach, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI in the background. */
function start(args: readonly string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(safety);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Resolves once `condition` holds (polled: it reads the receiver's counts). */
function until(condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      if (!condition()) return;
      clearInterval(poll);
      resolve();
    }, 5);
  });
}

describe('checkpoint through the CLI', () => {
  test('a second process on one checkpoint (also a second --resume) is refused before sending, naming the holder; the lock goes with the first', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      // The first runner's two requests hang (their answers would take ten minutes): whatever
      // else reaches the receiver came from a second runner, however slowly this machine runs.
      receiver = await startReceiver({ port: 0, trackKeys: true, latencyMs: 600_000 });
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 40 }, (_, i) => sudRecord(i)));
      const checkpoint = path.join(dir, 'run.ckpt');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet', '--concurrency', '2'];
      const first = start([...common, '--grace', '100ms']);
      const r = receiver;
      await until(() => r.stats().totals.requests >= 2);
      for (const extra of [['--resume'], [], ['--restart']]) {
        const before: number = receiver.stats().totals.requests;
        const second = await runCli([...common, ...extra]);
        assert.equal(second.code, 2, second.stderr);
        assert.match(second.stderr, new RegExp(`checkpoint .*run\\.ckpt is in use by pid ${first.child.pid} on host \\S+ \\(since `));
        assert.match(second.stderr, /if that process is no longer running, remove .*run\.ckpt\.lock/);
        assert.equal(second.stderr.trim().split('\n').length, 2, 'one line and its hint');
        assert.equal(receiver.stats().totals.requests, before, 'the second process sent nothing');
      }
      first.child.kill('SIGINT');
      const ended = await first.done;
      assert.equal(ended.code, 130, ended.stderr);
      assert.equal(existsSync(`${checkpoint}.lock`), false, 'released on Ctrl-C');
      const resumed = await runCli([...common, '--resume', '--uncertain', 'fail']);
      assert.equal(resumed.code, 2, 'the lock is free again: the resume gets as far as the two records aborted in flight');
      assert.match(resumed.stderr, /2 records were in flight when the earlier run died/);
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('a SUD key repeated later in the log is skipped after --resume too: the key set is kept with the checkpoint', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ port: 0, trackKeys: true });
      const lines = Array.from({ length: 200 }, (_, i) => sudRecord(i));
      lines.push(sudRecord(0)); // round-0 again, after the crash point
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), lines);
      const checkpoint = path.join(dir, 'run.ckpt');
      const report = path.join(dir, 'report.json');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet', '--report', report];
      // Stops on its own after a few records (paced, a short --duration), long before it reads the repeat.
      const first = await runCli([...common, '--rate', '20', '--duration', '500ms', '--concurrency', '1']);
      assert.equal(first.code, 0, first.stderr);
      const sent = receiver.stats().totals.requests;
      assert.ok(sent > 0 && sent < 100, `stopped mid-way after ${sent}`);
      assert.equal((JSON.parse(readFileSync(report, 'utf8')) as Report).totals.duplicates, 0, 'the first run did not reach the repeat');
      const resumed = await runCli([...common, '--resume']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal(receiver.stats().byEndpoint['sud.report_game_info']!.duplicates, 0, 'round-0 was not sent again');
      const counts = JSON.parse(readFileSync(report, 'utf8')) as Report;
      assert.equal(counts.totals.duplicates, 1, 'the resumed run counted it a duplicate');
      assert.equal(onceEach(receiver.stats().keys?.['sud.report_game_info']).distinct, 200);
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('without --resume, an unfinished checkpoint is refused unless --restart; a finished one is started again', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ port: 0 });
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 30 }, (_, i) => sudRecord(i)));
      const checkpoint = path.join(dir, 'run.ckpt');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet'];
      assert.equal((await runCli([...common, '--rate', '20', '--duration', '300ms'])).code, 0);
      const before = receiver.stats().totals.requests;
      const refused = await runCli(common);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /checkpoint .*run\.ckpt holds an unfinished run/);
      assert.match(refused.stderr, /add --resume to continue it, or --restart to start over/);
      assert.equal(receiver.stats().totals.requests, before, 'nothing sent');
      const restarted = await runCli([...common, '--restart']);
      assert.equal(restarted.code, 0, restarted.stderr);
      assert.equal(receiver.stats().totals.requests, before + 30, 'all again, from the start');
      const again = await runCli(common);
      assert.equal(again.code, 0, 'a finished checkpoint may be started again');
      const bad = await runCli([...common, '--restart', '--resume']);
      assert.equal(bad.code, 2);
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('records in flight when the earlier run died: fail stops before sending, skip needs --failed, then they are set aside and counted', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ port: 0, trackKeys: true, latencyMs: 1500 });
      const file = await writeNdjson(path.join(dir, 'downloads.ndjson'), Array.from({ length: 20 }, (_, i) => downloadRecord(i)));
      const checkpoint = path.join(dir, 'run.ckpt');
      const failed = path.join(dir, 'failed.ndjson');
      const report = path.join(dir, 'report.json');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet'];
      const first = start([...common, '--concurrency', '3']);
      const r = receiver;
      await until(() => r.stats().totals.requests >= 3);
      first.child.kill('SIGKILL');
      assert.equal((await first.done).signal, 'SIGKILL');

      const name = path.basename(file);
      const noFailed = await runCli([...common, '--resume']);
      assert.equal(noFailed.code, 2, noFailed.stderr);
      assert.match(noFailed.stderr, new RegExp(`3 records were in flight when the earlier run died \\(.*${name}:1, .*${name}:2, .*${name}:3\\) and would be set aside, but there is no --failed file`));
      assert.match(noFailed.stderr, /give --failed FILE to set them aside, or --uncertain resend/);
      const fail = await runCli([...common, '--resume', '--failed', failed, '--uncertain', 'fail']);
      assert.equal(fail.code, 2, fail.stderr);
      assert.match(fail.stderr, /3 records were in flight when the earlier run died .*: --uncertain fail stops here/);
      assert.equal(receiver.stats().totals.requests, 3, 'the refused runs sent nothing');

      const resumed = await runCli([...common, '--resume', '--failed', failed, '--report', report, '--concurrency', '20']);
      assert.equal(resumed.code, 1, resumed.stderr);
      const setAside = readFileSync(failed, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(setAside.map((f) => [f._error, f._source]), [1, 2, 3].map((line) => ['uncertain: in flight when the earlier run died', `${file}:${line}`]));
      const notes = (JSON.parse(readFileSync(report, 'utf8')) as Report).notes;
      assert.ok(notes.includes(`3 records were in flight when the earlier run died: set aside in ${failed}`), notes.join('\n'));
      const { distinct, repeated } = onceEach(receiver.stats().keys?.['download.downloadEvent']);
      assert.equal(distinct, 20, 'the rest was delivered; the 3 set aside had arrived before the crash');
      assert.deepEqual(repeated, [], 'none twice');
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('a disk that fills under the checkpoint stops the run at once (summary, exit 2, no .tmp left); freed, --resume delivers the rest', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to mount a small tmpfs');
      return;
    }
    const { dir, remove } = await tempDir();
    const disk = path.join(dir, 'disk');
    mkdirSync(disk);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
    } catch (err) {
      await remove();
      t.skip(`cannot mount a tmpfs here: ${String(err)}`);
      return;
    }
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ port: 0, trackKeys: true, latencyMs: 50 });
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 400 }, (_, i) => sudRecord(i)));
      const checkpoint = path.join(disk, 'run.ckpt');
      const report = path.join(dir, 'report.json');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--concurrency', '4'];
      const first = start(common);
      const r = receiver;
      await until(() => r.stats().totals.requests >= 8);
      // Fill the disk: the next snapshot (every 250 ms) or journal page cannot be written.
      const filler = path.join(disk, 'filler');
      const fd = openSync(filler, 'w');
      try {
        const block = Buffer.alloc(4096, 1);
        for (;;) writeSync(fd, block);
      } catch (err) {
        assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
      } finally {
        closeSync(fd);
      }
      const ended = await first.done;
      assert.equal(ended.code, 2, ended.stderr);
      assert.match(ended.stderr, /cannot write checkpoint .*run\.ckpt: .*ENOSPC/);
      assert.equal(ended.stderr.trim().split('\n').length, 1, `one line: ${ended.stderr}`);
      assert.match(ended.stdout, /sud\.report_game_info/, 'the summary was printed');
      assert.ok(receiver.stats().totals.requests < 400, 'stopped at once, not at the end');
      assert.deepEqual(readdirSync(disk).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');

      rmSync(filler);
      const resumed = await runCli([...common, '--resume', '--quiet', '--report', report]);
      assert.equal(resumed.code, 0, resumed.stderr);
      const seen = receiver.stats();
      assert.equal(onceEach(seen.keys?.['sud.report_game_info']).distinct, 400, 'nothing lost');
      const notes = (JSON.parse(readFileSync(report, 'utf8')) as Report).notes;
      const resent = Number(/^(\d+) records? w[a-z]+ in flight when the earlier run died: re-sent/m.exec(notes.join('\n'))?.[1] ?? 0);
      // A record journaled in flight may never have reached the server (its bytes died with the
      // connection), so re-sent is an upper bound on what arrives twice (README, "Backfills").
      assert.ok(seen.totals.duplicates <= resent, `only records reported uncertain were sent again: ${seen.totals.duplicates} duplicates, ${resent} re-sent`);
    } finally {
      await receiver?.close();
      try {
        execFileSync('umount', [disk]);
      } catch {
        // Unmounted already.
      }
      await remove();
    }
  });
});
