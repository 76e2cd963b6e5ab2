/**
 * Issue 11 acceptance: `serve --upstream` (the CLI) in front of a real receiver — every
 * record exactly once upstream, the client sees its answers and retries its failures, the
 * capture holds both verdicts (README, "Capture a client, replay it later").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { SECRETS, SESSION_KEY, STAT_SECRET, SUD_APP_ID, SUD_APP_SECRET, readCapture, recordsByEndpoint } from './helpers/capture.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';
import { startServe } from './helpers/serve-process.js';

test('serve --upstream: every record once upstream, the client sees its answers (and retries its ret_code failures), the capture holds both verdicts', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'proxied.ndjson');
  const upstream = await startReceiver({ port: 0, trackKeys: true, sudFailFirst: true, credentials: { statSecret: STAT_SECRET, sudAppId: SUD_APP_ID, sudAppSecret: SUD_APP_SECRET } });
  t.after(() => upstream.close());
  const proxy = await startServe(t, ['--upstream', upstream.url, '--record', file, '--record-secrets', ...SECRETS]);

  const reportFile = path.join(dir, 'report.json');
  const sent = await runCli(['replay', 'samples/ndjson', '--target', proxy.url, ...SECRETS, '--stat-session-key', SESSION_KEY, '--retry-delay', '10ms', '--report', reportFile, '--quiet']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(await proxy.stop(), 0);

  // Exactly once: the upstream holds each record as often as a replay straight to a receiver delivers it.
  const direct = await startReceiver({ port: 0, trackKeys: true });
  t.after(() => direct.close());
  const straight = await runCli(['replay', 'samples/ndjson', '--target', direct.url, ...SECRETS, '--stat-session-key', SESSION_KEY, '--quiet']);
  assert.equal(straight.code, 0, straight.stderr);
  const stats = upstream.stats();
  assert.deepEqual(stats.keys, direct.stats().keys);
  const samples = recordsByEndpoint(await runCli(['validate', 'samples/ndjson', '--json']));
  for (const [id, records] of Object.entries(samples)) assert.equal(stats.byEndpoint[id]?.records, records, id);
  const sud = stats.byEndpoint['sud.report_game_info']!;
  assert.equal(sud.faults, samples['sud.report_game_info'], 'the upstream failed each SUD report once');

  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { byEndpoint: Record<string, { retries: number; failed: number }> };
  assert.equal(report.byEndpoint['sud.report_game_info']?.retries, samples['sud.report_game_info'], 'the client saw the ret_code failures and retried each');

  const lines = readCapture(file);
  assert.equal(lines.length, stats.totals.requests, 'the capture holds every request');
  for (const line of lines) {
    assert.ok(line.verdict, 'the receiver\'s verdict');
    assert.equal(typeof line.upstream?.status, 'number', 'the upstream\'s status');
    assert.equal(typeof line.upstream?.latency_ms, 'number');
  }
  const failed = lines.filter((line) => line.upstream?.body?.includes('"ret_code":5000'));
  assert.equal(failed.length, samples['sud.report_game_info']);

  // Read back: the failed deliveries are not records to send again; the rest are the samples' records.
  const captured = await runCli(['validate', file, '--json']);
  const byEndpoint = (JSON.parse(captured.stdout) as { byEndpoint: Record<string, { valid: number }>; totals: { invalid: number } });
  assert.equal(byEndpoint.totals.invalid, failed.length);
  for (const [id, records] of Object.entries(samples)) assert.equal(byEndpoint.byEndpoint[id]?.valid, records, id);
});
