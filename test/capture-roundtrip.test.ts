/**
 * Issue 11 acceptance: what `serve --record` captures is a log `validate` and `replay` read
 * (README, "Capture a client, replay it later"). Everything runs as a user would: the built
 * CLI as child processes, real receivers on 127.0.0.1, real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { startServe } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';
import { SUD_PATH, post, retCode, sudHeaders, sudStart } from './serve-helpers.js';

const STAT_SECRET = 'capture-stat-secret';
const SUD_APP_ID = 'capture-app';
const SUD_APP_SECRET = 'capture-sud-secret';
const SECRETS = ['--stat-secret', STAT_SECRET, '--sud-app-id', SUD_APP_ID, '--sud-app-secret', SUD_APP_SECRET];
const SESSION_KEY = 'capture-session-key-0001';
const RECEIVER_SECRETS = { statSecret: STAT_SECRET, sudAppId: SUD_APP_ID, sudAppSecret: SUD_APP_SECRET };

interface CaptureLine {
  readonly endpoint: string | null;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly body_base64?: string;
  readonly verdict: string;
  readonly status: number;
  readonly upstream?: { status?: number; body?: string; error?: string; latency_ms: number };
}

function readCapture(file: string): CaptureLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CaptureLine);
}

function recordsByEndpoint(result: CliResult): Record<string, number> {
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { byEndpoint: Record<string, { records: number }> };
  return Object.fromEntries(Object.entries(report.byEndpoint).map(([id, counts]) => [id, counts.records]));
}

test('round trip: a replay captured by serve --record validates with the samples\' counts, and replays byte for byte with --keep-auth', async (t) => {
  const dir = tempDir(t, 'capture');
  const first = path.join(dir, 'first.ndjson');
  const second = path.join(dir, 'second.ndjson');
  const recordA = await startReceiver({ port: 0, record: first, recordSecrets: true, ...RECEIVER_SECRETS });
  const recordB = await startReceiver({ port: 0, record: second, recordSecrets: true, ...RECEIVER_SECRETS });
  t.after(() => Promise.all([recordA.close(), recordB.close()]));

  const sent = await runCli(['replay', 'samples/ndjson', '--target', recordA.url, ...SECRETS, '--stat-session-key', SESSION_KEY, '--quiet']);
  assert.equal(sent.code, 0, sent.stderr);
  await recordA.close();

  const samples = recordsByEndpoint(await runCli(['validate', 'samples/ndjson', '--json']));
  const captured = recordsByEndpoint(await runCli(['validate', first, '--json']));
  assert.deepEqual(captured, samples);

  const again = await runCli(['replay', first, '--keep-auth', '--target', recordB.url, ...SECRETS, '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  await recordB.close();

  const a = readCapture(first);
  const b = readCapture(second);
  assert.equal(b.length, a.length);
  assert.ok(b.every((line) => line.verdict === 'accepted'), 'the second receiver accepted every request: the captured signatures hold');
  // Byte for byte: query strings and bodies, and the SUD signature headers (a fresh signature would have a fresh nonce).
  const wire = (line: CaptureLine): string => JSON.stringify([line.url, line.body, line.body_base64, line.headers['sud-nonce'], line.headers['sud-signature']]);
  assert.deepEqual(b.map(wire).sort(), a.map(wire).sort());
  assert.ok(a.some((line) => line.headers['sud-signature'] !== undefined), 'SUD requests were signed');
  // The receiver's own secrets never reach its capture, --record-secrets or not.
  for (const file of [first, second]) {
    const text = readFileSync(file, 'utf8');
    for (const secret of [STAT_SECRET, SUD_APP_SECRET]) assert.ok(!text.includes(secret), `${path.basename(file)} holds a secret of the receiver`);
    assert.ok(text.includes(SESSION_KEY), '--record-secrets keeps the client\'s session_key');
  }
});

test('a capture of refused requests is read: validation says why, line by line', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'refused.ndjson');
  const receiver = await startReceiver({ port: 0, record: file, statSecret: STAT_SECRET });
  t.after(() => receiver.close());
  // Signed with another secret: the receiver refuses every stat request (403).
  const sent = await runCli(['replay', 'samples/ndjson/stat.ndjson', '--target', receiver.url, '--stat-secret', 'not-the-secret', '--stat-session-key', SESSION_KEY, '--retries', '0', '--quiet']);
  assert.notEqual(sent.code, 0);
  await receiver.close();
  const lines = readCapture(file);
  assert.ok(lines.length > 0 && lines.every((line) => line.status === 403));
  const checked = await runCli(['validate', file, '--max-examples', '1000']);
  assert.equal(checked.code, 1, checked.stdout + checked.stderr);
  const output = checked.stdout + checked.stderr;
  assert.match(output, /capture\.refused/);
  assert.match(output, /403/);
  assert.match(output, new RegExp(`refused\\.ndjson:${lines.length}\\b`), 'each finding names file:line of its capture');
});

test('a body that is not UTF-8 is captured exactly, as base64; read back, validation says the receiver refused it', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'bytes.ndjson');
  const receiver = await startReceiver({ port: 0, record: file });
  t.after(() => receiver.close());
  const body = Buffer.concat([Buffer.from('oepnid=a&appid=5012&errorMsg='), Buffer.from([0xff, 0xfe, 0x41])]);
  const answer = await fetch(receiver.url + '/service/downloadEvent', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  await answer.arrayBuffer();
  await receiver.close();
  const [line] = readCapture(file);
  assert.ok(line);
  assert.equal(line.body, undefined);
  assert.deepEqual(Buffer.from(line.body_base64 ?? '', 'base64'), body);
  const checked = await runCli(['validate', file]);
  assert.equal(checked.code, 1);
  assert.match(checked.stdout + checked.stderr, /capture\.refused/);
});

test('serve --upstream: every record once upstream, the client sees its answers (and retries its ret_code failures), the capture holds both verdicts', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'proxied.ndjson');
  const upstream = await startReceiver({ port: 0, trackKeys: true, sudFailFirst: true, statSecret: STAT_SECRET, sudAppId: SUD_APP_ID, sudAppSecret: SUD_APP_SECRET });
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
  for (const [id, records] of Object.entries(samples)) assert.equal(stats.byEndpoint[id as keyof typeof stats.byEndpoint].records, records, id);
  const sud = stats.byEndpoint['sud.report_game_info'];
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

test('serve --upstream-sud-url without --upstream is a usage error', async () => {
  const result = await runCli(['serve', '--port', '0', '--upstream-sud-url', 'http://127.0.0.1:1/sud']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--upstream-sud-url needs --upstream/);
});

test('a capture whose session_key was masked is filled in from the configuration', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'masked.ndjson');
  const receiver = await startReceiver({ port: 0, record: file });
  t.after(() => receiver.close());
  const sent = await runCli(['replay', 'samples/ndjson/stat.ndjson', '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--quiet']);
  assert.equal(sent.code, 0, sent.stderr);
  await receiver.close();
  const text = readFileSync(file, 'utf8');
  assert.ok(!text.includes(SESSION_KEY), 'masked without --record-secrets');
  // Without --keep-auth the capture is signed again with the configured secret and session key.
  const verifying = await startReceiver({ port: 0, record: path.join(dir, 'again.ndjson'), statSecret: 'another-stat-secret' });
  t.after(() => verifying.close());
  const again = await runCli(['replay', file, '--target', verifying.url, '--stat-secret', 'another-stat-secret', '--stat-session-key', 'configured-key-0002', '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  await verifying.close();
  const lines = readCapture(path.join(dir, 'again.ndjson'));
  assert.ok(lines.length > 0 && lines.every((line) => line.verdict === 'accepted'));
});

test('--keep-auth sends a captured SUD body as the client spaced it, so its captured signature still holds', async (t) => {
  const dir = tempDir(t, 'capture');
  const first = path.join(dir, 'client.ndjson');
  const second = path.join(dir, 'replayed.ndjson');
  const recordA = await startReceiver({ port: 0, record: first, recordSecrets: true, ...RECEIVER_SECRETS });
  const recordB = await startReceiver({ port: 0, record: second, recordSecrets: true, ...RECEIVER_SECRETS });
  t.after(() => Promise.all([recordA.close(), recordB.close()]));
  // A client that writes its JSON with spaces and a newline, and signs those bytes.
  const body = sudStart('spaced-round').replaceAll('":', '": ').replaceAll(',"', ', "').replace('{', '{\n  ') + '\n';
  const answer = await post(recordA.url + SUD_PATH, { headers: { 'content-type': 'application/json', ...sudHeaders(body, SUD_APP_ID, SUD_APP_SECRET) }, body });
  assert.equal(retCode(answer).ret_code, 0, answer.text);
  await recordA.close();
  const again = await runCli(['replay', first, '--keep-auth', '--target', recordB.url, '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  await recordB.close();
  const [line] = readCapture(second);
  assert.equal(line?.verdict, 'accepted', 'the captured signature verified');
  assert.equal(line?.body, body);
});
