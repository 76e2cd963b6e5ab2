import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { startHoldingServer } from './helpers/servers.js';
import { SAFETY_TIMEOUT_MS, waitFor, waitForStats } from './helpers/wait.js';
import { onceEach, replayOptions, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

function sudFile(dir: string, count: number): Promise<string> {
  const lines = [];
  for (let i = 0; i < count; i++) lines.push(sudRecord(i));
  return writeNdjson(path.join(dir, 'sud.ndjson'), lines);
}

describe('stopping', () => {
  test('SIGTERM stops the run like Ctrl-C: interrupted, checkpoint written, the signal listeners removed afterwards', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackKeys: true });
    const listenersBefore = process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
    try {
      const file = await sudFile(dir, 400);
      const checkpointFile = path.join(dir, 'run.ckpt');
      const stats = new RunStats('replay', 5);
      const running = runReplay(await replayOptions([file], receiver.url, { rate: 200, checkpointFile }), testIo(), stats);
      // Mid-run, by the receiver's count (at 200/s the 400 records take 2 s). A synthetic
      // signal: the listener runs, and nothing outside this process is touched.
      await waitForStats(receiver, (s) => s.totals.records > 20, 'more than 20 records');
      process.emit('SIGTERM', 'SIGTERM');
      const outcome = await running;
      assert.equal(outcome.interrupted, true);
      assert.equal(stats.interrupted, true);
      assert.ok(existsSync(checkpointFile));
      const delivered = stats.totals().succeeded;
      assert.ok(delivered > 20 && delivered < 400, `stopped mid-run after ${delivered}`);
      assert.equal(receiver.stats().totals.records, delivered);
      assert.equal(process.listenerCount('SIGTERM') + process.listenerCount('SIGINT'), listenersBefore);

      // The rest, resumed, completes the input exactly once.
      const rest = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { checkpointFile, resume: true }), testIo(), rest);
      assert.equal(delivered + rest.totals().succeeded, 400);
      const { distinct, repeated } = onceEach(receiver.stats().keys?.['sud.report_game_info']!);
      assert.equal(distinct, 400);
      assert.deepEqual(repeated, []);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('after --grace, requests still in flight are aborted and left unsettled, and the run returns', { timeout: SAFETY_TIMEOUT_MS }, async () => {
    const { dir, remove } = await tempDir();
    // It never answers, and the request timeout is far longer than the test's safety net:
    // only the end of the grace can end this run.
    const server = await startHoldingServer();
    try {
      const file = await sudFile(dir, 20);
      const checkpointFile = path.join(dir, 'run.ckpt');
      const stats = new RunStats('replay', 5);
      const running = runReplay(await replayOptions([file], server.url, { concurrency: 4, graceMs: 200, timeoutMs: 3_600_000, checkpointFile }), testIo(), stats);
      await waitFor(() => server.held === 4, 'the four requests the concurrency allows to be in flight');
      process.emit('SIGINT', 'SIGINT');
      const outcome = await running;
      assert.equal(outcome.interrupted, true);
      assert.equal(stats.totals().requests, 4, 'four went before the signal');
      assert.equal(stats.totals().succeeded + stats.totals().failed, 0);
      assert.equal(outcome.unsent, 20, 'aborted and queued records are all left for --resume');
      assert.equal(outcome.undelivered, 0, 'an aborted request is not a failed record');
      assert.match(stats.notes.join('\n'), /--resume continues where this run stopped; 20 records read were not sent/);
      assert.equal(server.held, 4, 'nothing was sent after the signal');
    } finally {
      await server.close();
      await remove();
    }
  });

  test('with progress on, a live line is drawn while sending and cleared at the end', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const file = await sudFile(dir, 120);
      const io = testIo();
      await runReplay(await replayOptions([file], receiver.url, { rate: 200, progress: true }), io, new RunStats('replay', 5));
      assert.match(io.stdout.text, /\r/);
      assert.match(io.stdout.text, /120/, 'the line counts the records');
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
