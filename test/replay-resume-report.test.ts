/**
 * The report of a resumed backfill covers the whole backfill: interrupted and resumed, its
 * totals are those of one uninterrupted run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { CLI, runCli, startCli } from './helpers/cli.js';
import { interruptTwice } from './helpers/wait.js';
import { onceEach, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

/** Runs the CLI and sends it SIGINT once `when` holds (polled). */
function runInterrupted(args: readonly string[], when: () => boolean): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const poll = setInterval(() => {
      if (!when()) return;
      clearInterval(poll);
      child.kill('SIGINT');
    }, 10);
    const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(safety);
      resolve({ code, stderr });
    });
  });
}

const FIELDS = ['records', 'valid', 'invalid', 'succeeded', 'failed', 'requests', 'duplicates'] as const;

test('interrupted and resumed with --report, the final report totals equal one uninterrupted run, and each record reached the receiver once', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const receivers: Receiver[] = [];
  t.after(() => Promise.all(receivers.map((r) => r.close())));
  // SUD reports are accepted; stat requests are signed with a secret the receiver does not
  // hold, so every one fails (403, one event per request); a few lines are invalid.
  const lines = [];
  for (let i = 0; i < 600; i++) {
    lines.push(sudRecord(i));
    if (i % 3 === 0) lines.push(statRecord(i));
    if (i % 50 === 7) lines.push('{"report_type":"game_start"');
  }
  const file = await writeNdjson(path.join(dir, 'backfill.ndjson'), lines);
  const run = async (name: string): Promise<{ receiver: Receiver; args: string[] }> => {
    const receiver = await startReceiver({ credentials: { statSecret: 'not-the-client-secret' }, port: 0, trackKeys: true });
    receivers.push(receiver);
    const args = ['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--batch-size', '1', '--rate', '300', '--checkpoint', path.join(dir, `${name}.ckpt`), '--failed', path.join(dir, `${name}.failed.ndjson`), '--report', path.join(dir, `${name}.json`)];
    return { receiver, args };
  };

  const whole = await run('whole');
  const once = await runCli([...whole.args, '--quiet']);
  assert.equal(once.code, 1, once.stderr);
  const expected = JSON.parse(readFileSync(path.join(dir, 'whole.json'), 'utf8')) as Report;
  assert.ok(expected.totals.failed > 0 && expected.totals.invalid > 0 && expected.totals.succeeded === 600, JSON.stringify(expected.totals));

  const split = await run('split');
  const r = split.receiver;
  const first = await runInterrupted([...split.args, '--quiet'], () => r.stats().totals.requests >= 250);
  assert.equal(first.code, 130, first.stderr);
  const firstReport = JSON.parse(readFileSync(path.join(dir, 'split.json'), 'utf8')) as Report;
  const settledFirst = firstReport.totals.succeeded + firstReport.totals.failed + firstReport.totals.invalid + firstReport.totals.duplicates;
  assert.ok(settledFirst > 0 && settledFirst < expected.totals.records, `stopped mid-run: ${settledFirst} settled`);

  const second = await runCli([...split.args, '--resume']);
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stdout, new RegExp(`resumed: ${settledFirst} records had been settled by earlier runs`));
  const report = JSON.parse(readFileSync(path.join(dir, 'split.json'), 'utf8')) as Report;
  for (const field of FIELDS) assert.equal(report.totals[field], expected.totals[field], `totals.${field}`);
  for (const [id, e] of Object.entries(expected.byEndpoint)) {
    for (const field of FIELDS) assert.equal(report.byEndpoint[id]?.[field], e[field], `${id}.${field}`);
  }
  assert.deepEqual(report.failures, expected.failures);
  assert.deepEqual(report.resumed, { settledEarlier: settledFirst, outcomeUnknown: 0 });
  assert.equal(report.interrupted, false);
  assert.equal(report.exitCode, 1);
  assert.ok(report.durationMs >= firstReport.durationMs, 'the durations of the runs add up');

  const { distinct, repeated } = onceEach(r.stats().keys?.['sud.report_game_info']);
  assert.equal(distinct, 600);
  assert.deepEqual(repeated, []);
  const failedLines = readFileSync(path.join(dir, 'split.failed.ndjson'), 'utf8').trim().split('\n');
  assert.equal(failedLines.length, expected.totals.failed + expected.totals.invalid, 'each failed or invalid record once in --failed');
});

test('a run killed between two saves of its report: the resume still counts every record once (those settled after the last save by the checkpoint)', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const receiver = await startReceiver({ port: 0, trackKeys: true });
  t.after(() => receiver.close());
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 1500 }, (_, i) => sudRecord(i)));
  const reportFile = path.join(dir, 'report.json');
  const concurrency = 8;
  const args = ['replay', file, '--target', receiver.url, '--rate', '400', '--concurrency', String(concurrency), '--checkpoint', path.join(dir, 'run.ckpt'), '--quiet'];
  const killed = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
    const poll = setInterval(() => {
      // Well past the first saved report (one a second), and not on a save.
      if (receiver.stats().totals.requests < 600) return;
      clearInterval(poll);
      child.kill('SIGKILL');
    }, 10);
    const safety = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      clearTimeout(safety);
      resolve(signal);
    });
  });
  assert.equal(killed, 'SIGKILL');
  const resumed = await runCli([...args, '--resume', '--report', reportFile]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  // Out-of-order settles at the moment of a save or of the kill are the only slack: at most what was in flight.
  assert.ok(Math.abs(report.totals.records - 1500) <= 2 * concurrency, `records ${report.totals.records} (resumed ${JSON.stringify(report.resumed)})`);
  assert.ok(report.resumed !== undefined && report.resumed.settledEarlier >= 600 - 2 * concurrency, JSON.stringify(report.resumed));
  assert.equal(report.totals.succeeded + report.resumed.outcomeUnknown, report.totals.records, 'every record delivered, or settled with its outcome unknown');
  const { distinct } = onceEach(receiver.stats().keys?.['sud.report_game_info']);
  assert.equal(distinct, 1500, 'every record reached the receiver');
});

test('a second Ctrl-C saves the report so far as it exits: the resume counts every record exactly, none of unknown outcome', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  // Every request is answered 429 with Retry-After: 1 and a record fails after its one retry:
  // retries keep going after the first Ctrl-C, so a request that arrives after it shows the
  // child ran since, and the second Ctrl-C is a signal of its own.
  const receiver = await startReceiver({ port: 0, throttleRate: 1, retryAfterSeconds: 1 });
  t.after(() => receiver.close());
  const total = 400;
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: total }, (_, i) => sudRecord(i)));
  const reportFile = path.join(dir, 'report.json');
  const failed = path.join(dir, 'failed.ndjson');
  const args = ['replay', file, '--target', receiver.url, '--retries', '1', '--concurrency', '8', '--grace', '30s', '--checkpoint', path.join(dir, 'run.ckpt'), '--failed', failed, '--quiet'];
  const running = startCli(args);
  await interruptTwice(running.child, receiver, 250);
  assert.equal((await running.exited).code, 130);
  const resumed = await runCli([...args, '--resume', '--report', reportFile]);
  assert.equal(resumed.code, 1, resumed.stderr);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  assert.equal(report.resumed?.outcomeUnknown, 0, JSON.stringify(report.resumed));
  assert.ok(report.resumed.settledEarlier > 0, 'the first run had settled records');
  assert.equal(report.totals.records, total);
  assert.equal(report.totals.failed, total);
  const rounds = readFileSync(failed, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { report_msg: { game_round_id: string } }).report_msg.game_round_id);
  assert.equal(new Set(rounds).size, total, 'each record once in --failed');
  assert.equal(rounds.length, total);
});
