import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PendingRequest } from '../src/apis/api.js';
import type { WireRequest } from '../src/apis/encode.js';
import { getEndpoint } from '../src/apis/registry.js';
import { RunStats } from '../src/report/stats.js';
import type { UncertainPolicy } from '../src/apis/api.js';
import type { Attempt, Settlement } from '../src/replay/delivery/attempt.js';
import { Dispatcher } from '../src/replay/delivery/dispatcher.js';
import { RunState } from '../src/replay/signals.js';
import type { Backoff } from '../src/replay/delivery/retry.js';
import type { Transport, TransportResult } from '../src/replay/transport/contract.js';

const stat = getEndpoint('stat.push_data')!;
const FIXED_100: Backoff = { retries: 2, delayMs: 100, backoff: 'fixed', maxDelayMs: 1000 };

/** A transport that answers from a script per URL (a status, or `lost`: reset after the request was written), after `latencyMs`, and notes each send. */
class ScriptedTransport implements Transport {
  readonly name = 'undici' as const;
  readonly sends: { url: string; at: number }[] = [];
  readonly #script: Map<string, (number | 'lost')[]>;
  readonly #latencyMs: number;
  readonly #start = performance.now();

  constructor(script: Record<string, (number | 'lost')[]>, latencyMs: number) {
    this.#script = new Map(Object.entries(script));
    this.#latencyMs = latencyMs;
  }

  send(request: WireRequest, options: { signal?: AbortSignal }): Promise<TransportResult> {
    this.sends.push({ url: request.url, at: performance.now() - this.#start });
    const status = this.#script.get(request.url)?.shift() ?? 200;
    return new Promise((resolve) => {
      const answer = (): void =>
        resolve(status === 'lost' ? { ok: false, error: 'ECONNRESET', message: 'closed after the request was sent', uncertain: true } : { ok: true, status, headers: {}, body: '' });
      const timer = setTimeout(answer, this.#latencyMs);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ ok: false, error: 'aborted', message: 'aborted', uncertain: true });
      });
    });
  }

  async close(): Promise<void> {}
}

function request(name: string): { pending: PendingRequest; wire: WireRequest } {
  return { pending: { endpoint: 'stat.push_data', records: [], path: '/', headers: {} }, wire: { method: 'POST', url: name, headers: {} } };
}

/** A dispatcher whose attempts and settlements go to `stats` (when given), as the engine's do. */
function dispatcher(
  transport: Transport,
  options: { concurrency: number; paced: boolean; uncertain?: UncertainPolicy },
  settled: [string, Settlement][],
  stats = new RunStats('replay', 1),
  attempts: Attempt[] = [],
  run = new RunState(),
): Dispatcher {
  return new Dispatcher({
    run,
    transport,
    concurrency: options.concurrency,
    timeoutMs: 1000,
    paced: options.paced,
    policy: () => FIXED_100,
    uncertain: () => options.uncertain ?? 'skip',
    excerpt: (text) => text || undefined,
    onAttempt: (attempt) => {
      attempts.push(attempt);
      stats.addAttempt(attempt);
    },
    onSettled: (delivery, settlement) => {
      stats.addSettlement(delivery.request.endpoint, delivery.recordCount, settlement);
      settled.push([delivery.wire.url, settlement]);
    },
  });
}

describe('Dispatcher', () => {
  test('a retry waits on its timer without holding a slot: the next request goes meanwhile', async () => {
    const transport = new ScriptedTransport({ a: [503, 200] }, 10);
    const settled: [string, Settlement][] = [];
    const stats = new RunStats('replay', 1);
    const d = dispatcher(transport, { concurrency: 1, paced: false }, settled, stats);
    for (const name of ['a', 'b']) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, performance.now());
    }
    await d.idle();
    assert.deepEqual(transport.sends.map((s) => s.url), ['a', 'b', 'a']);
    assert.ok(transport.sends[2]!.at - transport.sends[0]!.at >= 100, 'the retry waited its delay');
    // With one slot, b going between a and a's retry is the proof that the retry held no slot
    // (no wall-clock bound: on a loaded machine b may go late, but never after the retry).
    assert.deepEqual(settled, [['b', { kind: 'delivered', possiblyDuplicated: false }], ['a', { kind: 'delivered', possiblyDuplicated: false }]]);
    assert.equal(stats.endpoint('stat.push_data').requests, 2);
    assert.equal(stats.endpoint('stat.push_data').retries, 1);
  });

  test('a request whose retries are spent fails with the last cause', async () => {
    const transport = new ScriptedTransport({ a: [503, 502, 500] }, 1);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 4, paced: false }, settled);
    const { pending, wire } = request('a');
    d.submit(pending, wire, stat, performance.now());
    await d.idle();
    assert.deepEqual(settled, [['a', { kind: 'failed', cause: 'http 500', excerpt: undefined, uncertain: false }]]);
  });

  test('requests the concurrency bound holds past their due time are late; latency from the due time includes the wait', async () => {
    const transport = new ScriptedTransport({}, 60);
    const run = new RunStats('replay', 1);
    const d = dispatcher(transport, { concurrency: 1, paced: true }, [], run);
    const stats = run.endpoint('stat.push_data');
    const t0 = performance.now();
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, t0 + i * 10);
    }
    await d.idle();
    assert.equal(stats.requests, 3);
    assert.equal(stats.late, 2, 'b and c waited for the single slot');
    // Lower bounds only (timers never fire early; a loaded machine only makes things later):
    // c, due at 20 ms, waited for a and b (60 ms each) before its own 60 ms exchange.
    assert.ok(stats.latency.minNonZeroValue / 1000 >= 59, 'each exchange took at least 60 ms');
    assert.ok(stats.latencyFromDue.maxValue / 1000 > 150, 'c, due at 20 ms, answered at ~180 ms');
    assert.ok(stats.lateness.maxValue / 1000 > 90);
  });

  test('it follows the run: stopped, queued requests end unsent; aborting, in-flight ones end unsent, without counting them failed', async () => {
    const transport = new ScriptedTransport({}, 5000);
    const settled: [string, Settlement][] = [];
    const run = new RunStats('replay', 1);
    const state = new RunState();
    const d = dispatcher(transport, { concurrency: 1, paced: false }, settled, run, [], state);
    const stats = run.endpoint('stat.push_data');
    for (const name of ['a', 'b', 'c']) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, performance.now());
    }
    state.finishReading();
    assert.equal(settled.length, 0, 'inputs read to their end: what is queued still goes');
    state.stop('interrupted');
    assert.deepEqual(settled.map(([url, s]) => [url, s.kind]), [['b', 'unsent'], ['c', 'unsent']]);
    d.submit(request('d').pending, request('d').wire, stat, performance.now());
    assert.deepEqual(settled.at(-1)?.[1].kind, 'unsent', 'a request submitted once stopped ends unsent at once');
    state.abort();
    await d.idle();
    assert.deepEqual(settled.map(([url, s]) => [url, s.kind]), [['b', 'unsent'], ['c', 'unsent'], ['d', 'unsent'], ['a', 'unsent']]);
    assert.equal(stats.requests, 1);
    assert.equal(stats.latency.totalCount, 0, 'an aborted exchange has no latency');
  });

  test('an uncertain attempt is not sent again under skip: its request fails with cause uncertain and what happened', async () => {
    const transport = new ScriptedTransport({ a: ['lost'] }, 1);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 1, paced: false, uncertain: 'skip' }, settled);
    const { pending, wire } = request('a');
    d.submit(pending, wire, stat, performance.now());
    await d.idle();
    assert.equal(transport.sends.length, 1);
    assert.deepEqual(settled, [['a', { kind: 'failed', cause: 'uncertain', excerpt: 'closed after the request was sent', uncertain: true }]]);
  });

  test('under resend it goes again; delivered, its records are possibly duplicated; every attempt is a value', async () => {
    const transport = new ScriptedTransport({ a: ['lost', 200], b: [503, 200] }, 1);
    const settled: [string, Settlement][] = [];
    const attempts: Attempt[] = [];
    const stats = new RunStats('replay', 1);
    const d = dispatcher(transport, { concurrency: 2, paced: false, uncertain: 'resend' }, settled, stats, attempts);
    for (const name of ['a', 'b']) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, performance.now());
    }
    await d.idle();
    const byUrl = new Map(settled);
    assert.deepEqual(byUrl.get('a'), { kind: 'delivered', possiblyDuplicated: true });
    assert.deepEqual(byUrl.get('b'), { kind: 'delivered', possiblyDuplicated: false }, 'a 503 is a certain answer');
    assert.deepEqual(
      attempts.map((a) => [a.seq, a.attempt, a.status, a.cause ?? null, a.uncertain]).sort(),
      [
        [0, 0, 0, 'network ECONNRESET', true],
        [0, 1, 200, null, false],
        [1, 0, 503, 'http 503', false],
        [1, 1, 200, null, false],
      ],
    );
    for (const a of attempts) assert.ok(a.dueMs <= a.sentMs && a.sentMs <= a.endMs && a.sentMs > Date.now() - 60_000, 'epoch ms, in order');
    assert.equal(stats.endpoint('stat.push_data').requests, 2);
    assert.equal(stats.endpoint('stat.push_data').retries, 2);
  });

  test('a request resent after an uncertain attempt that still fails is uncertain, whatever its last cause', async () => {
    const transport = new ScriptedTransport({ a: ['lost', 503, 503] }, 1);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 1, paced: false, uncertain: 'resend' }, settled);
    const { pending, wire } = request('a');
    d.submit(pending, wire, stat, performance.now());
    await d.idle();
    assert.equal(transport.sends.length, 3);
    assert.deepEqual(settled, [['a', { kind: 'failed', cause: 'uncertain', excerpt: 'closed after the request was sent; last attempt: http 503', uncertain: true }]]);
  });

  test('with a journal: the first attempts started in one turn are journaled in one call before any is sent; a retry is not journaled again', async () => {
    const transport = new ScriptedTransport({ b: [503, 200] }, 5);
    const settled: [string, Settlement][] = [];
    const journaled: { urls: string[]; sentBefore: number }[] = [];
    const d = new Dispatcher({
      run: new RunState(),
      transport,
      concurrency: 8,
      timeoutMs: 1000,
      paced: false,
      policy: () => ({ ...FIXED_100, delayMs: 5 }),
      uncertain: () => 'skip',
      excerpt: () => undefined,
      journal: (deliveries) => {
        journaled.push({ urls: deliveries.map((x) => x.wire.url), sentBefore: transport.sends.length });
        return true;
      },
      onAttempt: () => {},
      onSettled: (delivery, settlement) => void settled.push([delivery.wire.url, settlement]),
    });
    for (const name of ['a', 'b', 'c']) d.submit(request(name).pending, request(name).wire, stat, 0);
    assert.equal(transport.sends.length, 0, 'nothing goes before the journal');
    await d.idle();
    assert.deepEqual(journaled, [{ urls: ['a', 'b', 'c'], sentBefore: 0 }], 'one journal call for the turn, before any send; none for the retry');
    assert.deepEqual(transport.sends.map((x) => x.url).sort(), ['a', 'b', 'b', 'c']);
    assert.ok(settled.every(([, s]) => s.kind === 'delivered'));
  });

  test('a journal that cannot be written: none of the turn\'s requests goes, and each ends unsent', async () => {
    const transport = new ScriptedTransport({}, 5);
    const settled: [string, Settlement][] = [];
    const d = new Dispatcher({
      run: new RunState(),
      transport,
      concurrency: 8,
      timeoutMs: 1000,
      paced: false,
      policy: () => FIXED_100,
      uncertain: () => 'skip',
      excerpt: () => undefined,
      journal: () => false,
      onAttempt: () => {},
      onSettled: (delivery, settlement) => void settled.push([delivery.wire.url, settlement]),
    });
    for (const name of ['a', 'b']) d.submit(request(name).pending, request(name).wire, stat, 0);
    await d.idle();
    assert.equal(transport.sends.length, 0);
    assert.deepEqual(settled.map(([url, s]) => [url, s.kind]), [['a', 'unsent'], ['b', 'unsent']]);
  });
});
