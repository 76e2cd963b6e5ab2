import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { SAFETY_TIMEOUT_MS } from './helpers/wait.js';
import { onceEach, replayOptions, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

/** The clock of `Receiver.arrivals`: epoch ms, sub-millisecond. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Due times may be met up to 0.5 ms early (timers fire on whole milliseconds). */
const EARLY_MS = 1;

/**
 * Which arrivals came before their due time: the k-th arrival (in time order) can come no
 * earlier than `start + dueMs[k]`, since at least one of the first k+1 requests sent is due
 * that late. A busy machine makes requests late, never early, so this holds however loaded
 * it is — and a burst breaks it at once.
 */
function earlyArrivals(arrivals: readonly number[], start: number, dueMs: (k: number) => number): string[] {
  return [...arrivals]
    .sort((a, b) => a - b)
    .flatMap((t, k) => (t - start < dueMs(k) - EARLY_MS ? [`arrival ${k} at +${(t - start).toFixed(1)} ms, due at +${dueMs(k)}`] : []));
}

function checkAppUpdate(i: number, time: unknown): Record<string, unknown> {
  return { _api: 'download.checkAppUpdate', _time: time, errorCode: '0', appid: 5013, openid: `o-${i}`, totaltime: 77, platform: 2, ver_addr: 'ver.example.com', version: '1.4.1', build: '', resultCode: 0, versionType: 2 };
}

describe('pacing', () => {
  test('--rate 50 with --duration 1s: no request before its due time (no burst), each record delivered once, the rest never taken', async () => {
    // The achieved rate and the lateness are timing goals: `npm run bench -- pacing` measures them.
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackArrivals: true, trackKeys: true });
    try {
      const lines = [];
      for (let i = 0; i < 200; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'load.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      const options = await replayOptions([file], receiver.url, { rate: 50, durationMs: 1000 });
      const start = now();
      const outcome = await runReplay(options, testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(outcome.undelivered, 0);
      // Request i is due at i/50 s: at most the 50 due before 1 s are sent (fewer when the machine lags).
      assert.ok(counts.requests > 1 && counts.requests <= 50, `${counts.requests} requests`);
      assert.equal(receiver.arrivals.length, counts.requests);
      // 20 ms apart: far slower than the engine can send even on a loaded machine, so a burst shows.
      assert.deepEqual(earlyArrivals(receiver.arrivals, start, (k) => k * 20), [], 'no request went before its due time: no burst');
      // The target is read off the due times, which a request sent up to EARLY_MS (0.5 ms) before
      // its due time records as its send time (dispatcher.ts): over ~1 s that is at most 0.05%.
      assert.ok(Math.abs(stats.rate().target! - 50) < 0.05, `target ${stats.rate().target}`);
      // Every request sent was delivered once; the rest of the input was never taken.
      assert.equal(counts.succeeded, counts.requests);
      const { distinct, repeated } = onceEach(receiver.stats().keys?.['sud.report_game_info']);
      assert.equal(distinct, counts.requests);
      assert.deepEqual(repeated, []);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('--pace original --speed 1000 keeps the log\'s order and spacing, a thousand times faster, from `_time` when the API has no time', { timeout: SAFETY_TIMEOUT_MS }, async () => {
    // The log spans 400 s: without --speed the run would outlast this test's time limit.
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackArrivals: true, trackKeys: true });
    try {
      const base = Date.parse('2024-05-01T10:00:00Z');
      // Seconds apart in the log: 0, 100, 300, 400 (ISO text, epoch ms and epoch seconds all read).
      const lines = [checkAppUpdate(0, new Date(base).toISOString()), checkAppUpdate(1, base + 100_000), checkAppUpdate(2, (base + 300_000) / 1000), checkAppUpdate(3, new Date(base + 400_000).toISOString())];
      const file = await writeNdjson(path.join(dir, 'timed.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      const options = await replayOptions([file], receiver.url, { pace: 'original', speed: 1000 });
      const start = now();
      await runReplay(options, testIo(), stats);
      assert.equal(stats.endpoint('download.checkAppUpdate').succeeded, 4);
      const due = [0, 100, 300, 400];
      assert.deepEqual(earlyArrivals(receiver.arrivals, start, (k) => due[k]!), [], 'each request waited for its time in the log');
      // In the log's order: the receiver's keys are kept in arrival order.
      const openids = Object.keys(receiver.stats().keys?.['download.checkAppUpdate'] ?? {}).map((key) => (JSON.parse(key) as { openid: string }).openid);
      assert.deepEqual(openids, ['o-0', 'o-1', 'o-2', 'o-3']);
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
      await runReplay(await replayOptions([file], receiver.url, { rate: 100, durationMs: 1000, loop: true, unique: true }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      // 100/s for 1 s: at most 100 (fewer when the machine lags), and more than one loop of three.
      assert.ok(counts.requests > 3 && counts.requests <= 100, `${counts.requests} requests`);
      assert.equal(counts.duplicates, 0);
      assert.equal(counts.succeeded, counts.requests);
      const seen = receiver.stats();
      assert.equal(seen.totals.duplicates, 0);
      const { distinct, repeated } = onceEach(seen.keys?.['sud.report_game_info']);
      assert.equal(distinct, counts.requests, 'every loop sent its three keys rewritten: no two alike');
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
      // The second loop admits nothing, so the run ends there, long before --duration.
      await runReplay(await replayOptions([file], receiver.url, { rate: 100, durationMs: 3_600_000, loop: true }), testIo(), stats);
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
      for (let i = 0; i < 12; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'slow.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      // One in flight × at least 100 ms each: at most 10 requests/s against a target of 50.
      // Request k is due at 20k ms but cannot go before 100k ms, however fast the machine:
      // every request after the first waits at least 80 ms behind the bound.
      await runReplay(await replayOptions([file], receiver.url, { rate: 50, concurrency: 1 }), testIo(), stats);
      const counts = stats.endpoint('sud.report_game_info');
      assert.equal(counts.requests, 12);
      // Enough late requests for the note (one timer hiccup never makes it).
      assert.ok(counts.late >= 11, `late: ${counts.late}`);
      const fromSend = counts.latency.getValueAtPercentile(90) / 1000;
      const fromDue = counts.latencyFromDue.getValueAtPercentile(90) / 1000;
      // Request 8 waits ≥ 640 ms for its slot, then ≥ 100 ms for the answer.
      assert.ok(fromDue >= 700, `measured from when they were due, requests waited far longer than the answer took (p90 ${fromDue})`);
      assert.ok(fromDue > fromSend, `p90 from the due time ${fromDue}, from the send ${fromSend}`);
      assert.ok(stats.rate().achieved < 25);
      assert.match(stats.notes.join('\n'), /fell behind.*raise --concurrency/);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
