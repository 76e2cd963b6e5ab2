/**
 * Captures of requests the server did not take: still read, and validation says why
 * (README, "Capture a client, replay it later"); bodies that are not UTF-8 kept exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { SESSION_KEY, STAT_SECRET, readCapture } from './helpers/capture.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';

test('a capture of refused requests is read: validation says why, line by line', async (t) => {
  const dir = tempDir(t, 'capture');
  const file = path.join(dir, 'refused.ndjson');
  const receiver = await startReceiver({ port: 0, record: file, credentials: { statSecret: STAT_SECRET } });
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

test('serve --upstream-sud-url without --upstream is a usage error', async () => {
  const result = await runCli(['serve', '--port', '0', '--upstream-sud-url', 'http://127.0.0.1:1/sud']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--upstream-sud-url needs --upstream/);
});
