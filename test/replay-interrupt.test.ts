import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { runCli, startCli } from './helpers/cli.js';
import { startHoldingServer, type HoldingServer } from './helpers/servers.js';
import { waitFor, waitForStats } from './helpers/wait.js';
import { onceEach, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

describe('interrupt and resume', () => {
  test('Ctrl-C mid-run exits 130 with a checkpoint; the same command with --resume completes, and the receiver saw every record exactly once', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    try {
      receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, trackKeys: true, record: path.join(dir, 'received.ndjson') });
      const lines = [];
      for (let i = 0; i < 1500; i++) lines.push(sudRecord(i), statRecord(i, 97));
      const file = await writeNdjson(path.join(dir, 'backfill.ndjson'), lines);
      const checkpoint = path.join(dir, 'run.ckpt');
      const failed = path.join(dir, 'failed.ndjson');
      const firstReport = path.join(dir, 'first.json');
      const common = [file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--checkpoint', checkpoint, '--failed', failed, '--quiet'];

      // A grace far longer than the answers in flight need: they all end, none is cut off.
      const running = startCli(['replay', ...common, '--rate', '400', '--grace', '10m', '--report', firstReport]);
      await waitForStats(receiver, (s) => s.totals.requests >= 200, '200 requests');
      running.child.kill('SIGINT');
      const first = await running.exited;
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
        const { distinct, repeated } = onceEach(seen.keys?.[endpoint]!);
        assert.equal(distinct, 1500, endpoint);
        assert.deepEqual(repeated, [], endpoint);
      }
      assert.equal(existsSync(failed) ? (await readFile(failed, 'utf8')).trim() : '', '', 'nothing failed');
    } finally {
      await receiver?.close();
      await remove();
    }
  });

  test('a second Ctrl-C exits 130 at once, and what was settled stays settled: a resume delivers every record, none twice', async () => {
    const { dir, remove } = await tempDir();
    let receiver: Receiver | undefined;
    let gate: HoldingServer | undefined;
    try {
      receiver = await startReceiver({ port: 0, trackKeys: true });
      // The first 40 requests reach the receiver; the later ones are held unanswered, and the
      // grace and timeout outlast the test's safety net: only a second Ctrl-C ends the run.
      gate = await startHoldingServer({ forwardFirst: 40, to: receiver.url });
      const lines = [];
      for (let i = 0; i < 600; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), lines);
      const checkpoint = path.join(dir, 'run.ckpt');
      const common = ['replay', file, '--target', gate.url, '--checkpoint', checkpoint, '--quiet'];
      const running = startCli([...common, '--concurrency', '8', '--grace', '1h', '--timeout', '1h']);
      const g = gate;
      await waitFor(() => g.held === 8, 'every slot to be held');
      // Ctrl-C until it exits: the first drains, the next exits. Repeated, because two
      // signals that reach a busy process before it runs arrive as one.
      running.child.kill('SIGINT');
      const again = setInterval(() => running.child.kill('SIGINT'), 200);
      const first = await running.exited.finally(() => clearInterval(again));
      assert.equal(first.code, 130, first.stderr);
      assert.ok(existsSync(checkpoint));
      assert.equal(receiver.stats().totals.records, 40, 'it stopped mid-run, with 40 delivered');

      gate.forwardAll();
      const second = await runCli([...common, '--resume']);
      assert.equal(second.code, 0, second.stderr);
      const seen = receiver.stats();
      const { distinct, repeated } = onceEach(seen.keys?.['sud.report_game_info']!);
      assert.equal(distinct, 600, 'no record was lost');
      assert.deepEqual(repeated, [], 'the 40 settled before the signals were not sent again');
      assert.equal(seen.totals.duplicates, 0);
    } finally {
      await gate?.close();
      await receiver?.close();
      await remove();
    }
  });
});
