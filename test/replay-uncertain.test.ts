import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildReport, type Report } from '../src/report/report.js';
import { RunStats } from '../src/report/stats.js';
import { renderSummary } from '../src/report/table.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { runCli } from './helpers/cli.js';
import { downloadRecord, onceEach, replayOptions, STAT_SECRET, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

async function failedLines(file: string): Promise<Record<string, unknown>[]> {
  return (await readFile(file, 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** 120 distinct stat events of 60 users: about 60 requests. */
function statEvents(): Record<string, unknown>[] {
  return Array.from({ length: 120 }, (_, i) => statRecord(i, 60));
}

describe('answers lost after the server processed the request', () => {
  test('stat, by default (skip): never sent twice; the uncertain records fail with cause uncertain and are in --failed', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, trackKeys: true, dropAfterRate: 0.3, seed: 11 });
    try {
      const file = await writeNdjson(path.join(dir, 'stat.ndjson'), statEvents());
      const failedFile = path.join(dir, 'failed.ndjson');
      const stats = new RunStats('replay', 5);
      const outcome = await runReplay(await replayOptions([file], receiver.url, { failedFile, retryDelayMs: 5, concurrency: 8 }), testIo(), stats);
      const seen = receiver.stats();
      assert.ok(seen.totals.dropped > 0, 'some answers were dropped');
      const { distinct, repeated } = onceEach(seen.keys?.['stat.push_data']!);
      assert.deepEqual(repeated, [], 'no event reached the server twice');
      assert.equal(distinct, 120, 'the dropped ones were processed all the same');
      const uncertain = stats.failures.get('uncertain');
      assert.ok(uncertain && uncertain.count > 0);
      const t = stats.totals();
      assert.equal(t.succeeded + uncertain.count, 120);
      assert.equal(t.failed, uncertain.count);
      assert.equal(t.possiblyDuplicated, 0);
      assert.equal(outcome.undelivered, uncertain.count);
      const lines = await failedLines(failedFile);
      assert.equal(lines.length, uncertain.count);
      for (const line of lines) assert.match(String(line._error), /^uncertain: connection to 127\.0\.0\.1:\d+ closed after the request was sent/);
      assert.match(stats.notes.join('\n'), new RegExp(`${uncertain.count} records are uncertain: .*check the server`));
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('stat with --uncertain resend: sent again, and the duplicates at the receiver are exactly the records reported possibly duplicated', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0, trackKeys: true, dropAfterRate: 0.3, seed: 11 });
    try {
      const file = await writeNdjson(path.join(dir, 'stat.ndjson'), statEvents());
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { uncertain: 'resend', retries: 12, retryDelayMs: 5, concurrency: 8 }), testIo(), stats);
      const t = stats.totals();
      assert.equal(t.failed, 0);
      assert.equal(t.succeeded, 120);
      const { distinct, repeated } = onceEach(receiver.stats().keys?.['stat.push_data']!);
      assert.equal(distinct, 120);
      assert.ok(repeated.length > 0, 'some events arrived twice');
      assert.equal(t.possiblyDuplicated, repeated.length);
      const report = buildReport(stats);
      assert.equal(report.byEndpoint['stat.push_data']!.possiblyDuplicated, repeated.length);
      assert.match(renderSummary(report, { color: false, mode: 'replay' }), new RegExp(`note: ${repeated.length} records were possibly delivered twice`));
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('SUD resends by default: its receiver de-duplicates, so every report is kept once and none fails', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, trackKeys: true, dropAfterRate: 0.3, seed: 5 });
    try {
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), Array.from({ length: 60 }, (_, i) => sudRecord(i)));
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], receiver.url, { retries: 12, retryDelayMs: 5, concurrency: 8 }), testIo(), stats);
      const t = stats.totals();
      assert.equal(t.succeeded, 60);
      assert.ok(t.possiblyDuplicated > 0);
      const seen = receiver.stats();
      const { distinct, repeated } = onceEach(seen.keys?.['sud.report_game_info']!);
      assert.equal(distinct, 60);
      assert.deepEqual(repeated, []);
      assert.ok(seen.totals.duplicates >= t.possiblyDuplicated, 'each resent report was answered as a duplicate');
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('--uncertain fail stops taking records, names how many were uncertain, writes them to --failed, and exits 2', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0, dropAfterRate: 1 });
    try {
      const file = await writeNdjson(path.join(dir, 'download.ndjson'), Array.from({ length: 200 }, (_, i) => downloadRecord(i)));
      const failedFile = path.join(dir, 'failed.ndjson');
      const reportFile = path.join(dir, 'report.json');
      const r = await runCli(['replay', file, '--target', receiver.url, '--uncertain', 'fail', '--concurrency', '2', '--failed', failedFile, '--report', reportFile]);
      assert.equal(r.code, 2, r.stderr);
      const said = /^report-replay: stopped by --uncertain fail: (\d+) records? (?:was|were) sent but the answer was lost/.exec(r.stderr);
      assert.ok(said, r.stderr);
      const n = Number(said[1]);
      assert.ok(n >= 1 && n <= 2, `the requests in flight: ${n}`);
      const lines = await failedLines(failedFile);
      assert.equal(lines.length, n);
      for (const line of lines) assert.match(String(line._error), /^uncertain: /);
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
      assert.equal(report.totals.failed, n);
      assert.equal(report.totals.records, report.totals.failed + report.totals.unsent, 'the rest was never sent');
      assert.ok(report.totals.unsent > 100);
      assert.match(r.stdout, /--uncertain fail stopped the run/);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});

describe('the server\'s reason for a failure', () => {
  test('a short, one-line excerpt of the answer goes with its cause into the report, the table and --failed, secrets masked', async () => {
    const { dir, remove } = await tempDir();
    const SESSION = 'sess-SECRET-42';
    // A server that refuses everything and echoes what it was sent, over several lines.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end(`bad signature\n  for session_key=${SESSION}\n${'x'.repeat(500)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const file = await writeNdjson(path.join(dir, 'download.ndjson'), [downloadRecord(1)]);
      const failedFile = path.join(dir, 'failed.ndjson');
      const stats = new RunStats('replay', 5);
      await runReplay(await replayOptions([file], url, { failedFile, credentials: { statSecret: STAT_SECRET, statSessionKey: SESSION } }), testIo(), stats);
      const report = buildReport(stats);
      const example = report.failures[0]!.example!;
      assert.equal(report.failures[0]!.cause, 'http 403');
      assert.ok(example.startsWith('bad signature for session_key=*** xxx'), example);
      assert.ok(example.length <= 200 && !example.includes('\n') && !example.includes(SESSION));
      const [line] = await failedLines(failedFile);
      assert.equal(line!._error, `http 403: ${example}`);
      assert.match(renderSummary(report, { color: false, mode: 'replay' }), /http 403 +1 +bad signature for session_key=\*\*\*/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await remove();
    }
  });
});
