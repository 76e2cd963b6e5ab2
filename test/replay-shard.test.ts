import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { fnv1a32, shardOf } from '../src/replay/intake/shard.js';
import { startReceiver } from '../src/serve/receiver.js';
import { downloadRecord, replayOptions, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

describe('shard hash', () => {
  test('is FNV-1a 32 over UTF-8 bytes (published test vectors), so every machine splits alike', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    // 'é' is two bytes in UTF-8: the same as hashing those bytes one by one.
    assert.equal(fnv1a32('é'), Math.imul(Math.imul(0x811c9dc5 ^ 0xc3, 0x01000193) ^ 0xa9, 0x01000193) >>> 0);
    assert.equal(shardOf('foobar', 4), 0xbf9cf968 % 4);
  });
});

describe('--shard K/N', () => {
  test('three shards are disjoint and together deliver every record once; each user stays in one shard; invalid records are reported by exactly one', async () => {
    const { dir, remove } = await tempDir();
    const receivers = await Promise.all([0, 1, 2].map(() => startReceiver({ port: 0, trackKeys: true })));
    try {
      const lines: (Record<string, unknown> | string)[] = [];
      for (let i = 0; i < 120; i++) lines.push(sudRecord(i), statRecord(i, 29), statRecord(i + 500, 29), downloadRecord(i));
      for (let i = 0; i < 9; i++) lines.push(i % 2 ? `{"broken": ${i}` : { what: `unknown-${i}` });
      const file = await writeNdjson(path.join(dir, 'all.ndjson'), lines);

      const runs = [];
      for (const index of [0, 1, 2]) {
        const stats = new RunStats('replay', 5);
        const failedFile = path.join(dir, `failed-${index}.ndjson`);
        await runReplay(await replayOptions([file], receivers[index]!.url, { shard: { index, count: 3 }, failedFile }), testIo(), stats);
        runs.push({ stats, failed: (await readFile(failedFile, 'utf8')).split('\n').filter(Boolean) });
      }

      const records = runs.map((r) => r.stats.totals().records);
      assert.equal(records.reduce((a, b) => a + b), 489, 'each record counted by one shard');
      assert.ok(records.every((n) => n > 50), `the split is not degenerate: ${records}`);
      for (const [i, run] of runs.entries()) {
        let otherShard = 0;
        for (const counts of run.stats.byEndpoint.values()) otherShard += counts.otherShard;
        assert.equal(otherShard, 489 - records[i]!, 'the rest belongs to the other shards');
      }
      assert.equal(runs.reduce((n, r) => n + r.stats.totals().invalid, 0), 9);
      const failedLines = runs.flatMap((r) => r.failed);
      assert.equal(failedLines.length, 9);
      assert.equal(new Set(failedLines.map((l) => (JSON.parse(l) as { _source: string })._source)).size, 9);

      for (const [endpoint, expected] of [['sud.report_game_info', 120], ['stat.push_data', 240], ['download.downloadEvent', 120]] as const) {
        const perShard = receivers.map((r) => Object.keys(r.stats().keys?.[endpoint]! ?? {}));
        const all = perShard.flat();
        assert.equal(all.length, expected, `${endpoint}: complete`);
        assert.equal(new Set(all).size, expected, `${endpoint}: disjoint`);
        for (const r of receivers) assert.ok(Object.values(r.stats().keys?.[endpoint]! ?? {}).every((n) => n === 1));
      }
      const usersPerShard = receivers.map((r) => new Set(Object.keys(r.stats().keys?.['stat.push_data']! ?? {}).map((k) => (JSON.parse(k) as { uid: string }).uid)));
      const users = usersPerShard.flatMap((s) => [...s]);
      assert.equal(new Set(users).size, users.length, 'no user is split across shards');
      assert.equal(users.length, 29);
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
      await remove();
    }
  });
});
