/**
 * What Ctrl-C says: the first stops taking records and says how long it will wait for the
 * requests in flight; a second says it abandoned them and exits 130; the summary says one
 * true thing about resuming (only a run with --checkpoint can be resumed). The signals are
 * sent on events — the receiver holding requests, a line on stderr — never after a sleep.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CLI } from './helpers/cli.js';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import { sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; SIGINT once the receiver holds `inFlight` requests, and again when stderr says it is stopping (if `twice`). */
function interrupted(args: readonly string[], receiver: Receiver, inFlight: number, twice: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signals = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (twice && signals === 1 && /stopping:/.test(stderr)) {
        signals++;
        child.kill('SIGINT');
      }
    });
    const poll = setInterval(() => {
      if (signals > 0 || receiver.stats().totals.requests < inFlight) return;
      signals++;
      child.kill('SIGINT');
    }, 20);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ file: string; dir: string; receiver: Receiver }> {
  const { dir, remove } = await tempDir();
  // Answers slower than the test: the requests stay in flight while it signals.
  const receiver = await startReceiver({ port: 0, latencyMs: 4000 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const records = [];
  for (let i = 0; i < 50; i++) records.push(sudRecord(i));
  return { file: await writeNdjson(path.join(dir, 'sud.ndjson'), records), dir, receiver };
}

test('the first Ctrl-C says it is stopping and how long it waits; the second says what it abandoned and exits 130', async (t) => {
  const { file, receiver } = await setup(t);
  const r = await interrupted(['replay', file, '--target', receiver.url, '--concurrency', '4', '--grace', '20s'], receiver, 4, true);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /^report-replay: stopping: no new records are taken; waiting up to 20s for 4 requests in flight \(Ctrl-C again to stop at once\)$/m);
  assert.match(r.stderr, /^report-replay: stopped at once: abandoned 4 requests in flight$/m);
  assert.doesNotMatch(r.stdout + r.stderr, /--resume/, 'without --checkpoint there is nothing to resume');
});

test('without --checkpoint the summary says the run cannot be resumed, and nothing about --resume', async (t) => {
  const { file, receiver } = await setup(t);
  const r = await interrupted(['replay', file, '--target', receiver.url, '--concurrency', '4', '--grace', '100ms'], receiver, 4, false);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /^INTERRUPTED after [\d.]+s: 0 of \d+ records delivered$/m);
  assert.match(r.stdout, /note: without --checkpoint this run cannot be resumed: a new run starts from the first record/);
  assert.doesNotMatch(r.stdout + r.stderr, /--resume/);
});

test('with --checkpoint the summary says --resume continues, once', async (t) => {
  const { file, dir, receiver } = await setup(t);
  const checkpoint = path.join(dir, 'run.ckpt');
  const r = await interrupted(['replay', file, '--target', receiver.url, '--concurrency', '4', '--grace', '100ms', '--checkpoint', checkpoint], receiver, 4, false);
  assert.equal(r.code, 130, r.stderr);
  assert.equal(r.stdout.match(/--resume/g)?.length, 1, r.stdout);
  assert.match(r.stdout, /note: the same command with --resume continues where this run stopped/);
  assert.doesNotMatch(r.stdout, /--checkpoint/, 'no advice to use what is already used');
});
