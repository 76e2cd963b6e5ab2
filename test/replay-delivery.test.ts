import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { parseExact } from '../src/json/exact.js';
import { parseThreshold } from '../src/commands/options/values.js';
import { downloadRecord, onceEach, replayOptions, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

describe('delivery through faults', () => {
  test('every record is accepted exactly once through 503s, 429s and a failed first SUD delivery, and the report agrees with the receiver', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, failRate: 0.2, throttleRate: 0.05, retryAfterSeconds: 1, sudFailFirst: true, seed: 7, trackKeys: true });
    try {
      const lines = [];
      for (let i = 0; i < 150; i++) lines.push(sudRecord(i), statRecord(i), statRecord(i + 1000), downloadRecord(i));
      const file = await writeNdjson(path.join(dir, 'mixed.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      // Short delays so the test is quick; more retries so a record that meets a 25% fault rate
      // five times in a row (p ≈ 0.1%) does not fail the test by chance.
      const options = await replayOptions([file], receiver.url, { retries: 8, retryDelayMs: 5, concurrency: 16 });
      const outcome = await runReplay(options, testIo(), stats);

      const totals = stats.totals();
      const seen = receiver.stats();
      assert.equal(outcome.undelivered, 0);
      assert.equal(outcome.interrupted, false);
      assert.equal(totals.records, 600);
      assert.equal(totals.succeeded, 600);
      assert.equal(totals.failed, 0);
      assert.ok(totals.retries > 150, `every SUD record needed a retry, and the 503s and 429s more: ${totals.retries}`);
      // Every HTTP attempt the engine made arrived, and every record it counts delivered was accepted.
      assert.equal(seen.totals.requests, totals.requests + totals.retries);
      assert.equal(seen.totals.records, totals.succeeded);
      assert.equal(seen.totals.duplicates, 0);
      assert.equal(seen.totals.rejected, 0);
      for (const [endpoint, expected] of [['sud.report_game_info', 150], ['stat.push_data', 300], ['download.downloadEvent', 150]] as const) {
        const { distinct, repeated } = onceEach(seen.keys?.[endpoint]);
        assert.equal(distinct, expected, endpoint);
        assert.deepEqual(repeated, [], endpoint);
        assert.equal(stats.endpoint(endpoint).succeeded, expected);
      }
      // stat events were batched per user: fewer requests than events.
      assert.ok(stats.endpoint('stat.push_data').requests < 300);
      assert.equal(stats.failures.size, 0);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a record whose retries are spent is failed with its cause, written to --failed, and Retry-After was waited out', async () => {
    const { dir, remove } = await tempDir();
    const recordFile = path.join(dir, 'received.ndjson');
    const receiver = await startReceiver({ port: 0, throttleRate: 1, retryAfterSeconds: 1, seed: 1, record: recordFile });
    try {
      const file = await writeNdjson(path.join(dir, 'one.ndjson'), [sudRecord(1)]);
      const failedFile = path.join(dir, 'failed.ndjson');
      const stats = new RunStats('replay', 5);
      const options = await replayOptions([file], receiver.url, { retries: 1, retryDelayMs: 5, failedFile });
      const outcome = await runReplay(options, testIo(), stats);
      assert.equal(outcome.undelivered, 1);
      assert.equal(stats.totals().failed, 1);
      assert.equal(stats.totals().succeeded, 0);
      assert.deepEqual([...stats.failures], [['http 429', { count: 1, example: 'too many requests (injected fault)' }]]);

      const failed = (await readFile(failedFile, 'utf8')).trim().split('\n').map((l) => parseExact(l) as Record<string, unknown>);
      assert.equal(failed.length, 1);
      // The cause, and the server's own words for it.
      assert.equal(failed[0]!._error, 'http 429: too many requests (injected fault)');
      assert.equal(failed[0]!._api, 'sud.report_game_info');
      // The failed line replays as it is: the record's fields, int64 exact.
      assert.equal((failed[0]!.report_msg as Record<string, unknown>).mg_id, 1461227817776713818n);
      assert.equal((failed[0]!.report_msg as Record<string, unknown>).game_round_id, 'round-1');

      await receiver.close();
      const arrivals = (await readFile(recordFile, 'utf8')).trim().split('\n').map((l) => Date.parse((JSON.parse(l) as { time: string }).time));
      assert.equal(arrivals.length, 2, 'the first attempt and one retry');
      assert.ok(arrivals[1]! - arrivals[0]! >= 990, `the retry waited for Retry-After: 1 (${arrivals[1]! - arrivals[0]!} ms)`);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a 4xx other than 429 is not retried', async () => {
    const { dir, remove } = await tempDir();
    // The receiver refuses stat requests whose __md5 does not verify (403).
    const receiver = await startReceiver({ credentials: { statSecret: 'the-receivers-secret' }, port: 0 });
    try {
      const file = await writeNdjson(path.join(dir, 'stat.ndjson'), [statRecord(1, 1), statRecord(2, 1)]);
      const stats = new RunStats('replay', 5);
      const outcome = await runReplay(await replayOptions([file], receiver.url, { retryDelayMs: 5 }), testIo(), stats);
      assert.equal(outcome.undelivered, 2);
      assert.equal(stats.totals().requests, 1, 'two events of one user: one batch');
      assert.equal(stats.totals().retries, 0);
      assert.equal(receiver.stats().totals.requests, 1);
      assert.deepEqual([...stats.failures], [['http 403', { count: 2, example: '__md5 does not match the md5-sorted signature of the parameters' }]]);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});

describe('checkpoint and thresholds', () => {
  test('a run cut short by --duration leaves the rest unsettled; --resume sends exactly the rest, appends to --failed, and thresholds judge it', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, trackKeys: true });
    try {
      const lines = [sudRecord(1), '{"not json', sudRecord(2), statRecord(0, 1), sudRecord(3)];
      const file = await writeNdjson(path.join(dir, 'in.ndjson'), lines);
      const checkpointFile = path.join(dir, 'run.ckpt');
      const failedFile = path.join(dir, 'failed.ndjson');
      // The stat event is signed with a secret the receiver does not know: it fails for good (403).
      const common = { checkpointFile, failedFile, credentials: { statSecret: 'not-the-receivers', statSessionKey: SESSION_KEY } };

      // 1 request/s for 1.5 s: SUD 1 (due at once) and SUD 2 (due at 1 s, unless the machine
      // lags past the end) are sent; SUD 3 (due at 2 s) and the stat event never are.
      const first = new RunStats('replay', 5);
      const cut = await runReplay(await replayOptions([file], receiver.url, { ...common, rate: 1, durationMs: 1500 }), testIo(), first);
      const delivered = first.totals().succeeded;
      assert.ok(delivered === 1 || delivered === 2, `${delivered} delivered`);
      assert.equal(cut.undelivered, 0);
      assert.equal(cut.unsent, 4 - delivered, 'the valid records taken but not sent, the stat event among them');
      assert.equal((await readFile(failedFile, 'utf8')).trim().split('\n').length, 1, 'the invalid line');

      const second = new RunStats('replay', 5);
      const rest = await runReplay(await replayOptions([file], receiver.url, { ...common, resume: true, thresholds: ['failed<1%', 'p99<60000'].map(parseThreshold) }), testIo(), second);
      assert.equal(second.totals().records, 4 - delivered, 'only the unsettled records are read again');
      assert.equal(second.totals().succeeded, 3 - delivered, 'the SUD records left');
      assert.equal(rest.undelivered, 1);
      assert.deepEqual(rest.thresholds.map((t) => [t.expression, t.ok]), [['failed<1%', false], ['p99<60000', true]]);

      const seen = receiver.stats();
      assert.equal(seen.byEndpoint['sud.report_game_info']!.records, 3);
      assert.equal(seen.totals.duplicates, 0);
      assert.equal(seen.byEndpoint['stat.push_data']!.rejected, 1);
      const failed = (await readFile(failedFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.deepEqual(failed.map((f) => f._source), [`${file}:2`, `${file}:4`], 'appended: the first run\'s line is kept');
      assert.equal(failed[1]!._error, 'http 403: __md5 does not match the md5-sorted signature of the parameters');

      // Resuming once more finds everything settled: nothing is read or sent.
      const third = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { ...common, resume: true }), testIo(), third);
      assert.equal(third.totals().records, 0);
      assert.equal(receiver.stats().totals.requests, seen.totals.requests);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
