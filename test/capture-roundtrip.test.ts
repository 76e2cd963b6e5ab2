/**
 * Issue 11 acceptance: what `serve --record` captures is a log `validate` and `replay` read,
 * and `--keep-auth` sends it again byte for byte (README, "Capture a client, replay it
 * later"). The built CLI as child processes, real receivers on 127.0.0.1, real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { RECEIVER_SECRETS, SECRETS, SESSION_KEY, STAT_SECRET, SUD_APP_ID, SUD_APP_SECRET, readCapture, recordsByEndpoint, type CaptureLine } from './helpers/capture.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';
import { SUD_PATH, post, retCode, sudHeaders, sudStart } from './helpers/serve.js';

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
  const verifying = await startReceiver({ port: 0, record: path.join(dir, 'again.ndjson'), credentials: { statSecret: 'another-stat-secret' } });
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
