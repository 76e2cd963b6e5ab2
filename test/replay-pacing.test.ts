import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { onceEach, replayOptions, sudRecord, tempDir, testIo, writeNdjson } from './replay-helpers.js';

/**
 * Arrivals per second: the least-squares slope of arrival index over arrival time, so one
 * request delayed by a busy machine (the first one pays for warming the client) does not
 * swing the result the way first-to-last would.
 */
function arrivalRate(arrivals: readonly number[]): number {
  const n = arrivals.length;
  const meanT = arrivals.reduce((a, b) => a + b, 0) / n;
  const meanI = (n - 1) / 2;
  let num = 0;
  let den = 0;
  arrivals.forEach((t, i) => {
    num += (t - meanT) * (i - meanI);
    den += (t - meanT) ** 2;
  });
  return (num / den) * 1000;
}

function checkAppUpdate(i: number, time: unknown): Record<string, unknown> {
  return { _api: 'download.checkAppUpdate', _time: time, errorCode: '0', appid: 5013, openid: `o-${i}`, totaltime: 77, platform: 2, ver_addr: 'ver.example.com', version: '1.4.1', build: '', resultCode: 0, versionType: 2 };
}

describe('pacing', () => {
  test('at --rate 200 for 5 s the receiver sees 200 requests/s (within 5%), 1000 requests in all', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackArrivals: true });
    try {
      const lines = [];
      for (let i = 0; i < 1200; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'load.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      const outcome = await runReplay(await replayOptions([file], receiver.url, { rate: 200, durationMs: 5000 }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(outcome.undelivered, 0);
      // Request i is due at i/200 s: exactly the 1000 due before 5 s are sent.
      assert.equal(counts.requests, 1000);
      assert.equal(receiver.arrivals.length, 1000);
      const seen = arrivalRate(receiver.arrivals);
      assert.ok(Math.abs(seen - 200) <= 10, `the receiver saw ${seen.toFixed(1)} requests/s`);
      const rate = stats.rate();
      assert.ok(Math.abs(rate.achieved - 200) <= 10, `the report says ${rate.achieved.toFixed(1)} requests/s`);
      assert.ok(Math.abs(rate.target! - 200) < 0.01, `target ${rate.target}`);
      assert.ok(counts.late < counts.requests / 2, `late: ${counts.late}`);
      // The rest of the input was never taken: not settled, not counted as sent.
      assert.equal(counts.succeeded, 1000);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('--pace original --speed 10 reproduces the log\'s spacing ten times faster, from `_time` when the API has no time', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackArrivals: true });
    try {
      const base = Date.parse('2024-05-01T10:00:00Z');
      // Seconds apart in the log: 0, 1, 3, 4 (ISO text, epoch ms and epoch seconds all read).
      const lines = [checkAppUpdate(0, new Date(base).toISOString()), checkAppUpdate(1, base + 1000), checkAppUpdate(2, (base + 3000) / 1000), checkAppUpdate(3, new Date(base + 4000).toISOString())];
      const file = await writeNdjson(path.join(dir, 'timed.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { pace: 'original', speed: 10 }), testIo(), stats);
      assert.equal(stats.endpoint('download.checkAppUpdate').succeeded, 4);
      const offsets = receiver.arrivals.map((t) => t - receiver.arrivals[0]!);
      for (const [i, expected] of [0, 100, 300, 400].entries()) {
        assert.ok(Math.abs(offsets[i]! - expected) <= 30, `request ${i} arrived at +${offsets[i]!.toFixed(1)} ms, expected +${expected}`);
      }
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('--loop --unique repeats the input until --duration with new SUD keys each loop, so the receiver drops none', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackKeys: true });
    try {
      const file = await writeNdjson(path.join(dir, 'few.ndjson'), [sudRecord(1), sudRecord(2), sudRecord(3)]);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { rate: 60, durationMs: 500, loop: true, unique: true }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(counts.requests, 30, '60/s for 0.5 s');
      assert.equal(counts.duplicates, 0);
      const seen = receiver.stats();
      assert.equal(seen.totals.duplicates, 0);
      const { distinct, repeated } = onceEach(seen.keys?.['sud.report_game_info']);
      assert.equal(distinct, 30, 'ten loops of three, each key rewritten');
      assert.deepEqual(repeated, []);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('without --unique a looped SUD key is sent once and the repeats are counted as duplicates', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const file = await writeNdjson(path.join(dir, 'few.ndjson'), [sudRecord(1), sudRecord(2), sudRecord(1)]);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { rate: 100, durationMs: 300, loop: true }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(counts.requests, 2);
      assert.ok(counts.duplicates >= 1, `duplicates: ${counts.duplicates}`);
      assert.equal(receiver.stats().totals.requests, 2);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('when the concurrency bound holds requests back, they are late, latency from the due time shows it, and a note says why', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, latencyMs: 100 });
    try {
      const lines = [];
      for (let i = 0; i < 40; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'slow.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      // 2 in flight × 100 ms each: at most 20 requests/s against a target of 50.
      await runReplay(await replayOptions([file], receiver.url, { rate: 50, durationMs: 600, concurrency: 2 }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(counts.requests, 30);
      assert.ok(counts.late >= 20, `late: ${counts.late}`);
      const fromSend = counts.latency.getValueAtPercentile(90) / 1000;
      const fromDue = counts.latencyFromDue.getValueAtPercentile(90) / 1000;
      assert.ok(fromSend < 200, `the server answered in ~100 ms (p90 ${fromSend})`);
      assert.ok(fromDue > 400, `but measured from when they were due, requests waited far longer (p90 ${fromDue})`);
      assert.ok(stats.rate().achieved < 25);
      assert.match(stats.notes.join('\n'), /fell behind.*raise --concurrency/);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
