import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { onceEach, replayOptions, sudRecord, tempDir, testIo, writeNdjson } from './replay-helpers.js';

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
      // A synthetic signal: the listener runs, and nothing outside this process is touched.
      // Sent once the receiver has records (an event, not a timer: startup time varies under load).
      const poll = setInterval(() => {
        if (receiver.stats().totals.records < 30) return;
        clearInterval(poll);
        process.emit('SIGTERM', 'SIGTERM');
      }, 5);
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
      const { distinct, repeated } = onceEach(receiver.stats().keys?.['sud.report_game_info']);
      assert.equal(distinct, 400);
      assert.deepEqual(repeated, []);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('after --grace, requests still in flight are aborted and left unsettled, and the run returns promptly', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, latencyMs: 3000 });
    try {
      const file = await sudFile(dir, 20);
      const checkpointFile = path.join(dir, 'run.ckpt');
      const stats = new RunStats('replay', 5);
      const started = performance.now();
      const running = runReplay(await replayOptions([file], receiver.url, { concurrency: 4, graceMs: 200, checkpointFile }), testIo(), stats);
      setTimeout(() => process.emit('SIGINT', 'SIGINT'), 200);
      const outcome = await running;
      const tookMs = performance.now() - started;
      assert.ok(tookMs < 1500, `returned after ${tookMs.toFixed(0)} ms, not after the server's 3 s`);
      assert.equal(outcome.interrupted, true);
      assert.equal(stats.totals().requests, 4, 'four went before the signal');
      assert.equal(stats.totals().succeeded + stats.totals().failed, 0);
      assert.equal(outcome.unsent, 20, 'aborted and queued records are all left for --resume');
      assert.equal(outcome.undelivered, 0, 'an aborted request is not a failed record');
      assert.match(stats.notes.join('\n'), /20 records were not sent.*--resume/);
    } finally {
      await receiver.close();
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
