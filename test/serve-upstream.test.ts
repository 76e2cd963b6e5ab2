/**
 * `serve --upstream` in process: the answer relayed unchanged, the request forwarded byte for
 * byte, injected faults answered before forwarding, an upstream that does not answer (README,
 * "Capture a client, replay it later").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startReceiver } from '../src/serve/receiver.js';
import { tempDir } from './helpers/temp.js';
import { CHECK_APP_UPDATE, FORM, form, post } from './helpers/serve.js';

/** A server that answers every request with a fixed teapot and keeps what it was sent. */
async function startEcho(t: { after(fn: () => void): void }): Promise<{ url: string; seen: { url: string; headers: IncomingMessage['headers']; body: Buffer }[] }> {
  const seen: { url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(418, { 'content-type': 'text/x-teapot', 'x-upstream': 'yes' });
      res.end('short and stout');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('a request goes upstream byte for byte and its answer comes back unchanged; the capture holds both sides', async (t) => {
  const echo = await startEcho(t);
  const file = path.join(tempDir(t, 'upstream'), 'proxied.ndjson');
  const proxy = await startReceiver({ port: 0, upstream: echo.url + '/prefix', record: file });
  t.after(() => proxy.close());
  const body = form(CHECK_APP_UPDATE);
  const answer = await post(`${proxy.url}/service/checkAppUpdate?x=1`, { headers: { ...FORM, 'x-client': 'c1' }, body });
  assert.equal(answer.status, 418);
  assert.equal(answer.text, 'short and stout');
  assert.equal(answer.headers.get('x-upstream'), 'yes');
  assert.equal(answer.headers.get('content-type'), 'text/x-teapot');
  const [forwarded] = echo.seen;
  assert.ok(forwarded);
  assert.equal(forwarded.url, '/prefix/service/checkAppUpdate?x=1');
  assert.equal(forwarded.body.toString('utf8'), body);
  assert.equal(forwarded.headers['x-client'], 'c1');
  await proxy.close();
  const [line] = lines(file);
  assert.equal(line?.verdict, 'accepted', "the receiver's own verdict");
  const upstream = line?.upstream as { status: number; body: string; latency_ms: number };
  assert.equal(upstream.status, 418);
  assert.equal(upstream.body, 'short and stout');
  assert.ok(upstream.latency_ms >= 0);
});

test('an injected fault is answered by the receiver and never forwarded', async (t) => {
  const echo = await startEcho(t);
  const file = path.join(tempDir(t, 'upstream'), 'faults.ndjson');
  const proxy = await startReceiver({ port: 0, upstream: echo.url, record: file, failRate: 1 });
  t.after(() => proxy.close());
  const answer = await post(`${proxy.url}/service/checkAppUpdate`, { headers: FORM, body: form(CHECK_APP_UPDATE) });
  assert.equal(answer.status, 503);
  assert.equal(echo.seen.length, 0);
  await proxy.close();
  const [line] = lines(file);
  assert.equal(line?.verdict, 'fault');
  assert.equal(line?.upstream, undefined);
});

test('an upstream that does not answer: the client gets 502, the capture says why', async (t) => {
  const file = path.join(tempDir(t, 'upstream'), 'down.ndjson');
  // Port 9 (discard) on 127.0.0.1: nothing listens there, the connection is refused.
  const proxy = await startReceiver({ port: 0, upstream: 'http://127.0.0.1:9', record: file });
  t.after(() => proxy.close());
  const answer = await post(`${proxy.url}/service/checkAppUpdate`, { headers: FORM, body: form(CHECK_APP_UPDATE) });
  assert.equal(answer.status, 502);
  assert.match(answer.text, /upstream did not answer/);
  await proxy.close();
  const [line] = lines(file);
  assert.match(String((line?.upstream as { error: string }).error), /ECONNREFUSED/);
});
