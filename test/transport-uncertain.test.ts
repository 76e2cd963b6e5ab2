import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport, type TransportResult } from '../src/replay/transport/contract.js';

/**
 * Whether a failed exchange is uncertain — the request was written, so the server may have
 * processed it — is told the same way by both clients.
 */
describe('uncertain: a failure after the request was written', () => {
  let server: http.Server;
  let base = '';
  /** Requests the server has read in full, by path. */
  const processed: string[] = [];
  const hanging = new Set<http.ServerResponse>();

  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        processed.push(req.url!);
        if (req.url === '/processed-then-dropped') req.socket.destroy();
        else if (req.url === '/hang') hanging.add(res);
        else res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const kind of ['got', 'undici'] as const) {
    const post = (path: string) => ({ method: 'POST' as const, url: base + path, headers: {}, body: 'a=1' });

    it(`${kind}: a connection closed after the server read the request is ECONNRESET, uncertain`, async () => {
      const transport = await createTransport(kind, { concurrency: 2 });
      try {
        const result = await transport.send(post('/processed-then-dropped'), { timeoutMs: 30_000 });
        assert.deepEqual(!result.ok && [result.error, result.uncertain], ['ECONNRESET', true]);
        assert.match(!result.ok ? result.message : '', /closed after the request was sent/);
        assert.ok(processed.includes('/processed-then-dropped'), 'the server had it');
      } finally {
        await transport.close();
      }
    });

    it(`${kind}: a timeout after the request went out is uncertain`, async () => {
      const transport = await createTransport(kind, { concurrency: 2 });
      try {
        // A warm keep-alive connection first, so the request is written at once even on a busy machine.
        assert.equal((await transport.send(post('/ok'), { timeoutMs: 30_000 })).ok, true);
        const result = await transport.send(post('/hang'), { timeoutMs: 1000 });
        assert.deepEqual(!result.ok && [result.error, result.uncertain], ['timeout', true]);
        assert.match(!result.ok ? result.message : '', /after the request was sent/);
      } finally {
        await transport.close();
      }
    });

    it(`${kind}: a refused connection is certain: the request never left`, async () => {
      const probe = http.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      const transport = await createTransport(kind, { concurrency: 2 });
      try {
        const result = await transport.send({ method: 'POST', url: `http://127.0.0.1:${port}/x`, headers: {} }, { timeoutMs: 30_000 });
        assert.deepEqual(!result.ok && [result.error, result.uncertain], ['ECONNREFUSED', false]);
      } finally {
        await transport.close();
      }
    });

    it(`${kind}: a timeout while waiting for a connection is certain: the request was never written`, async () => {
      // One connection, held by a request the server never answers: the second waits for it.
      const transport = await createTransport(kind, { concurrency: 1 });
      const holder = new AbortController();
      try {
        const first = transport.send(post('/hang'), { timeoutMs: 60_000, signal: holder.signal });
        const second: TransportResult = await transport.send(post('/queued'), { timeoutMs: 300 });
        assert.deepEqual(!second.ok && [second.error, second.uncertain], ['timeout', false]);
        assert.match(!second.ok ? second.message : '', /could not send/);
        assert.ok(!processed.includes('/queued'));
        holder.abort();
        await first;
      } finally {
        await transport.close();
      }
    });
  }
});
