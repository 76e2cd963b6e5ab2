/**
 * `replay --processes N` (README "Using every core"): N shard processes on one machine, one
 * merged summary. Real runs of the built CLI against a real receiver: every record is
 * delivered once across the shards, the merged counts are a single process's counts, and
 * the shards' checkpoints make Ctrl-C, a killed shard and a killed parent resumable with
 * nothing lost or sent twice. Signals go on receiver counts, never after a sleep.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { childArgs, shardPath, shareOf } from '../src/replay/processes/child-args.js';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { runCli, startCli } from './helpers/cli.js';
import { childPids } from './helpers/processes.js';
import { waitFor, waitForStats } from './helpers/wait.js';
import { downloadRecord, onceEach, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

const SUD = 'sud.report_game_info';
const STAT = 'stat.push_data';
const DOWNLOAD = 'download.downloadEvent';

describe('the command line of each shard', () => {
  test('--shard K/N added; --concurrency and --rate split; --checkpoint and --failed per shard; the parent keeps --processes, --report, --json, --threshold', () => {
    const argv = ['replay', 'a.ndjson', '--target', 'http://x', '--processes', '3', '--report=r.json', '--json', '--threshold', 'p99<200', 'failed<1%', '--rate', '300', '--concurrency=10', '--checkpoint', 'd/run.ckpt', '--failed=f.ndjson', 'b.ndjson'];
    assert.deepEqual(childArgs(argv, { index: 1, count: 3, concurrency: 10 }), [
      'replay', 'a.ndjson', '--target', 'http://x', '--rate', '100', '--checkpoint', 'd/run.shard-1-of-3.ckpt', '--failed=f.shard-1-of-3.ndjson', 'b.ndjson',
      '--shard', '1/3', '--concurrency', '3', '--quiet',
    ]);
    assert.deepEqual(childArgs(['replay', 'x', '--ramp', '10:500:1m', '--', '--odd-name'], { index: 0, count: 2, concurrency: 64 }), ['replay', 'x', '--ramp', '5:250:1m', '--shard', '0/2', '--concurrency', '32', '--quiet', '--', '--odd-name']);
    assert.deepEqual([0, 1, 2].map((i) => shareOf(10, i, 3)), [4, 3, 3]);
    assert.equal(shareOf(1, 3, 4), 1, 'every shard sends');
    assert.equal(shardPath('failed', 2, 4), 'failed.shard-2-of-4');
    assert.equal(shardPath('/a.b/.hidden', 0, 2), '/a.b/.hidden.shard-0-of-2');
  });
});

async function input(dir: string): Promise<string> {
  const lines = [];
  for (let i = 0; i < 240; i++) {
    lines.push(statRecord(i, 13));
    if (i % 4 === 0) lines.push(sudRecord(i));
    if (i % 6 === 0) lines.push(downloadRecord(i));
  }
  return writeNdjson(path.join(dir, 'all.ndjson'), lines);
}

const RECORDS = 240 + 60 + 40;

function common(file: string, receiver: Receiver): string[] {
  return ['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY];
}

/** Every stat event, SUD round and download arrived exactly once. */
/** The pids of a --processes 2 run's two shards, once both are running. */
function shardPids(parent: number): Promise<number[]> {
  return waitFor(() => {
    const pids = childPids(parent);
    return pids.length === 2 ? pids : undefined;
  }, 'two shard processes');
}

function assertExactlyOnce(receiver: Receiver): void {
  const keys = receiver.stats().keys!;
  for (const [endpoint, n] of [[STAT, 240], [SUD, 60], [DOWNLOAD, 40]] as const) {
    const once = onceEach(keys[endpoint]);
    assert.equal(once.distinct, n, `${endpoint}: every record arrived`);
    assert.deepEqual(once.repeated, [], `${endpoint}: none twice`);
  }
  assert.equal(receiver.stats().byEndpoint[SUD]!.duplicates, 0);
}

describe('replay --processes N', () => {
  test('two shards deliver every record once; the merged report counts what one process counts; --threshold judges the merged run', async () => {
    const { dir, remove } = await tempDir();
    const one = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true });
    const two = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true });
    try {
      const file = await input(dir);
      const single = path.join(dir, 'single.json');
      const merged = path.join(dir, 'merged.json');
      const r1 = await runCli([...common(file, one), '--report', single, '--quiet']);
      assert.equal(r1.code, 0, r1.stderr);
      const r2 = await runCli([...common(file, two), '--processes', '2', '--report', merged, '--threshold', 'failed<1%', '--failed', path.join(dir, 'failed.ndjson')]);
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stdout, new RegExp(`^OK ${RECORDS} of ${RECORDS} records delivered`, 'm'));
      assert.match(r2.stdout, /merged from 2 reports/);
      assertExactlyOnce(two);
      const a = JSON.parse(readFileSync(single, 'utf8')) as Report;
      const b = JSON.parse(readFileSync(merged, 'utf8')) as Report;
      for (const field of ['records', 'valid', 'invalid', 'duplicates', 'succeeded', 'failed'] as const) assert.equal(b.totals[field], a.totals[field], field);
      for (const endpoint of [STAT, SUD, DOWNLOAD]) assert.equal(b.byEndpoint[endpoint]!.records, a.byEndpoint[endpoint]!.records, endpoint);
      assert.deepEqual(b.thresholds?.map((t) => t.ok), [true]);
      assert.equal(b.exitCode, 0);
    } finally {
      await Promise.all([one.close(), two.close()]);
      await remove();
    }
  });

  test('a dry run: the same counts and findings (rule by rule) with --processes 2 as with one process', async () => {
    const { dir, remove } = await tempDir();
    try {
      const lines: (Record<string, unknown> | string)[] = [];
      for (let i = 0; i < 90; i++) lines.push(statRecord(i, 7), ...(i % 3 === 0 ? [sudRecord(i), downloadRecord(i)] : []));
      for (let i = 0; i < 6; i++) lines.push(i % 2 ? `{"broken": ${i}` : { what: `unknown-${i}` }, sudRecord(1000 + i, { uid: 42 }));
      const file = await writeNdjson(path.join(dir, 'mixed.ndjson'), lines);
      const dry = ['replay', file, '--dry-run', '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--json'];
      const [one, two] = await Promise.all([runCli(dry), runCli([...dry, '--processes', '2'])]);
      assert.equal(one.code, 1, one.stderr);
      assert.equal(two.code, 1, two.stderr);
      const a = JSON.parse(one.stdout) as Report;
      const b = JSON.parse(two.stdout) as Report;
      assert.deepEqual(b.totals, a.totals);
      const byRule = (r: Report) => Object.fromEntries(r.findings.map((f) => [f.rule, f.count]));
      assert.deepEqual(byRule(b), byRule(a));
      for (const endpoint of [SUD, DOWNLOAD]) assert.equal(b.byEndpoint[endpoint]!.requests, a.byEndpoint[endpoint]!.requests);
    } finally {
      await remove();
    }
  });

  test('Ctrl-C stops every shard (exit 130); --resume with the same N sends the rest: each record once', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true, latencyMs: 200 });
    try {
      const file = await input(dir);
      const args = [...common(file, receiver), '--processes', '2', '--concurrency', '8', '--checkpoint', path.join(dir, 'run.ckpt'), '--failed', path.join(dir, 'failed.ndjson'), '--quiet'];
      const run = startCli(args);
      await waitForStats(receiver, (s) => s.totals.requests >= 16, '16 requests');
      run.child.kill('SIGINT');
      const first = await run.exited;
      assert.equal(first.code, 130, first.stderr);
      assert.match(first.stderr, /^report-replay: stopping: 2 shards finish what is in flight/m);
      assert.ok(receiver.stats().totals.requests < 300, 'the run stopped before its end');
      const wrong = await runCli([...args.map((a) => (a === '2' ? '3' : a)), '--resume']);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /checkpointed by --processes 2: resume it with --processes 2/);
      const second = await runCli([...args, '--resume']);
      assert.equal(second.code, 0, second.stderr);
      assertExactlyOnce(receiver);
      for (const k of [0, 1]) assert.ok(existsSync(path.join(dir, `run.shard-${k}-of-2.ckpt`)));
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a shard killed with SIGKILL: one line says which and how to resume (exit 2); --resume loses nothing', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true, latencyMs: 200 });
    try {
      const file = await input(dir);
      const checkpoint = path.join(dir, 'run.ckpt');
      const failed = path.join(dir, 'failed.ndjson');
      const args = [...common(file, receiver), '--processes', '2', '--concurrency', '8', '--checkpoint', checkpoint, '--failed', failed, '--quiet'];
      const run = startCli(args);
      const shards = await shardPids(run.child.pid!);
      await waitForStats(receiver, (s) => s.totals.requests >= 16, '16 requests');
      process.kill(shards[0]!, 'SIGKILL');
      const first = await run.exited;
      assert.equal(first.code, 2, first.stderr);
      const line = /^report-replay: shard 0\/2 was killed by SIGKILL before its report.*$/m.exec(first.stderr);
      assert.ok(line, first.stderr);
      assert.ok(line[0].endsWith(`--resume continues it from ${path.join(dir, 'run.shard-0-of-2.ckpt')}`), line[0]);
      const second = await runCli([...args, '--resume']);
      assert.ok(second.code === 0 || second.code === 1, second.stderr);

      // What was on the wire when the shard died is uncertain: SUD is sent again (the receiver
      // drops the duplicate round), stat and download are set aside in the shard's --failed.
      const keys = receiver.stats().keys!;
      const setAside = [0, 1].flatMap((k) => {
        const f = path.join(dir, `failed.shard-${k}-of-2.ndjson`);
        return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
      });
      for (const f of setAside) assert.match(String(f._error), /^uncertain/);
      const stat = new Set(Object.keys(keys[STAT] ?? {}).map((k) => (JSON.parse(k) as { v: number }).v));
      for (const f of setAside) if (f.aid === 2003) stat.add(f.v as number);
      assert.equal(stat.size, 240, 'every stat event arrived or is set aside');
      assert.equal(onceEach(keys[SUD]).distinct, 60, 'every SUD round arrived');
      const downloads = new Set(Object.keys(keys[DOWNLOAD] ?? {}));
      assert.ok(downloads.size + setAside.filter((f) => f._api === DOWNLOAD).length >= 40);
      assert.deepEqual(onceEach(keys[STAT]).repeated, [], 'no stat event twice');
      assert.deepEqual(onceEach(keys[DOWNLOAD]).repeated, [], 'no download twice');
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a killed parent: its shards stop as on Ctrl-C, and --resume sends the rest, each record once', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true, latencyMs: 200 });
    try {
      const file = await input(dir);
      const args = [...common(file, receiver), '--processes', '2', '--concurrency', '8', '--checkpoint', path.join(dir, 'run.ckpt'), '--quiet'];
      const run = startCli(args);
      const shards = await shardPids(run.child.pid!);
      await waitForStats(receiver, (s) => s.totals.requests >= 16, '16 requests');
      run.child.kill('SIGKILL');
      await run.exited;
      // The shards are gone once their checkpoints are closed (their lock is released).
      await waitFor(() => shards.every((pid) => !existsSync(`/proc/${pid}`)), 'the orphaned shards to stop');
      const second = await runCli([...args, '--resume']);
      assert.equal(second.code, 0, second.stderr);
      assertExactlyOnce(receiver);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
