import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, parseLatency } from '../src/serve/faults.js';
import type { Receiver } from '../src/serve/receiver.js';
import { CHECK_APP_UPDATE, FORM, SUD_PATH, form, post, retCode, sudStart, withReceiver } from './helpers/serve.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Statuses of `count` valid download requests sent one after another. */
async function statusSequence(receiver: Receiver, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) })).status);
  }
  return statuses;
}

test('the same seed fails the same requests with 503; another seed fails others', async () => {
  const run = (seed: number) => withReceiver({ failRate: 0.3, seed }, (receiver) => statusSequence(receiver, 50));
  const first = await run(7);
  const again = await run(7);
  const other = await run(8);
  assert.deepEqual(again, first);
  assert.notDeepEqual(other, first);
  const failures = first.filter((s) => s === 503).length;
  assert.ok(failures > 3 && failures < 30, `about 30% of 50 fail (got ${failures})`);
  assert.ok(first.every((s) => s === 503 || s === 200));
});

test('an injected 503 is counted as a fault, never as accepted', async () => {
  await withReceiver({ failRate: 0.5, seed: 3 }, async (receiver) => {
    const statuses = await statusSequence(receiver, 20);
    const counts = receiver.stats().byEndpoint['download.checkAppUpdate']!;
    assert.equal(counts.faults, statuses.filter((s) => s === 503).length);
    assert.equal(counts.accepted, statuses.filter((s) => s === 200).length);
    assert.equal(counts.records, counts.accepted);
    assert.equal(counts.requests, 20);
  });
});

test('a failRate of 1 fails even an invalid request: the fault comes before validation', async () => {
  await withReceiver({ failRate: 1 }, async (receiver) => {
    const answer = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: 'nonsense=1' });
    assert.equal(answer.status, 503);
  });
});

test('a throttled request gets 429 with Retry-After in whole seconds', async () => {
  await withReceiver({ throttleRate: 1, retryAfterSeconds: 7 }, async (receiver) => {
    const answer = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.equal(answer.status, 429);
    assert.equal(answer.headers.get('retry-after'), '7');
  });
  await withReceiver({ throttleRate: 1 }, async (receiver) => {
    const answer = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.equal(answer.headers.get('retry-after'), '1', 'the default is 1 s');
  });
});

test('sudFailFirst fails the first delivery of each report with ret_code 5000 and accepts the retry once', async () => {
  await withReceiver({ sudFailFirst: true }, async (receiver) => {
    const send = async (round: string) => retCode(await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart(round) })).ret_code;
    assert.equal(await send('r1'), 5000);
    assert.equal(await send('r2'), 5000, 'each key fails once');
    assert.equal(await send('r1'), 0);
    assert.equal(await send('r1'), 0, 'a third delivery is a duplicate, still answered 0');
    assert.equal(await send('r2'), 0);
    const counts = receiver.stats().byEndpoint['sud.report_game_info']!;
    assert.deepEqual([counts.faults, counts.accepted, counts.duplicates, counts.records], [2, 2, 1, 2]);
  });
});

test('sudErrorRate answers valid SUD reports with ret_code 5000, reproducibly', async () => {
  const codes = (seed: number) =>
    withReceiver({ sudErrorRate: 0.5, seed }, async (receiver) => {
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push(retCode(await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart(`round-${i}`) })).ret_code);
      return out;
    });
  const first = await codes(11);
  assert.deepEqual(await codes(11), first);
  assert.ok(first.includes(5000) && first.includes(0));
  assert.ok(first.every((c) => c === 0 || c === 5000));
});

test('latencyMs delays every answer by at least that long', async () => {
  await withReceiver({ latencyMs: 120 }, async (receiver) => {
    const started = performance.now();
    await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.ok(performance.now() - started >= 110, 'delayed (timer tolerance 10 ms)');
  });
  await withReceiver({ latencyMs: [60, 90] }, async (receiver) => {
    const started = performance.now();
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart() });
    assert.ok(performance.now() - started >= 50);
  });
});

test('turning latency on does not change which requests fail (each fault kind has its own stream)', async () => {
  const plain = await withReceiver({ failRate: 0.4, seed: 5 }, (receiver) => statusSequence(receiver, 20));
  const delayed = await withReceiver({ failRate: 0.4, seed: 5, latencyMs: [0, 2] }, (receiver) => statusSequence(receiver, 20));
  assert.deepEqual(delayed, plain);
});

test('fault options out of range are refused with the option named', () => {
  assert.throws(() => new FaultInjector({ failRate: 1.5 }), /failRate/);
  assert.throws(() => new FaultInjector({ throttleRate: -0.1 }), /throttleRate/);
  assert.throws(() => new FaultInjector({ latencyMs: [50, 10] }), /latencyMs/);
  assert.throws(() => new FaultInjector({ retryAfterSeconds: 1.5 }), /retryAfterSeconds/);
});

test('parseLatency reads MS and MIN-MAX, and nothing else', () => {
  assert.equal(parseLatency('50'), 50);
  assert.deepEqual(parseLatency('10-100'), [10, 100]);
  assert.equal(parseLatency('100-10'), undefined);
  assert.equal(parseLatency('fast'), undefined);
  assert.equal(parseLatency('-5'), undefined);
});

test('dropAfterRate processes a request, counts its records, then closes the connection without an answer', async () => {
  await withReceiver({ dropAfterRate: 1, trackKeys: true }, async (receiver) => {
    await assert.rejects(post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) }), 'no answer');
    const counts = receiver.stats().byEndpoint['download.checkAppUpdate']!;
    assert.equal(counts.accepted, 1, 'the request was processed');
    assert.equal(counts.records, 1);
    assert.equal(counts.dropped, 1);
    assert.equal(Object.keys(receiver.stats().keys!['download.checkAppUpdate']!).length, 1, 'its record is kept');
  });
  const drops = (seed: number) => withReceiver({ dropAfterRate: 0.3, seed }, (receiver) => statusSequenceOrDrops(receiver, 30));
  const first = await drops(5);
  assert.ok(first.includes(0) && first.includes(200), `some dropped, some answered: ${first.join(' ')}`);
  assert.deepEqual(await drops(5), first, 'the same seed drops the same requests');
});

/** 0 where the answer was dropped, else the status. */
async function statusSequenceOrDrops(receiver: Receiver, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) }).then((a) => a.status, () => 0));
  }
  return out;
}
