/**
 * Exactly once with `replay --workers 2` (README "replay", "Checkpoint and resume"): faults
 * from the receiver, Ctrl-C then --resume, kill -9 then --resume, and a worker thread that
 * dies mid-run (one line, exit 2) then --resume — every record of the input is delivered or
 * in --failed, and none is counted twice by the receiver. The reference is what a clean
 * `--workers 0` run delivers. Signals are sent on receiver counts, never after a sleep.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver, type Receiver, type ReceiverOptions } from '../src/serve/receiver.js';
import { runCli, startCli } from './helpers/cli.js';
import { makeTempDir } from './helpers/temp.js';
import { SESSION_KEY, STAT_SECRET } from './helpers/replay.js';
import { waitForStats } from './helpers/wait.js';
import { SMALL_RANGES, writeMixed } from './helpers/workers-input.js';

const SUD = 'sud.report_game_info';
const STAT = 'stat.push_data';

let dir: string;
let remove: () => Promise<void>;
let file: string;
/** Record ids a clean --workers 0 run delivers. */
let reference: Set<string>;

/** The receiver's content keys as record ids (stat `v`, SUD key, download openid), each with its count. */
function delivered(receiver: Receiver): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [endpoint, keys] of Object.entries(receiver.stats().keys ?? {})) {
    for (const [key, n] of Object.entries(keys)) {
      const id = endpoint === SUD ? key : endpoint === STAT ? `v:${(JSON.parse(key) as { v: number }).v}` : `openid:${(JSON.parse(key) as { oepnid: string }).oepnid}`;
      ids.set(id, (ids.get(id) ?? 0) + n);
    }
  }
  return ids;
}

/** Record ids in --failed that were not invalid (undelivered, or set aside as uncertain). */
function setAside(failed: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(failed)) return ids;
  for (const line of readFileSync(failed, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line) as Record<string, unknown>;
    // An invalid record's _error starts with a rule id (`sud.missing_field: …`); an undelivered one's with its cause.
    if (typeof f._error !== 'string' || /^[a-z]+\.[a-z_]+[: ]/.test(f._error)) continue;
    if (f.report_type !== undefined) ids.add(`${f.report_type as string}:${(f.report_msg as { game_round_id: string }).game_round_id}`);
    else if (f.oepnid !== undefined) ids.add(`openid:${f.oepnid as string}`);
    else if (Array.isArray(f.data)) for (const e of f.data as { v: number }[]) ids.add(`v:${e.v}`);
    else ids.add(`v:${f.v as number}`);
  }
  return ids;
}

/** Nothing lost, nothing counted twice: each reference record arrived once or is in --failed. */
function assertOnce(receiver: Receiver, failed: string, exact: boolean): void {
  const got = delivered(receiver);
  for (const [id, n] of got) {
    assert.ok(reference.has(id), `${id} is not a record of the input`);
    assert.equal(n, 1, `${id} was accepted ${n} times`);
  }
  const aside = setAside(failed);
  for (const id of reference) assert.ok(got.has(id) || aside.has(id), `${id} is neither delivered nor in --failed`);
  if (exact) assert.equal(aside.size, 0, `nothing set aside: ${[...aside].slice(0, 5).join(', ')}`);
}

function args(receiver: Receiver, run: string, extra: readonly string[] = []): string[] {
  return [
    'replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--workers', '2', '--quiet',
    '--checkpoint', join(dir, `${run}.ckpt`), '--failed', join(dir, `${run}.failed.ndjson`), ...extra,
  ];
}

async function withReceiver(options: ReceiverOptions, fn: (receiver: Receiver) => Promise<void>): Promise<void> {
  const receiver = await startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true, ...options });
  try {
    await fn(receiver);
  } finally {
    await receiver.close();
  }
}

before(async () => {
  ({ dir, remove } = await makeTempDir('replay-workers-once'));
  file = await writeMixed(join(dir, 'mixed.ndjson'), 500);
  await withReceiver({}, async (receiver) => {
    const r = await runCli(['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--workers', '0', '--quiet'], { env: SMALL_RANGES });
    assert.equal(r.code, 1, r.stderr); // the input holds invalid lines
    reference = new Set(delivered(receiver).keys());
  });
});

after(() => remove());

describe('replay --workers 2, exactly once', () => {
  test('faults from the receiver (503s, answers lost after processing): each record delivered once or in --failed', async () => {
    await withReceiver({ failRate: 0.2, dropAfterRate: 0.05, seed: 7 }, async (receiver) => {
      const r = await runCli(args(receiver, 'faults', ['--retry-delay', '5ms']), { env: SMALL_RANGES });
      assert.equal(r.code, 1, r.stderr);
      assertOnce(receiver, join(dir, 'faults.failed.ndjson'), false);
    });
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    const name = signal === 'SIGINT' ? 'Ctrl-C mid-run, then --resume: everything delivered exactly once' : 'kill -9 mid-run, then --resume: nothing lost, nothing accepted twice';
    test(name, async () => {
      await withReceiver({ latencyMs: 20 }, async (receiver) => {
        const run = signal.toLowerCase();
        const running = startCli(args(receiver, run, ['--concurrency', '8']), { env: SMALL_RANGES });
        await waitForStats(receiver, (s) => s.totals.requests >= 100, '100 requests');
        running.child.kill(signal);
        const first = await running.exited;
        if (signal === 'SIGINT') assert.equal(first.code, 130, first.stderr);
        assert.ok(delivered(receiver).size < reference.size, 'stopped mid-way');
        const resumed = await runCli([...args(receiver, run), '--resume'], { env: SMALL_RANGES });
        assert.equal(resumed.code, 1, resumed.stderr);
        // Ctrl-C lets the requests in flight end: nothing is uncertain, nothing set aside.
        assertOnce(receiver, join(dir, `${run}.failed.ndjson`), signal === 'SIGINT');
      });
    });
  }

  test('a worker thread that dies mid-run stops the run with one line and exit 2; --resume delivers the rest exactly once', async () => {
    await withReceiver({ latencyMs: 5 }, async (receiver) => {
      const r = await runCli(args(receiver, 'worker', ['--concurrency', '8']), { env: { ...SMALL_RANGES, REPORT_REPLAY_TEST_WORKER_FAULT: 'exit-merged:10' } });
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.match(lines[0]!, /^report-replay: a replay worker thread failed: it exited with code 3$/);
      assert.ok(lines.every((l) => !/^\s+at /.test(l)), `no stack trace: ${r.stderr}`);
      const before = delivered(receiver).size;
      assert.ok(before > 0 && before < reference.size, `stopped mid-way (${before} of ${reference.size})`);
      const resumed = await runCli([...args(receiver, 'worker'), '--resume'], { env: SMALL_RANGES });
      assert.equal(resumed.code, 1, resumed.stderr);
      assertOnce(receiver, join(dir, 'worker.failed.ndjson'), true);
    });
  });
});
