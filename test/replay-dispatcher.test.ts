import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PendingRequest } from '../src/apis/api.js';
import type { WireRequest } from '../src/apis/encode.js';
import { getEndpoint } from '../src/apis/registry.js';
import { EndpointStats } from '../src/report/stats.js';
import { Dispatcher, type Settlement } from '../src/replay/dispatcher.js';
import type { Backoff } from '../src/replay/retry.js';
import type { Transport, TransportResult } from '../src/replay/transport.js';

const stat = getEndpoint('stat.push_data')!;
const FIXED_100: Backoff = { retries: 2, delayMs: 100, backoff: 'fixed', maxDelayMs: 1000 };

/** A clock the test moves: the dispatcher's `now`, so figures do not depend on the machine's speed. */
interface FakeClock {
  now: number;
}

/**
 * A transport that answers from a script per URL, after `latencyMs`, and notes each send.
 * With a fake clock, an answer comes at once and moves the clock `latencyMs` past its send.
 */
class ScriptedTransport implements Transport {
  readonly name = 'undici' as const;
  readonly sends: { url: string; at: number }[] = [];
  readonly #script: Map<string, number[]>;
  readonly #latencyMs: number;
  readonly #clock: FakeClock | undefined;
  readonly #start = performance.now();

  constructor(script: Record<string, number[]>, latencyMs: number, clock?: FakeClock) {
    this.#script = new Map(Object.entries(script));
    this.#latencyMs = latencyMs;
    this.#clock = clock;
  }

  send(request: WireRequest, options: { signal?: AbortSignal }): Promise<TransportResult> {
    this.sends.push({ url: request.url, at: performance.now() - this.#start });
    const status = this.#script.get(request.url)?.shift() ?? 200;
    const clock = this.#clock;
    if (clock) {
      const answerAt = clock.now + this.#latencyMs;
      return new Promise((resolve) =>
        setImmediate(() => {
          clock.now = Math.max(clock.now, answerAt);
          resolve({ ok: true, status, headers: {}, body: '' });
        }),
      );
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: true, status, headers: {}, body: '' }), this.#latencyMs);
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve({ ok: false, error: 'aborted', message: 'aborted' });
      });
    });
  }

  async close(): Promise<void> {}
}

function request(name: string): { pending: PendingRequest; wire: WireRequest } {
  return { pending: { endpoint: 'stat.push_data', records: [], path: '/', headers: {} }, wire: { method: 'POST', url: name, headers: {} } };
}

function dispatcher(transport: Transport, options: { concurrency: number; paced: boolean; clock?: FakeClock }, settled: [string, Settlement][]): Dispatcher {
  const { clock } = options;
  return new Dispatcher({
    transport,
    concurrency: options.concurrency,
    timeoutMs: 1000,
    paced: options.paced,
    policy: () => FIXED_100,
    onSettled: (delivery, settlement) => void settled.push([delivery.wire.url, settlement]),
    ...(clock && { now: () => clock.now }),
  });
}

describe('Dispatcher', () => {
  test('a retry waits on its timer without holding a slot: the next request goes meanwhile', async () => {
    const transport = new ScriptedTransport({ a: [503, 200] }, 10);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 1, paced: false }, settled);
    const stats = new EndpointStats();
    for (const name of ['a', 'b']) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, stats, performance.now());
    }
    await d.idle();
    // One slot: b could only go between a's attempts if the waiting retry left the slot free.
    assert.deepEqual(transport.sends.map((s) => s.url), ['a', 'b', 'a'], 'b did not wait for a\'s retry');
    assert.ok(transport.sends[2]!.at - transport.sends[0]!.at >= 100, 'the retry waited its delay');
    assert.deepEqual(settled, [['b', { kind: 'delivered' }], ['a', { kind: 'delivered' }]]);
    assert.equal(stats.requests, 2);
    assert.equal(stats.retries, 1);
  });

  test('a request whose retries are spent fails with the last cause', async () => {
    const transport = new ScriptedTransport({ a: [503, 502, 500] }, 1);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 4, paced: false }, settled);
    const { pending, wire } = request('a');
    d.submit(pending, wire, stat, new EndpointStats(), performance.now());
    await d.idle();
    assert.deepEqual(settled, [['a', { kind: 'failed', cause: 'http 500' }]]);
  });

  test('requests the concurrency bound holds past their due time are late; latency from the due time includes the wait', async () => {
    // The dispatcher's clock is the test's: each exchange takes exactly 60 ms of it.
    const clock: FakeClock = { now: 0 };
    const transport = new ScriptedTransport({}, 60, clock);
    const d = dispatcher(transport, { concurrency: 1, paced: true, clock }, []);
    const stats = new EndpointStats();
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, stats, i * 10);
    }
    await d.idle();
    const ms = (us: number) => Math.round(us / 1000);
    assert.equal(stats.requests, 3);
    assert.equal(stats.late, 2, 'b and c waited for the single slot; a went on time');
    assert.equal(ms(stats.latency.maxValue), 60, 'each exchange took 60 ms');
    assert.equal(ms(stats.latencyFromDue.maxValue), 160, 'c, due at 20 ms, sent at 120 ms, answered at 180 ms');
    assert.equal(ms(stats.lateness.maxValue), 100, 'c went 100 ms after its due time');
  });

  test('stopTaking leaves queued requests unsent; abort ends in-flight ones unsent, without counting them failed', async () => {
    const transport = new ScriptedTransport({}, 5000);
    const settled: [string, Settlement][] = [];
    const d = dispatcher(transport, { concurrency: 1, paced: false }, settled);
    const stats = new EndpointStats();
    for (const name of ['a', 'b', 'c']) {
      const { pending, wire } = request(name);
      d.submit(pending, wire, stat, stats, performance.now());
    }
    d.stopTaking();
    assert.deepEqual(settled.map(([url, s]) => [url, s.kind]), [['b', 'unsent'], ['c', 'unsent']]);
    d.abort();
    await d.idle();
    assert.deepEqual(settled.map(([url, s]) => [url, s.kind]), [['b', 'unsent'], ['c', 'unsent'], ['a', 'unsent']]);
    assert.equal(stats.requests, 1);
    assert.equal(stats.latency.totalCount, 0, 'an aborted exchange has no latency');
  });
});
