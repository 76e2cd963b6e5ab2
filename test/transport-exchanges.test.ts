import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport, type Transport, type TransportResult } from '../src/replay/transport/contract.js';
import { SAFETY_TIMEOUT_MS, waitFor } from './helpers/wait.js';

/** `/slow` never answers by itself (the test may `release` it); `/ok` answers at once, echoing method and user-agent. */
class Receiver {
  readonly server: http.Server;
  base = '';
  /** The requests to /slow taken so far and not released, by path with query. */
  readonly held: { url: string; res: http.ServerResponse }[] = [];

  constructor() {
    this.server = http.createServer((req, res) => {
      req.resume();
      if (req.url!.startsWith('/slow')) {
        this.held.push({ url: req.url!, res });
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, agent: req.headers['user-agent'], length: req.headers['content-length'] ?? null }));
    });
  }

  heldCount(url: string): number {
    return this.held.filter((h) => h.url === url).length;
  }

  /** Answers the held requests to `url` with 200. */
  release(url: string): void {
    for (const h of this.held.filter((h) => h.url === url)) h.res.end('released');
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

const KINDS = ['got', 'undici'] as const;

describe('timeouts and aborts shared by all requests in flight', () => {
  const receiver = new Receiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  for (const kind of KINDS) {
    it(`${kind}: every one of 20 requests to a silent server times out, none before its own timeout`, async () => {
      const transport = await createTransport(kind, { concurrency: 20 });
      try {
        const started: number[] = [];
        const ended: number[] = [];
        const results = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            // Staggered starts: each request has its own deadline, not the first one's.
            await new Promise((resolve) => setTimeout(resolve, i * 10));
            started[i] = performance.now();
            const result = await transport.send({ method: 'POST', url: `${receiver.base}/slow`, headers: {} }, { timeoutMs: 250 });
            ended[i] = performance.now();
            return result;
          }),
        );
        for (let i = 0; i < 20; i++) {
          const result = results[i]!;
          assert.equal(!result.ok && result.error, 'timeout', `request ${i}`);
          // A lower bound only: a busy machine makes a timeout end later, never earlier.
          const took = ended[i]! - started[i]!;
          assert.ok(took >= 249, `request ${i} ended after ${took.toFixed(0)} ms, before its own 250 ms`);
        }
      } finally {
        await transport.close();
      }
    });

    it(`${kind}: a signal aborts the requests under it and leaves the others to finish`, async () => {
      const transport = await createTransport(kind, { concurrency: 8 });
      const mine = `/slow?${kind}`;
      const other = `/slow?${kind}-other`;
      try {
        const stop = new AbortController();
        const aborted = Array.from({ length: 3 }, () => transport.send({ method: 'POST', url: receiver.base + mine, headers: {} }, { timeoutMs: SAFETY_TIMEOUT_MS, signal: stop.signal }));
        const otherSignal = new AbortController();
        const sendingOther = transport.send({ method: 'POST', url: receiver.base + other, headers: {} }, { timeoutMs: SAFETY_TIMEOUT_MS, signal: otherSignal.signal });
        // Abort while the server holds all four: the three under the signal end at once…
        await waitFor(() => receiver.heldCount(mine) === 3 && receiver.heldCount(other) === 1, 'the server to hold the four requests');
        stop.abort();
        // Written or not by then (`uncertain`) depends on how fast the connection opened.
        for (const result of await Promise.all(aborted)) assert.deepEqual(!result.ok && [result.error, result.message], ['aborted', 'request aborted']);
        // …and the one under another signal is still open: it ends with the answer it gets.
        receiver.release(other);
        const result: TransportResult = await sendingOther;
        assert.deepEqual(result.ok && [result.status, result.body], [200, 'released'], 'the request under another signal was left to finish');
        // The signal is spent: what is sent under it now ends at once, unsent.
        assert.equal((await transport.send({ method: 'POST', url: `${receiver.base}/ok`, headers: {} }, { timeoutMs: SAFETY_TIMEOUT_MS, signal: stop.signal })).ok, false);
      } finally {
        await transport.close();
      }
    });

    it(`${kind}: a request with no headers and no body is an empty POST with our user-agent`, async () => {
      const transport: Transport = await createTransport(kind, { concurrency: 2 });
      try {
        const result = await transport.send({ method: 'POST', url: `${receiver.base}/ok?a=1`, headers: {} }, { timeoutMs: SAFETY_TIMEOUT_MS });
        assert.ok(result.ok);
        const seen = JSON.parse(result.body) as { method: string; agent: string; length: string | null };
        assert.equal(seen.method, 'POST');
        assert.equal(seen.agent, 'report-replay');
        assert.ok(seen.length === null || seen.length === '0', `content-length ${seen.length}`);
      } finally {
        await transport.close();
      }
    });
  }
});
