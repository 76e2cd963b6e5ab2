import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { EndpointId } from '../src/apis/api.js';
import type { Io } from '../src/commands/context.js';
import { runGenerate } from '../src/commands/generate.js';
import type { GeneratedApi } from '../src/generate/index.js';
import { resolveInputs, type InputSource } from '../src/input/sources.js';
import { mergeReports } from '../src/report/merge.js';
import { buildReport, reportJson, type Report } from '../src/report/report.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { replayDefaults, type ReplayOptions } from '../src/replay/options.js';
import { startReceiver } from '../src/serve/receiver.js';
import { tempDir } from './helpers/temp.js';

const SHARDS = 3;

function quietIo(): Io {
  const sink = () => new Writable({ write: (_c, _e, done) => done() });
  return { stdout: sink(), stderr: sink(), stdin: new PassThrough(), env: {}, cwd: process.cwd() };
}

function replayOptions(inputs: readonly InputSource[], baseUrl: string, shard: ReplayOptions['shard']): ReplayOptions {
  return replayDefaults(inputs, baseUrl, {
    credentials: { statSecret: 'shard-test-secret', statSessionKey: 'shard-test-session' },
    transport: 'undici',
    concurrency: 16,
    shard,
  });
}

/** One replay against a fresh receiver: its JSON report (as a file would hold it) and what the receiver accepted. */
async function replayOnce(inputs: readonly InputSource[], shard: ReplayOptions['shard']) {
  const receiver = await startReceiver({ port: 0, trackKeys: true });
  try {
    const stats = new RunStats('replay', 5);
    const outcome = await runReplay(replayOptions(inputs, receiver.url, shard), quietIo(), stats);
    assert.equal(outcome.interrupted, false);
    const report = JSON.parse(reportJson(buildReport(stats))) as Report;
    return { report, keys: receiver.stats().keys! };
  } finally {
    await receiver.close();
  }
}

async function generateFile(dir: string, api: GeneratedApi, count: number, format: 'ndjson' | 'csv', seed: number): Promise<string> {
  const file = path.join(dir, `${api}.${format}`);
  const out = createWriteStream(file);
  await runGenerate({ api, count, seed, format }, out);
  out.end();
  await once(out, 'close');
  return file;
}

/** The user a receiver's content key belongs to: the shard key README § Scaling out names. */
function ownerOf(endpoint: EndpointId, key: string): string {
  if (endpoint === 'sud.report_game_info') return key.slice(key.indexOf(':') + 1);
  const value = JSON.parse(key) as Record<string, unknown>;
  if (endpoint === 'stat.push_data') return String(value.uid);
  return `${String(value.appid)}+${String(value.oepnid ?? value.openid)}`;
}

test('shards are disjoint and complete, keep each user in one shard, and their merged report counts what the unsharded run counts', async (t) => {
  const dir = tempDir(t, 'shard-merge');
  const stat = await generateFile(dir, 'stat', 1500, 'ndjson', 21);
  const sud = await generateFile(dir, 'sud', 400, 'csv', 22);
  const download = await generateFile(dir, 'download', 400, 'ndjson', 23);
  // Invalid records are some shard's to report, exactly once.
  await appendFile(stat, 'this is not json\n{"uid":"X1","app_id":1,"aid":99999}\n{"hello":"world"}\n');
  const inputs = await resolveInputs([stat, sud, download]);

  const whole = await replayOnce(inputs, undefined);
  const shards = [];
  for (let index = 0; index < SHARDS; index++) shards.push(await replayOnce(inputs, { index, count: SHARDS }));
  const merged = mergeReports(shards.map((s) => s.report));

  // Counts: the merged shards are the unsharded run.
  for (const field of ['records', 'valid', 'invalid', 'warnings', 'duplicates', 'succeeded', 'failed'] as const) {
    assert.equal(merged.totals[field], whole.report.totals[field], `totals.${field}`);
  }
  assert.equal(merged.totals.records, 1500 + 3 + 400 + 400);
  assert.equal(merged.totals.invalid, 3);
  assert.equal(merged.totals.succeeded, 2300);
  for (const id of Object.keys(whole.report.byEndpoint)) {
    assert.equal(merged.byEndpoint[id]!?.records, whole.report.byEndpoint[id]!.records, `${id} records`);
    assert.equal(merged.byEndpoint[id]!?.succeeded, whole.report.byEndpoint[id]!.succeeded, `${id} succeeded`);
  }
  for (const id of ['sud.report_game_info', 'download.checkAppUpdate', 'download.downloadEvent']) {
    assert.equal(merged.byEndpoint[id]!?.requests, whole.report.byEndpoint[id]!.requests, `${id}: one request per record`);
  }
  assert.deepEqual(
    merged.findings.map((f) => [f.rule, f.count]),
    whole.report.findings.map((f) => [f.rule, f.count]),
    'findings by rule',
  );
  assert.equal(merged.byEndpoint['stat.push_data']!.latencyMs.p99 > 0, true, 'latency histograms merged');

  // Disjoint and complete, at the receivers: every record arrived at exactly one shard's receiver.
  for (const endpoint of Object.keys(whole.keys) as EndpointId[]) {
    const expected = whole.keys[endpoint]!;
    const union = new Map<string, number>();
    const ownerShard = new Map<string, number>();
    shards.forEach((shard, index) => {
      for (const [key, n] of Object.entries(shard.keys[endpoint]!)) {
        union.set(key, (union.get(key) ?? 0) + n);
        const owner = ownerOf(endpoint, key);
        const seen = ownerShard.get(owner);
        assert.ok(seen === undefined || seen === index, `${endpoint}: ${owner} is in shards ${seen} and ${index}`);
        ownerShard.set(owner, index);
      }
    });
    assert.deepEqual(Object.fromEntries(union), expected, `${endpoint}: the shards together received exactly what the unsharded run sent`);
    if (Object.keys(expected).length > 50) {
      const used = new Set(ownerShard.values());
      assert.equal(used.size, SHARDS, `${endpoint}: every shard got a share`);
    }
  }
});
