import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildReport } from '../src/report/report.js';
import { RunStats, type Totals } from '../src/report/stats.js';
import { renderSummary } from '../src/report/table.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { ROOT, runCli } from './helpers/cli.js';
import { replayOptions, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

/** Every record taken is accounted for once: invalid, a duplicate, delivered, failed, or left unsent. */
function assertAddsUp(t: Totals, label: string): void {
  assert.equal(t.records, t.invalid + t.duplicates + t.succeeded + t.failed + t.unsent, `${label}: ${JSON.stringify(t)}`);
  assert.equal(t.valid, t.duplicates + t.succeeded + t.failed + t.unsent, `${label}: valid records all went somewhere`);
}

describe('every record taken is delivered, failed, or counted unsent', () => {
  test('a paced run cut short by --duration counts what it never sent, per endpoint, in the report and the table', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
    try {
      const lines: (Record<string, unknown> | string)[] = ['{"broken json'];
      for (let i = 0; i < 60; i++) lines.push(sudRecord(i), statRecord(i, 4));
      lines.push(sudRecord(3));
      const file = await writeNdjson(path.join(dir, 'mixed.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      // 20 requests/s for 0.5 s: exactly 10 requests are due; the rest is built, held or queued, and never sent.
      const outcome = await runReplay(await replayOptions([file], receiver.url, { rate: 20, durationMs: 500 }), testIo(), stats);
      const report = buildReport(stats, { exitCode: 0 });
      const t = report.totals;
      // At most the 10 due (fewer only if a starved machine let the wall clock end the schedule first).
      assert.ok(t.requests > 0 && t.requests <= 10, `requests: ${t.requests}`);
      assert.ok(t.unsent > 50, `unsent: ${t.unsent}`);
      assert.equal(outcome.unsent, t.unsent);
      assertAddsUp(t, 'totals');
      for (const [id, e] of Object.entries(report.byEndpoint)) assertAddsUp(e, id);
      assert.equal(receiver.stats().totals.records, t.succeeded, 'the receiver got exactly what the report calls delivered');
      const text = renderSummary(report, { color: false, mode: 'replay' });
      // Unsent records are not a failure of delivery (the invalid line is).
      assert.match(text.split('\n')[0]!, new RegExp(`^FAILED ${t.succeeded} of ${t.records} records delivered in ${t.requests} requests, 1 duplicates skipped, ${t.unsent} unsent — 1 invalid in`));
      assert.match(text, /ok +failed +unsent +retries/);
      assert.match(text, /not sent before the run stopped/);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a --loop --duration run adds up too: its last pass is counted unsent, not lost', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
    try {
      const lines: Record<string, unknown>[] = [];
      for (let i = 0; i < 8; i++) lines.push(sudRecord(i), statRecord(i, 3));
      lines.push(sudRecord(0));
      const file = await writeNdjson(path.join(dir, 'loop.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      // Without --unique the looped SUD keys are duplicates; stat events batch and wait.
      await runReplay(await replayOptions([file], receiver.url, { rate: 40, durationMs: 400, loop: true }), testIo(), stats);
      const t = stats.totals();
      assert.ok(t.records >= 17);
      assert.ok(t.duplicates > 0);
      assertAddsUp(t, 'loop totals');
      for (const [id, e] of stats.byEndpoint) assertAddsUp({ ...e }, id);
      assert.equal(receiver.stats().totals.records, t.succeeded);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('an unpaced run stopped by --duration adds up', async () => {
    const { dir, remove } = await tempDir();
    // Slow answers, few in flight: most of the input is still queued when the time is up.
    const receiver = await startReceiver({ port: 0, latencyMs: 50 });
    try {
      const lines: Record<string, unknown>[] = [];
      for (let i = 0; i < 300; i++) lines.push(sudRecord(i));
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), lines);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { concurrency: 2, durationMs: 300 }), testIo(), stats);
      const t = stats.totals();
      assert.ok(t.unsent > 0, `unsent: ${t.unsent}`);
      assertAddsUp(t, 'unpaced');
    } finally {
      await receiver.close();
      await remove();
    }
  });
});

describe('one definition of a record', () => {
  test('a stat envelope holds one record per event: the replay and the receiver count the samples alike', async () => {
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
    try {
      const stats = new RunStats('replay', 5);
      const files = ['stat', 'sud', 'download'].map((api) => path.join(ROOT, 'samples', 'ndjson', `${api}.ndjson`));
      await runReplay(await replayOptions(files, receiver.url, { credentials: { statSecret: STAT_SECRET, statSessionKey: SESSION_KEY } }), testIo(), stats);
      const t = stats.totals();
      const seen = receiver.stats().totals;
      // 43 lines; two of the 30 stat lines are envelopes of 3 events each.
      assert.equal(t.records, 47);
      assert.equal(t.succeeded, 47);
      assert.equal(seen.records, 47, "the receiver's own count");
      assert.equal(stats.endpoint('stat.push_data').records, 34);
    } finally {
      await receiver.close();
    }
  });

  test('an envelope with no events is still one record, on both sides', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
    try {
      const ts = Math.floor(Date.now() / 1000);
      const file = await writeNdjson(path.join(dir, 'empty.ndjson'), [{ uid: 'u1', app_id: 10002, ts, data: [] }]);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url), testIo(), stats);
      assert.equal(stats.totals().succeeded, 1);
      assert.equal(receiver.stats().totals.records, 1);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('validate counts records the same way', async () => {
    const r = await runCli(['validate', 'samples/ndjson', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { totals: Totals };
    assert.equal(report.totals.records, 47);
    assert.equal(report.totals.valid, 47);
  });
});

describe('stat batches and their envelope', () => {
  test('one user\'s events logged at different times reach the server each under its own ts', async () => {
    const { dir, remove } = await tempDir();
    const recordFile = path.join(dir, 'received.ndjson');
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, record: recordFile });
    try {
      const base = Math.floor(Date.now() / 1000) - 3600;
      const event = (aid: number, ts: number) => ({ uid: 'u1', app_id: 10002, ts, aid, game_id: 7, game_v: '1.2.0', ...(aid === 2003 && { v: 30 }) });
      const file = await writeNdjson(path.join(dir, 'stat.ndjson'), [event(1000, base), event(1001, base + 300), event(2002, base + 300), event(2003, base + 900)]);
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url), testIo(), stats);
      assert.equal(stats.totals().succeeded, 4);
      await receiver.close();
      const requests = (await readFile(recordFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { url: string });
      const sent = requests.map((r) => {
        const params = new URLSearchParams(r.url.slice(r.url.indexOf('?') + 1));
        return [Number(params.get('ts')), (JSON.parse(params.get('data')!) as { aid: number }[]).map((e) => e.aid)];
      });
      assert.deepEqual(sent, [
        [base, [1000]],
        [base + 300, [1001, 2002]],
        [base + 900, [2003]],
      ]);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
