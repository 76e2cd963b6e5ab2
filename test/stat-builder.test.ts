import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildOptions, PendingRequest } from '../src/apis/api.js';
import type { JsonObject, ValidRecord } from '../src/records.js';
import { encodeRequest } from '../src/apis/encode.js';
import { JsonNumberText, parseExact } from '../src/json/exact.js';
import { recordUrlBound } from '../src/apis/stat/url.js';
import { md5SortedSigner } from '../src/sign/md5-sorted.js';
import { MAX_OPEN_GROUPS, statPushData } from '../src/apis/stat/index.js';
import { Prng } from '../src/prng.js';

const BASE_URL = 'http://127.0.0.1:8000';
const NOW_SECONDS = 1_700_000_999;

function options(overrides: Partial<BuildOptions> = {}): BuildOptions {
  return {
    batchSize: 50,
    maxUrlBytes: 8000,
    statParams: 'query',
    baseUrlBytes: BASE_URL.length,
    ts: 'keep',
    keepAuth: false,
    downloadOpenidField: 'oepnid',
    credentials: {},
    nowSeconds: () => NOW_SECONDS,
    ...overrides,
  };
}

let seq = 0;
function record(value: JsonObject): ValidRecord {
  const n = seq++;
  return { origin: { file: 'test.ndjson', line: n + 1, input: 0 }, endpoint: 'stat.push_data', value, meta: {}, seq: n };
}

function ev(uid: string, aid = 1001, extra: JsonObject = {}): JsonObject {
  return { aid, uid, app_id: 15154545, ...extra };
}

function events(request: PendingRequest): JsonObject[] {
  return parseExact(request.params!.data!) as JsonObject[];
}

/** The URL as sent: signed with the real signer, encoded as the transport does. */
function signedUrl(request: PendingRequest): string {
  const signed = md5SortedSigner.sign({ endpoint: request.endpoint, params: request.params!, secret: 'S', nowSeconds: NOW_SECONDS }) as { params: Record<string, string> };
  return encodeRequest({ ...request, params: { ...request.params, ...signed.params } }, { baseUrl: BASE_URL }).url;
}

function addAll(builder: ReturnType<typeof statPushData.createBuilder>, values: JsonObject[]): PendingRequest[] {
  const out: PendingRequest[] = [];
  for (const value of values) out.push(...builder.add(record(value)));
  return out;
}

test('single events are batched per (uid, app_id), in input order, and flushed in opening order', () => {
  const builder = statPushData.createBuilder(options());
  const emitted = addAll(builder, [ev('a', 1000), ev('b', 1000), ev('a', 1001), { ...ev('a', 1002), app_id: 7 }, ev('b', 1002)]);
  assert.deepEqual(emitted, []);
  assert.equal(builder.held, 5);
  const requests = builder.flush();
  assert.equal(builder.held, 0);
  assert.deepEqual(requests.map((r) => [r.params!.uid, r.params!.app_id, events(r).map((e) => e.aid)]), [
    ['a', '15154545', [1000, 1001]],
    ['b', '15154545', [1000, 1002]],
    ['a', '7', [1002]],
  ]);
  assert.deepEqual(requests[0]!.records.map((r) => r.value.aid), [1000, 1001]);
  assert.deepEqual(builder.flush(), []);
});

test('a batch sends session_key, ts, app_id, uid, data in that order, data the JSON text of the events, no __md5', () => {
  const builder = statPushData.createBuilder(options({ credentials: { statSessionKey: 'cfg' } }));
  const first = { game_id: 12, aid: 1003, uid: '2508E', game_v: '7.8.8', app_id: 15154545, v: 5, ts: '1700000000', session_key: 'logged', __md5: 'a47be5ef374d2bb74f7762e0d6c595d0' };
  // The same ts, a number here: as sent, the two are equal, so they share the request.
  const second = { game_id: 12, app_id: 15154545, uid: '2508E', aid: 2002, game_v: '7.8.8', ts: 1700000000 };
  addAll(builder, [first, second]);
  const [request] = builder.flush();
  assert.equal(request!.path, '/statistic/push_data/');
  assert.equal(request!.endpoint, 'stat.push_data');
  assert.equal(request!.paramsIn, 'query');
  assert.deepEqual(request!.headers, {});
  assert.deepEqual(Object.keys(request!.params!), ['session_key', 'ts', 'app_id', 'uid', 'data']);
  assert.deepEqual(request!.params, {
    session_key: 'cfg',
    ts: '1700000000',
    app_id: '15154545',
    uid: '2508E',
    data: '[{"game_id":12,"aid":1003,"uid":"2508E","game_v":"7.8.8","app_id":15154545,"v":5},{"game_id":12,"app_id":15154545,"uid":"2508E","aid":2002,"game_v":"7.8.8"}]',
  });
});

test('v is sent as the input had it, a number or a string', () => {
  const builder = statPushData.createBuilder(options());
  addAll(builder, [ev('a', 2003, { game_id: 1, game_v: '1', v: 342 }), ev('a', 2003, { game_id: 1, game_v: '1', v: '342' })]);
  assert.deepEqual(events(builder.flush()[0]!).map((e) => e.v), [342, '342']);
});

test('a batch is emitted as soon as it holds --batch-size events', () => {
  const builder = statPushData.createBuilder(options({ batchSize: 2 }));
  const sizes: number[][] = [];
  for (let i = 0; i < 5; i++) sizes.push(builder.add(record(ev('a', 1000 + (i % 3)))).map((r) => r.records.length));
  assert.deepEqual(sizes, [[], [2], [], [2], []]);
  assert.equal(builder.held, 1);
  assert.deepEqual(builder.flush().map((r) => r.records.length), [1]);
});

test('in query mode batches are split so every signed URL is under --max-url-bytes, packed tightly, nothing lost', () => {
  const values: JsonObject[] = [];
  for (let i = 0; i < 40; i++) values.push(ev('2508E', 2002, { game_id: i, game_v: 'версия ' + 'x'.repeat(i % 7), ts: '1700000000' }));
  // Every limit over a range, so some limit falls within a few bytes of each batch boundary.
  for (let max = 500; max <= 900; max++) {
    const builder = statPushData.createBuilder(options({ maxUrlBytes: max, credentials: { statSessionKey: 'sess ion/ключ' } }));
    const requests = [...addAll(builder, values), ...builder.flush()];
    assert.ok(requests.length > 3, `only ${requests.length} requests`);
    for (const request of requests) {
      const bytes = Buffer.byteLength(signedUrl(request));
      assert.ok(bytes < max, `${bytes} ≥ ${max}: "under" is strictly less`);
    }
    // Tight: each batch but the last would have overflowed with the next event added.
    for (let i = 0; i + 1 < requests.length; i++) {
      const next = events(requests[i + 1]!)[0]!;
      const grown = { ...requests[i]!, params: { ...requests[i]!.params, data: JSON.stringify([...events(requests[i]!), next]) } };
      assert.ok(Buffer.byteLength(signedUrl(grown)) >= max, `limit ${max}: request ${i} could have held one more event`);
    }
    assert.deepEqual(requests.flatMap((r) => events(r).map((e) => e.game_id)), values.map((v) => v.game_id));
  }
});

test('issue 13 #14: an event or envelope whose smallest request cannot be under the limit is stat.url_too_long, and the builder never takes one', () => {
  const wire = options({ maxUrlBytes: 300 });
  const check = (value: JsonObject, o: BuildOptions = wire) => statPushData.validate(value, { allowUnknownAid: true, nowMs: NOW_SECONDS * 1000, wire: o }).findings.map((f) => f.rule);
  const huge = ev('a', 1001, { note: 'x'.repeat(500) });
  assert.deepEqual(check(ev('a')), []);
  assert.deepEqual(check(huge), ['stat.url_too_long']);
  assert.deepEqual(check(huge, options({ maxUrlBytes: 300, statParams: 'form' })), [], 'form mode has no URL limit');
  assert.deepEqual(statPushData.validate(huge, { allowUnknownAid: true, nowMs: 0 }).findings, [], 'validate knows no target: no check');
  const envelope = { uid: 'a', app_id: 15154545, ts: '1700000000', data: [huge] };
  assert.deepEqual(check(envelope), ['stat.url_too_long']);
  assert.match(statPushData.validate(huge, { allowUnknownAid: true, nowMs: 0, wire }).findings[0]!.message, /is \d+ bytes, not under --max-url-bytes 300/);
  // Exactly at the limit is over: find the limit that one event alone reaches.
  const alone = statPushData.createBuilder(options());
  alone.add(record(ev('a')));
  const bytes = Buffer.byteLength(signedUrl(alone.flush()[0]!));
  assert.deepEqual(check(ev('a'), options({ maxUrlBytes: bytes })), ['stat.url_too_long']);
  assert.deepEqual(check(ev('a'), options({ maxUrlBytes: bytes + 1 })), []);
  // The builder refuses what validation would have refused rather than send it.
  assert.throws(() => statPushData.createBuilder(wire).add(record(huge)), /internal: a stat event over --max-url-bytes 300/);
});

test('issue 13 #14: over many random events, the valid ones all go, every URL strictly under the limit', () => {
  const prng = new Prng(7);
  const next = (n: number): number => prng.int(0, n - 1);
  const chars = ['a', 'é', '中', '🎮', ' ', '&', '%', '"', '\\'];
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 30; round++) {
    const max = 256 + next(1200);
    const o = options({ maxUrlBytes: max, batchSize: 1 + next(60), ts: next(2) === 0 ? 'keep' : 'now', credentials: next(2) === 0 ? {} : { statSessionKey: 'key/' + 'k'.repeat(next(40)) } });
    const builder = statPushData.createBuilder(o);
    const sent: number[] = [];
    const valid: number[] = [];
    for (let i = 0; i < 300; i++) {
      const note = Array.from({ length: next(120) }, () => chars[next(chars.length)]).join('');
      const value = ev(`u${next(5)}`, 1001, { v_note: note, n: i, ...(next(3) === 0 ? { ts: String(1_700_000_000 + next(100_000)) } : {}), ...(next(4) === 0 ? { session_key: 's'.repeat(next(30)) } : {}) });
      const findings = statPushData.validate(value, { allowUnknownAid: true, nowMs: NOW_SECONDS * 1000, wire: o }).findings;
      if (findings.some((f) => f.rule === 'stat.url_too_long')) continue;
      valid.push(i);
      for (const request of builder.add(record(value))) sent.push(...check(request));
    }
    for (const request of builder.flush()) sent.push(...check(request));
    assert.deepEqual(sent.sort((a, b) => a - b), valid, `round ${round}: every valid event sent once`);
    accepted += valid.length;
    refused += 300 - valid.length;

    function check(request: PendingRequest): number[] {
      const bytes = Buffer.byteLength(signedUrl(request));
      assert.ok(bytes < max, `round ${round}: a URL of ${bytes} bytes with --max-url-bytes ${max}`);
      return events(request).map((e) => e.n as number);
    }
  }
  assert.ok(accepted > 3000 && refused > 100, `both kinds were drawn: ${accepted} sent, ${refused} refused`);
});

test('in form mode parameters go in the body and only --batch-size limits a batch', () => {
  const builder = statPushData.createBuilder(options({ statParams: 'form', maxUrlBytes: 300, batchSize: 10 }));
  const out = addAll(builder, Array.from({ length: 12 }, () => ev('a', 1001, { note: 'x'.repeat(100) })));
  assert.deepEqual(out.map((r) => r.records.length), [10]);
  assert.equal(out[0]!.paramsIn, 'form');
  const wire = encodeRequest(out[0]!, { baseUrl: BASE_URL });
  assert.equal(wire.url, BASE_URL + '/statistic/push_data/');
  assert.ok(wire.body!.includes('data=%5B%7B'));
});

test('due() emits a batch once its first event has waited the linger time', () => {
  const builder = statPushData.createBuilder(options());
  builder.add(record(ev('a')));
  assert.deepEqual(builder.due(1000, 200), []);
  builder.add(record(ev('b')));
  builder.add(record(ev('a')));
  assert.deepEqual(builder.due(1100, 200), []);
  const first = builder.due(1200, 200);
  assert.deepEqual(first.map((r) => [r.params!.uid, r.records.length]), [['a', 2]]);
  assert.deepEqual(builder.due(1299, 200), []);
  assert.deepEqual(builder.due(1300, 200).map((r) => r.params!.uid), ['b']);
  assert.equal(builder.held, 0);
});

test('at most 1,000 groups are held: a new group past that emits the oldest', () => {
  assert.equal(MAX_OPEN_GROUPS, 1000);
  const builder = statPushData.createBuilder(options());
  for (let i = 0; i < MAX_OPEN_GROUPS; i++) assert.deepEqual(builder.add(record(ev(`u${i}`))), []);
  assert.deepEqual(builder.add(record(ev('u1'))), [], 'an open group takes more events');
  const evicted = builder.add(record(ev('new')));
  assert.deepEqual(evicted.map((r) => r.params!.uid), ['u0']);
  assert.deepEqual(builder.add(record(ev('newer'))).map((r) => r.params!.uid), ['u1']);
  assert.equal(builder.held, MAX_OPEN_GROUPS);
  const rest = builder.flush();
  assert.equal(rest.length, MAX_OPEN_GROUPS);
  assert.deepEqual(rest.slice(-2).map((r) => r.params!.uid), ['new', 'newer']);
});

test('an envelope is one request as logged, its data serialized once and exactly', () => {
  const builder = statPushData.createBuilder(options());
  const data = [{ aid: 1001, uid: '2508E', app_id: 15154545, big: 12345678901234567890n }, { aid: 1000 }];
  const envelope = { uid: '2508E', app_id: 15154545, session_key: 'k', ts: '1700000000', __md5: 'a47be5ef374d2bb74f7762e0d6c595d0', data };
  const out = builder.add(record(envelope));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.params, {
    session_key: 'k',
    ts: '1700000000',
    app_id: '15154545',
    uid: '2508E',
    data: '[{"aid":1001,"uid":"2508E","app_id":15154545,"big":12345678901234567890},{"aid":1000}]',
  });
  assert.equal(out[0]!.records.length, 1);
  assert.equal(builder.held, 0);
});

test('an envelope logged with data as text is sent with the array text, not a string of it', () => {
  const builder = statPushData.createBuilder(options());
  const logged = { uid: '2508E', app_id: 15154545, ts: '1700000000', data: '[{"aid": 1001, "uid": "2508E", "app_id": 15154545}]' };
  const { value } = statPushData.validate(logged, { allowUnknownAid: false, nowMs: Date.UTC(2024, 0, 1) });
  const [request] = builder.add(record(value));
  assert.equal(request!.params!.data, '[{"aid":1001,"uid":"2508E","app_id":15154545}]');
});

test('an envelope lets the same user\'s held events leave first, so the user\'s order holds', () => {
  const builder = statPushData.createBuilder(options());
  addAll(builder, [ev('2508E', 1000), ev('other', 1000)]);
  const out = builder.add(record({ uid: '2508E', app_id: 15154545, data: [ev('2508E', 1001)] }));
  assert.deepEqual(out.map((r) => [r.params!.uid, events(r).map((e) => e.aid)]), [
    ['2508E', [1000]],
    ['2508E', [1001]],
  ]);
  assert.equal(builder.held, 1);
});

test('ts keep: the record\'s ts (events of another ts go in another request), else now; ts now: always now', () => {
  const keep = statPushData.createBuilder(options());
  const closed = addAll(keep, [ev('a', 1000, { ts: 1700000000 }), ev('a', 1001, { ts: 1700000050 }), ev('b'), ev('c', 1000, { ts: '1700000007' })]);
  assert.deepEqual([...closed, ...keep.flush()].map((r) => r.params!.ts), ['1700000000', '1700000050', String(NOW_SECONDS), '1700000007']);
  const [envKeep] = keep.add(record({ uid: 'a', app_id: 1, ts: '1700000000', data: [] }));
  assert.equal(envKeep!.params!.ts, '1700000000');
  const now = statPushData.createBuilder(options({ ts: 'now' }));
  addAll(now, [ev('a', 1000, { ts: 1700000000 })]);
  assert.equal(now.flush()[0]!.params!.ts, String(NOW_SECONDS));
  const [envNow] = now.add(record({ uid: 'a', app_id: 1, ts: '1700000000', data: [] }));
  assert.equal(envNow!.params!.ts, String(NOW_SECONDS));
});

test('session_key from the credentials overrides the record\'s; the record\'s is kept otherwise; absent if neither', () => {
  const configured = statPushData.createBuilder(options({ credentials: { statSessionKey: 'cfg' } }));
  addAll(configured, [ev('a', 1000, { session_key: 'one' }), ev('a', 1001, { session_key: 'two' })]);
  const [batch] = configured.flush();
  assert.equal(batch!.params!.session_key, 'cfg');
  assert.equal(batch!.records.length, 2);
  assert.equal(configured.add(record({ uid: 'a', app_id: 1, session_key: 'logged', data: [] }))[0]!.params!.session_key, 'cfg');

  const logged = statPushData.createBuilder(options());
  const split = addAll(logged, [ev('a', 1000, { session_key: 'one' }), ev('a', 1001, { session_key: 'one' }), ev('a', 1002, { session_key: 'two' })]);
  assert.deepEqual(split.map((r) => [r.params!.session_key, r.records.length]), [['one', 2]], 'a new session starts a new batch');
  assert.equal(logged.flush()[0]!.params!.session_key, 'two');
  addAll(logged, [ev('a')]);
  assert.equal('session_key' in logged.flush()[0]!.params!, false);
});

test('keepAuth sends an envelope\'s logged __md5, session_key and ts unchanged, and never a single event\'s __md5', () => {
  const md5 = 'a47be5ef374d2bb74f7762e0d6c595d0';
  const envelope = { uid: 'a', app_id: 1, session_key: 'logged', ts: '1700000000', __md5: md5, data: [ev('a')] };
  const kept = statPushData.createBuilder(options({ keepAuth: true, ts: 'now', credentials: { statSessionKey: 'cfg' } }));
  const [request] = kept.add(record(envelope));
  assert.deepEqual(Object.keys(request!.params!), ['session_key', 'ts', 'app_id', 'uid', 'data', '__md5']);
  assert.equal(request!.params!.__md5, md5);
  assert.equal(request!.params!.session_key, 'logged');
  assert.equal(request!.params!.ts, '1700000000');
  addAll(kept, [ev('a', 1000, { __md5: md5, session_key: 'logged' })]);
  const [single] = kept.flush();
  assert.equal('__md5' in single!.params!, false);
  assert.equal(single!.params!.session_key, 'logged');
  assert.equal(single!.params!.data!.includes('__md5'), false);

  const recomputed = statPushData.createBuilder(options({ credentials: { statSessionKey: 'cfg' } }));
  const [plain] = recomputed.add(record(envelope));
  assert.equal('__md5' in plain!.params!, false);
  assert.equal(plain!.params!.session_key, 'cfg');
});

test('the URL bound that spares most records from being measured is never below the exact length', () => {
  const prng = new Prng(11);
  const next = (n: number): number => prng.int(0, n - 1);
  const units = ['a', '"', '\\', '\n', '\u0001', 'é', '中', '\u2028', '🎮', ' ', '&', '+'];
  const text = (): string => Array.from({ length: next(30) }, () => units[next(units.length)]).join('');
  const leaf = (): unknown => [text(), next(1e9), -next(1e9) / 7, 1e300 * (next(3) - 1), 2n ** 70n, new JsonNumberText('1.50e+300'), true, null][next(8)];
  const tree = (depth: number): unknown => (depth > 0 && next(3) === 0 ? (next(2) === 0 ? [tree(depth - 1), tree(depth - 1)] : { [text()]: tree(depth - 1), k: tree(depth - 1) }) : leaf());
  for (let i = 0; i < 2000; i++) {
    const o = options({ maxUrlBytes: 1_000_000, ts: next(2) === 0 ? 'keep' : 'now', keepAuth: next(2) === 0, credentials: next(2) === 0 ? {} : { statSessionKey: text() } });
    const fields: JsonObject = { aid: 1001, uid: text() || 'u', app_id: next(1e6), extra: tree(3), [text()]: tree(2) };
    if (next(2) === 0) fields.ts = String(1_700_000_000 + next(1000));
    if (next(2) === 0) fields.session_key = text();
    const value: JsonObject = next(2) === 0 ? fields : { uid: fields.uid, app_id: fields.app_id, ts: '1700000000', ...(next(2) === 0 && { __md5: 'f'.repeat(32) }), data: [fields, { ...fields, more: tree(2) }] };
    const builder = statPushData.createBuilder(o);
    const requests = [...builder.add(record(value)), ...builder.flush()];
    const exact = Buffer.byteLength(value.__md5 !== undefined && o.keepAuth ? encodeRequest(requests[0]!, { baseUrl: BASE_URL }).url : signedUrl(requests[0]!));
    assert.ok(recordUrlBound(BASE_URL.length, value, o.credentials.statSessionKey) >= exact, `record ${i}: bound below ${exact}`);
  }
});

test('a batch holds only events whose envelope is the same: ts, session_key, uid and app_id; a user\'s events keep their order', () => {
  const builder = statPushData.createBuilder(options());
  // One user's events logged minutes apart, then two in the same second, then an event of another session.
  const values = [
    ev('a', 1000, { ts: 1700000000 }),
    ev('a', 1001, { ts: 1700000300 }),
    ev('a', 1002, { ts: '1700000300' }),
    ev('a', 1003, { ts: 1700000300, session_key: 'other' }),
    ev('a', 1004, { ts: 1700000000 }),
  ];
  const requests = [...addAll(builder, values), ...builder.flush()];
  assert.deepEqual(
    requests.map((r) => [r.params!.ts, r.params!.session_key ?? null, events(r).map((e) => e.aid)]),
    [
      ['1700000000', null, [1000]],
      ['1700000300', null, [1001, 1002]],
      ['1700000300', 'other', [1003]],
      ['1700000000', null, [1004]],
    ],
  );
  // Every event reaches the server under its own ts.
  for (const request of requests) for (const record of request.records) assert.equal(String(record.value.ts), request.params!.ts);
});

test('with --pace original (timeOf) a batch holds one original time, so each event goes at its own time', () => {
  const builder = statPushData.createBuilder(options({ timeOf: (r) => (typeof r.meta._time === 'number' ? r.meta._time : undefined) }));
  const timed = (aid: number, time: number): ValidRecord => ({ ...record(ev('a', aid)), meta: { _time: time } });
  const out = [...builder.add(timed(1000, 5000)), ...builder.add(timed(1001, 5000)), ...builder.add(timed(1002, 9000)), ...builder.flush()];
  assert.deepEqual(out.map((r) => events(r).map((e) => e.aid)), [[1000, 1001], [1002]]);
});
