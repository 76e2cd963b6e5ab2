/**
 * A second Ctrl-C exits at once; the --failed file must still hold every record that had
 * failed by then — also without --checkpoint — and no torn line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import { startCli } from './helpers/cli.js';
import { interruptTwice } from './helpers/wait.js';
import { sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

const CONCURRENCY = 8;

test('a second Ctrl-C exits at once and the failed file holds every record that had failed, whole (no --checkpoint)', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const requests = path.join(dir, 'requests.ndjson');
  let receiver: Receiver | undefined;
  try {
    // Every request is answered 429 with Retry-After: 1, and a record fails after its one
    // retry: while the run goes on, retries are always waiting, and they go on after the
    // first Ctrl-C — so a request that arrives after it shows the child ran since, and the
    // second Ctrl-C is a signal of its own.
    receiver = await startReceiver({ port: 0, throttleRate: 1, retryAfterSeconds: 1, record: requests });
    const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 3000 }, (_, i) => sudRecord(i)));
    const failed = path.join(dir, 'failed.ndjson');
    const running = startCli(['replay', file, '--target', receiver.url, '--failed', failed, '--retries', '1', '--concurrency', String(CONCURRENCY), '--grace', '30s', '--quiet']);
    // At 200 requests some records have failed (their retry was answered) but far fewer than 64 KiB of lines.
    await interruptTwice(running.child, receiver, 200);
    const { code, stderr } = await running.exited;
    assert.equal(code, 130, stderr);
    await receiver.close();

    // Records whose retry (their second and last attempt) reached the receiver: failed, or in flight at the exit.
    const attempts = new Map<string, number>();
    for (const line of readFileSync(requests, 'utf8').split('\n')) {
      if (line === '') continue;
      const round = (JSON.parse((JSON.parse(line) as { body: string }).body) as { report_msg: { game_round_id: string } }).report_msg.game_round_id;
      attempts.set(round, (attempts.get(round) ?? 0) + 1);
    }
    const retried = [...attempts].filter(([, n]) => n === 2).map(([round]) => round);

    const text = readFileSync(failed, 'utf8');
    assert.ok(text === '' || text.endsWith('\n'), 'no torn last line');
    const lines = text === '' ? [] : text.slice(0, -1).split('\n');
    const rounds = lines.map((l) => (JSON.parse(l) as { report_msg: { game_round_id: string }; _error: string }).report_msg.game_round_id);
    assert.equal(new Set(rounds).size, rounds.length, 'each failed record once');
    for (const round of rounds) assert.equal(attempts.get(round), 2, `${round} failed after its retry`);
    // Only answers still in flight at the exit may be missing.
    assert.ok(rounds.length >= retried.length - CONCURRENCY, `${rounds.length} failed lines written; ${retried.length} records had their last attempt answered or in flight`);
    assert.ok(retried.length > CONCURRENCY, `records had failed before the exit (${retried.length})`);
  } finally {
    await receiver?.close();
  }
});
