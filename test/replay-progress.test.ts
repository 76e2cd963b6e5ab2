import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startReceiver } from '../src/serve/receiver.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { replayOptions, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

test('against a slow server the progress line shows the requests in flight, never "0 req/s"', async (t) => {
  const { dir, remove } = await tempDir();
  // Every answer takes longer than a redraw: the line is drawn while all slots are held.
  const receiver = await startReceiver({ port: 0, latencyMs: 800 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const records = [];
  for (let i = 0; i < 16; i++) records.push(sudRecord(i));
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), records);
  const io = testIo();
  const outcome = await runReplay(await replayOptions([file], receiver.url, { concurrency: 8, progress: true }), io, new RunStats('replay', 5));
  assert.equal(outcome.undelivered, 0);
  assert.match(io.stdout.text, /\r16 read {2}0 delivered {2}0 failed {2}8 requests {2}8 in flight/);
  assert.doesNotMatch(io.stdout.text, / 0 req\/s/);
});
