import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireRequest } from '../src/apis/encode.js';
import { createTransport, type Transport, type TransportResult } from '../src/replay/transport/contract.js';
import { splitUrl } from '../src/replay/transport/undici.js';
import { SAFETY_TIMEOUT_MS, waitFor } from './helpers/wait.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A receiver that misbehaves on purpose, by path. */
class MisbehavingServer {
  readonly server: http.Server;
  readonly received: Received[] = [];
  connections = 0;
  /** Requests to /silent taken so far. */
  held = 0;
  base = '';

  constructor() {
    this.server = http.createServer((req, res) => {
      res.sendDate = false; // both clients must see identical headers
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        this.#answer(req, res);
      });
    });
    this.server.on('connection', () => this.connections++);
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = req.url!.split('?')[0];
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"ret_code":0,"ret_msg":"成功"}');
    } else if (path === '/busy') {
      res.writeHead(503, { 'retry-after': '7', 'content-type': 'text/plain' });
      res.end('busy, try later');
    } else if (path === '/repeated') {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      res.writeHead(204);
      res.end();
    } else if (path === '/silent') {
      // Never answered: only the client's timeout or abort ends the exchange.
      this.held++;
    } else if (path === '/trickle') {
      // Headers at once, then a byte every 50 ms: no inactivity timeout would ever fire.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
    } else if (path === '/reset') {
      req.socket.destroy();
    } else {
      res.writeHead(404);
      res.end();
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function closedPortUrl(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/ok`;
}

const KINDS = ['got', 'undici'] as const;
/** Requests that are answered get all the time a loaded machine may need. */
const HAPPY_TIMEOUT_MS = SAFETY_TIMEOUT_MS;
/** Requests that are never answered time out after this (what the timeout tests check). */
const TIMEOUT_MS = 300;

function post(url: string, extra: Partial<WireRequest> = {}): WireRequest {
  return { method: 'POST', url, headers: { 'x-test': 'yes' }, ...extra };
}

describe('transports against a misbehaving local server', () => {
  const server = new MisbehavingServer();
  const transports = new Map<string, Transport>();

  before(async () => {
    await server.start();
    for (const kind of KINDS) transports.set(kind, await createTransport(kind, { concurrency: 4, origin: server.base }));
  });
  after(async () => {
    for (const transport of transports.values()) await transport.close();
    await server.stop();
  });

  /** Sends the same request through both clients; their results must be identical. */
  async function both(request: WireRequest, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TransportResult> {
    const results: TransportResult[] = [];
    const timeoutMs = options.timeoutMs ?? HAPPY_TIMEOUT_MS;
    for (const kind of KINDS) {
      results.push(await transports.get(kind)!.send(request, options.signal ? { timeoutMs, signal: options.signal } : { timeoutMs }));
    }
    assert.deepEqual(results[1], results[0], 'undici and got disagree');
    return results[0]!;
  }

  it('returns a 200 with its headers and UTF-8 body', async () => {
    const result = await both(post(`${server.base}/ok`));
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.status, 200);
    assert.equal(result.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(result.body, '{"ret_code":0,"ret_msg":"成功"}');
  });

  it('returns a 503 as a response, with Retry-After, not as a failure', async () => {
    const result = await both(post(`${server.base}/busy`));
    assert.deepEqual(result.ok && [result.status, result.headers['retry-after'], result.body], [503, '7', 'busy, try later']);
  });

  it('folds repeated response headers the same way in both clients', async () => {
    const result = await both(post(`${server.base}/repeated`));
    assert.ok(result.ok);
    assert.deepEqual(result.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(result.headers['x-multi'], 'one, two');
    assert.equal(result.status, 204);
    assert.equal(result.body, '');
  });

  it('reports an answer that never comes as error "timeout"', async () => {
    const result = await both(post(`${server.base}/silent`), { timeoutMs: TIMEOUT_MS });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error, 'timeout');
    assert.match(!result.ok ? result.message : '', /within 300 ms/);
  });

  it('times out a body that trickles forever (the timeout covers the whole exchange)', async () => {
    const result = await both(post(`${server.base}/trickle`), { timeoutMs: TIMEOUT_MS });
    assert.equal(!result.ok && result.error, 'timeout');
  });

  it('reports a destroyed socket as ECONNRESET', async () => {
    const result = await both(post(`${server.base}/reset`));
    assert.equal(!result.ok && result.error, 'ECONNRESET');
  });

  it('reports a closed port as ECONNREFUSED naming the host', async () => {
    const url = await closedPortUrl();
    const result = await both(post(url));
    assert.equal(!result.ok && result.error, 'ECONNREFUSED');
    assert.ok(!result.ok && result.message.includes(url.slice(7, url.indexOf('/ok'))));
  });

  it('reports an aborted request as "aborted", before and during the exchange', async () => {
    assert.equal((await both(post(`${server.base}/ok`), { signal: AbortSignal.abort() })).ok, false);
    for (const kind of KINDS) {
      const controller = new AbortController();
      const heldBefore = server.held;
      const sending = transports.get(kind)!.send(post(`${server.base}/silent`), { timeoutMs: HAPPY_TIMEOUT_MS, signal: controller.signal });
      // During the exchange: the server has the request, and only the abort can end it.
      await waitFor(() => server.held > heldBefore, `the server to hold the ${kind} request`);
      controller.abort();
      const result = await sending;
      assert.deepEqual(!result.ok && [result.error, result.message], ['aborted', 'request aborted'], kind);
    }
  });

  for (const kind of KINDS) {
    it(`${kind} delivers headers and a UTF-8 form body byte for byte`, async () => {
      const body = 'name=%E7%8E%A9%E5%AE%B6&raw=成功 ✓&emoji=🎮';
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-sud-uid': 'u-1', 'x-signature': 'AbC==' };
      server.received.length = 0;
      await transports.get(kind)!.send({ method: 'POST', url: `${server.base}/ok?aid=1&x=%20y`, headers, body }, { timeoutMs: HAPPY_TIMEOUT_MS });
      const got = server.received[0]!;
      assert.equal(got.method, 'POST');
      assert.equal(got.url, '/ok?aid=1&x=%20y');
      assert.deepEqual(got.body, Buffer.from(body, 'utf8'));
      assert.equal(got.headers['content-length'], String(Buffer.byteLength(body)));
      for (const [name, value] of Object.entries(headers)) assert.equal(got.headers[name], value, name);
      assert.equal(got.headers['user-agent'], 'report-replay');
    });

    it(`${kind} delivers a JSON body exactly, including int64 digits`, async () => {
      const body = '{"report_type":"game_settle","report_msg":{"game_round_id":"r-1","uid":9007199254740993}}';
      server.received.length = 0;
      await transports.get(kind)!.send(post(`${server.base}/ok`, { headers: { 'content-type': 'application/json' }, body }), { timeoutMs: HAPPY_TIMEOUT_MS });
      assert.equal(server.received[0]!.body.toString('utf8'), body);
    });

    it(`${kind} sends a POST without a body as empty`, async () => {
      server.received.length = 0;
      await transports.get(kind)!.send(post(`${server.base}/ok?a=1`), { timeoutMs: HAPPY_TIMEOUT_MS });
      assert.equal(server.received[0]!.body.length, 0);
    });

    it(`${kind} reuses keep-alive connections: 50 requests, 4 at a time, at most 4 connections`, async () => {
      const transport = await createTransport(kind, { concurrency: 4 });
      const before = server.connections;
      let next = 0;
      const statuses: number[] = [];
      const worker = async () => {
        while (next < 50) {
          next++;
          const result = await transport.send(post(`${server.base}/ok`), { timeoutMs: HAPPY_TIMEOUT_MS });
          statuses.push(result.ok ? result.status : 0);
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      await transport.close();
      assert.equal(statuses.length, 50);
      assert.ok(statuses.every((s) => s === 200));
      const opened = server.connections - before;
      assert.ok(opened >= 1 && opened <= 4, `${opened} connections`);
    });
  }
});

describe('splitUrl', () => {
  const rows: [string, string, string][] = [
    ['http://127.0.0.1:8000/stat/push_data?a=1', 'http://127.0.0.1:8000', '/stat/push_data?a=1'],
    ['https://example.com', 'https://example.com', '/'],
    ['http://h:1?x=1', 'http://h:1', '/?x=1'],
    ['http://h/a/b', 'http://h', '/a/b'],
  ];
  for (const [url, origin, path] of rows) {
    it(`splits ${url}`, () => assert.deepEqual(splitUrl(url), [origin, path]));
  }
});
