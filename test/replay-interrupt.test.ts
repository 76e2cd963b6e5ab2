import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { onceEach, STAT_SECRET, statRecord, sudRecord, tempDir, writeNdjson } from './replay-helpers.js';

const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));

interface Exit {
  code: number | null;
  stderr: string;
  /** ms from the last signal sent to the exit. */
  afterLastSignalMs: number;
}

interface Interrupt {
  /** Polled; once true, the child gets SIGINT. */
  readonly when: () => boolean;
  /** How many SIGINTs, `gapMs` apart. @default 1 */
  readonly times?: number;
  readonly gapMs?: number;
}

/** Runs the CLI, interrupting it as asked. */
function runCli(args: readonly string[], interrupt?: Interrupt): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let lastSignalAt = performance.now();
    const timers: NodeJS.Timeout[] = [];
    if (interrupt) {
      const poll = setInterval(() => {
        if (!interrupt.when()) return;
        clearInterval(poll);
        for (let i = 0; i < (interrupt.times ?? 1); i++) {
          timers.push(
            setTimeout(() => {
              lastSignalAt = performance.now();
              child.kill('SIGINT');
            }, i * (interrupt.gapMs ?? 0)),
          );
        }
      }, 20);
      timers.push(poll);
    }
    // Bounded: a hung child fails the test instead of hanging the suite.
    timers.push(setTimeout(() => child.kill('SIGKILL'), 30_000));
    child.on('error', reject);
    child.on('exit', (code) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ code, stderr, afterLastSignalMs: performance.now() - lastSignalAt });
    });
  });
}

describe('interrupt and resume', () => {
  test('Ctrl-C mid-run exits 130 with a checkpoint; the same command with --resume completes, and the receiver saw every record exactly once', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ port: 0, statSecret: STAT_SECRET, trackKeys: true, record: path.join(dir, 'received.ndjson') });
      const lines = [];
      for (let i = 0; i < 1500; i++) lines.push(sudRecord(i), statRecord(i, 97));
      const file = await writeNdjson(path.join(dir, 'backfill.ndjson'), lines);
      const checkpoint = path.join(dir, 'run.ckpt');
      const failed = path.join(dir, 'failed.ndjson');
      const firstReport = path.join(dir, 'first.json');
      const common = [file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', 'session-key-ABC', '--checkpoint', checkpoint, '--failed', failed, '--quiet'];

      const r = receiver;
      const first = await runCli(['replay', ...common, '--rate', '400', '--grace', '2s', '--report', firstReport], { when: () => r.stats().totals.requests >= 200 });
      assert.equal(first.code, 130, first.stderr);
      assert.ok(existsSync(checkpoint), 'the checkpoint was written');
      const report = JSON.parse(await readFile(firstReport, 'utf8')) as Report;
      assert.equal(report.interrupted, true);
      const afterFirst = receiver.stats();
      assert.ok(afterFirst.totals.records > 0 && afterFirst.totals.records < 3000, `stopped mid-run: ${afterFirst.totals.records} records in`);
      assert.equal(report.totals.succeeded, afterFirst.totals.records, 'the report counts what the receiver accepted');

      const second = await runCli(['replay', ...common, '--resume']);
      assert.equal(second.code, 0, second.stderr);

      const seen = receiver.stats();
      assert.equal(seen.totals.duplicates, 0, 'no SUD report was sent twice');
      assert.equal(seen.totals.records, 3000);
      for (const endpoint of ['sud.report_game_info', 'stat.push_data'] as const) {
        const { distinct, repeated } = onceEach(seen.keys?.[endpoint]);
        assert.equal(distinct, 1500, endpoint);
        assert.deepEqual(repeated, [], endpoint);
      }
      assert.equal(existsSync(failed) ? (await readFile(failed, 'utf8')).trim() : '', '', 'nothing failed');
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('a second Ctrl-C exits 130 at once, and what was settled stays settled: a resume delivers every record', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      // Slow answers and a long grace: only the second signal can end the run quickly.
      receiver = await startReceiver({ port: 0, trackKeys: true, latencyMs: 300 });
      const lines = [];
      for (let i = 0; i < 600; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), lines);
      const checkpoint = path.join(dir, 'run.ckpt');
      const common = ['replay', file, '--target', receiver.url, '--checkpoint', checkpoint, '--quiet'];
      const r = receiver;
      const first = await runCli([...common, '--concurrency', '8', '--grace', '20s'], { when: () => r.stats().totals.requests >= 40, times: 2, gapMs: 150 });
      assert.equal(first.code, 130, first.stderr);
      assert.ok(first.afterLastSignalMs < 1000, `exited ${first.afterLastSignalMs.toFixed(0)} ms after the second signal`);
      assert.ok(existsSync(checkpoint));
      assert.ok(receiver.stats().totals.requests < 600, 'it stopped mid-run');
      const second = await runCli([...common, '--resume']);
      assert.equal(second.code, 0, second.stderr);
      const { distinct } = onceEach(receiver.stats().keys?.['sud.report_game_info']);
      assert.equal(distinct, 600, 'no record was lost');
    } finally {
      await receiver?.close();
      await remove();
    }
  });
});
