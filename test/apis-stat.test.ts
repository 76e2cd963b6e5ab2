import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Finding } from '../src/findings.js';
import type { JsonObject } from '../src/records.js';
import type { ResponseInfo, ValidateOptions } from '../src/apis/api.js';
import { FEATURES, STAT_RULES, statApi, statPushData } from '../src/apis/stat/index.js';

/** 2024-01-01T00:00:00Z: every time rule is judged against this "now". */
const NOW_MS = Date.UTC(2024, 0, 1);
const OPTIONS: ValidateOptions = { allowUnknownAid: false, nowMs: NOW_MS };

const samples = new URL('../../samples/', import.meta.url);

function check(value: JsonObject, options: Partial<ValidateOptions> = {}): Finding[] {
  return statPushData.validate(value, { ...OPTIONS, ...options }).findings;
}

function rules(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.path}`);
}

function event(extra: JsonObject = {}): JsonObject {
  return { aid: 1001, uid: '2508E', app_id: 15154545, ...extra };
}

function gameEvent(extra: JsonObject = {}): JsonObject {
  return { aid: 2002, uid: '2508E', app_id: 15154545, game_id: 12, game_v: '7.8.8', ...extra };
}

function envelope(data: unknown, extra: JsonObject = {}): JsonObject {
  return { uid: '2508E', app_id: 15154545, session_key: 'k', ts: '1700000000', data, ...extra };
}

function readNdjson(name: string): JsonObject[] {
  return readFileSync(new URL(name, samples), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as JsonObject);
}

test('the seed\'s own data example validates with no finding, as single events and as an envelope', () => {
  const seedEvents = [
    { game_id: 12, aid: 1003, uid: '2508E', game_v: '7.8.8', app_id: 15154545, v: 5 },
    { game_id: 12, app_id: 15154545, uid: '2508E', aid: 2002, game_v: '7.8.8' },
    { app_id: 15154545, aid: 1001, uid: '2508E', game_id: 3 },
  ];
  for (const e of seedEvents) assert.deepEqual(check(e), []);
  assert.deepEqual(check(envelope(seedEvents)), []);
});

test('an aid outside the feature table is an error unless --allow-unknown-aid', () => {
  const findings = check(event({ aid: 9999 }));
  assert.deepEqual(rules(findings), ['stat.unknown_aid@aid']);
  assert.equal(findings[0]!.severity, 'error');
  assert.equal(findings[0]!.value, 9999);
  assert.match(findings[0]!.message, /aid 9999 .*--allow-unknown-aid/);
  assert.deepEqual(check(event({ aid: 9999 }), { allowUnknownAid: true }), []);
  // An unknown aid carries no table rules: no v or game_id expectations.
  assert.deepEqual(check(event({ aid: 9999, v: 'x' }), { allowUnknownAid: true }), []);
});

test('every aid of the feature table is known', () => {
  for (const [aid, feature] of FEATURES) {
    const value = feature.game ? gameEvent({ aid }) : event({ aid });
    if (feature.v) value.v = 1;
    assert.deepEqual(check(value), [], `aid ${aid}`);
  }
  assert.equal(FEATURES.size, 23);
});

test('an event without aid is an error, at the event\'s own path inside an envelope', () => {
  assert.deepEqual(rules(check({ uid: 'u', app_id: 1 })), ['stat.missing_aid@aid']);
  assert.deepEqual(rules(check(envelope([event(), { uid: '2508E', app_id: 15154545 }]))), ['stat.missing_aid@data[1].aid']);
});

test('an aid that is not an integer is an error (strings of digits, fractions, bigints)', () => {
  for (const aid of ['1001', 1001.5, 2n ** 60n, null]) {
    const findings = check(event({ aid }));
    assert.deepEqual(rules(findings), ['stat.bad_aid@aid'], String(aid));
    assert.equal(findings[0]!.severity, 'error');
  }
});

test('app_id is required and must be a JSON integer; a string of digits is the wrong type', () => {
  assert.deepEqual(rules(check({ aid: 1001, uid: 'u' })), ['stat.missing_app_id@app_id']);
  for (const app_id of ['15154545', 1.5, 2n ** 60n, true]) {
    assert.deepEqual(rules(check(event({ app_id }))), ['stat.bad_app_id@app_id'], String(app_id));
  }
  assert.deepEqual(rules(check(envelope([], { app_id: '1' }))).filter((r) => !r.startsWith('stat.empty_data')), ['stat.bad_app_id@app_id']);
  assert.deepEqual(rules(check({ uid: 'u', data: [] })).filter((r) => !r.startsWith('stat.empty_data')), ['stat.missing_app_id@app_id']);
  assert.deepEqual(check(event({ app_id: 1 })), []);
});

test('a missing or empty uid is an error; a uid that is not a string is the wrong type', () => {
  assert.deepEqual(rules(check({ aid: 1001, app_id: 1 })), ['stat.missing_uid@uid']);
  assert.deepEqual(rules(check(event({ uid: '' }))), ['stat.missing_uid@uid']);
  assert.deepEqual(rules(check(event({ uid: 2508 }))), ['stat.wrong_type@uid']);
  assert.deepEqual(rules(check(envelope([event()], { uid: undefined }))), ['stat.missing_uid@uid']);
});

test('an aid that names a game without game_id is an error; platform aids need none', () => {
  const findings = check(gameEvent({ game_id: undefined }));
  assert.deepEqual(rules(findings), ['stat.missing_game_id@game_id']);
  assert.equal(findings[0]!.severity, 'error');
  assert.deepEqual(check(event()), []);
  assert.deepEqual(rules(check(envelope([gameEvent({ game_id: undefined })]))), ['stat.missing_game_id@data[0].game_id']);
});

test('aids 1003, 2003 and 2017 need an integer-like v, as a number or digits', () => {
  for (const aid of [1003, 2003, 2017]) {
    for (const v of [undefined, 'abc', '5 min', 1.5, null, '', true]) {
      const findings = check(gameEvent({ aid, v }));
      assert.deepEqual(rules(findings), ['stat.bad_v@v'], `aid ${aid} v ${String(v)}`);
      assert.equal(findings[0]!.severity, 'error');
    }
    for (const v of [5, '5', '342', 0]) assert.deepEqual(check(gameEvent({ aid, v })), [], `aid ${aid} v ${String(v)}`);
  }
});

test('ts must be an integer, as a number or a string of digits', () => {
  for (const ts of ['abc', '2023-11-14 22:13:20', 1700000000.5, true, '', '1.7e9']) {
    const findings = check(event({ ts }));
    assert.deepEqual(rules(findings), ['stat.bad_ts@ts'], String(ts));
    assert.equal(findings[0]!.severity, 'error');
  }
  assert.deepEqual(check(event({ ts: 1700000000 })), []);
  assert.deepEqual(check(event({ ts: '1700000000' })), []);
});

test('ts with more than 11 digits looks like milliseconds and is an error', () => {
  for (const ts of [1700000000000, '1700000000000', 10n ** 20n]) {
    const findings = check(event({ ts }));
    assert.deepEqual(rules(findings), ['stat.ts_in_ms@ts'], String(ts));
    assert.equal(findings[0]!.severity, 'error');
  }
  // 11 digits are seconds (far in the future), not milliseconds.
  assert.deepEqual(rules(check(event({ ts: '99999999999' }))), ['stat.ts_in_future@ts']);
  // Leading zeros are not digits of the value.
  assert.deepEqual(check(event({ ts: '0001700000000' })), []);
});

test('game_id, game_v and session_key of the wrong JSON type are errors', () => {
  assert.deepEqual(rules(check(gameEvent({ game_id: '12' }))), ['stat.wrong_type@game_id']);
  assert.deepEqual(rules(check(gameEvent({ game_v: 7.8 }))), ['stat.wrong_type@game_v']);
  assert.deepEqual(rules(check(event({ session_key: 5 }))), ['stat.wrong_type@session_key']);
  assert.deepEqual(rules(check(envelope([gameEvent({ game_id: 1.5 })]))), ['stat.wrong_type@data[0].game_id']);
  assert.deepEqual(rules(check(envelope([event()], { session_key: ['k'] }))), ['stat.wrong_type@session_key']);
});

test('data that is not an array of event objects (nor its JSON text) is an error', () => {
  assert.deepEqual(rules(check(envelope(5))), ['stat.bad_data@data']);
  assert.deepEqual(rules(check(envelope('[{"aid": 1001'))), ['stat.bad_data@data']);
  assert.deepEqual(rules(check(envelope('{"aid": 1001}'))), ['stat.bad_data@data']);
  assert.deepEqual(rules(check(envelope(null))), ['stat.bad_data@data']);
  const twice = check(envelope([JSON.stringify(event())]));
  assert.deepEqual(rules(twice), ['stat.bad_data@data[0]']);
  assert.match(twice[0]!.message, /serialized twice/);
  assert.deepEqual(rules(check(envelope([event(), null, [1]]))), ['stat.bad_data@data[1]', 'stat.bad_data@data[2]']);
});

test('data given as JSON text is parsed once, exactly, into the value sent', () => {
  const text = '[{"aid": 1001, "uid": "2508E", "app_id": 15154545, "extra": 12345678901234567890}]';
  const { findings, value } = statPushData.validate(envelope(text), OPTIONS);
  assert.deepEqual(findings, []);
  assert.ok(Array.isArray(value.data));
  assert.equal((value.data as JsonObject[])[0]!.extra, 12345678901234567890n);
  assert.equal(value.uid, '2508E');
});

test('an event whose uid or app_id differs from its envelope\'s is a warning', () => {
  const uid = check(envelope([event({ uid: '2508F' })]));
  assert.deepEqual(rules(uid), ['stat.uid_mismatch@data[0].uid']);
  assert.equal(uid[0]!.severity, 'warning');
  const appId = check(envelope([event(), event({ app_id: 15154546 })]));
  assert.deepEqual(rules(appId), ['stat.app_id_mismatch@data[1].app_id']);
  assert.equal(appId[0]!.severity, 'warning');
});

test('issue 13 #9: every event in an envelope carries its own uid and app_id; nothing is inherited', () => {
  const findings = check(envelope([{ aid: 1001 }, { aid: 2002, game_id: 1, game_v: '1', uid: '', app_id: 15154545 }]));
  assert.deepEqual(rules(findings).sort(), ['stat.missing_app_id@data[0].app_id', 'stat.missing_uid@data[0].uid', 'stat.missing_uid@data[1].uid']);
  assert.ok(findings.every((f) => f.severity === 'error'));
  // The JSON text of the events is judged the same way.
  assert.deepEqual(rules(check(envelope('[{"aid":1000}]'))).sort(), ['stat.missing_app_id@data[0].app_id', 'stat.missing_uid@data[0].uid']);
});

test('v on an aid that carries none is a warning', () => {
  const findings = check(event({ v: 5 }));
  assert.deepEqual(rules(findings), ['stat.unexpected_v@v']);
  assert.equal(findings[0]!.severity, 'warning');
  assert.deepEqual(rules(check(gameEvent({ v: '' }))), ['stat.unexpected_v@v']);
  assert.deepEqual(check(gameEvent({ aid: 1003, v: 5 })), []);
});

test('an aid that names a game without game_v is a warning', () => {
  const findings = check(gameEvent({ game_v: undefined }));
  assert.deepEqual(rules(findings), ['stat.missing_game_v@game_v']);
  assert.equal(findings[0]!.severity, 'warning');
  assert.deepEqual(check(event()), []);
});

test('ts before 2010 (the seed\'s 151574451) or more than a day ahead of now is a warning', () => {
  const old = check(envelope([event()], { ts: '151574451' }));
  assert.deepEqual(rules(old), ['stat.ts_before_2010@ts']);
  assert.equal(old[0]!.severity, 'warning');
  assert.match(old[0]!.message, /1974/);
  const nowSeconds = NOW_MS / 1000;
  const ahead = check(event({ ts: nowSeconds + 2 * 86400 }));
  assert.deepEqual(rules(ahead), ['stat.ts_in_future@ts']);
  assert.equal(ahead[0]!.severity, 'warning');
  assert.deepEqual(check(event({ ts: nowSeconds + 3600 })), []);
  assert.deepEqual(check(event({ ts: String(Date.UTC(2010, 0, 1) / 1000) })), []);
});

test('a logged __md5 that is not 32 hex digits is a warning (the seed\'s has 31)', () => {
  const findings = check(event({ __md5: 'a47be5ef374d2bb74f7762e0d6c595d' }));
  assert.deepEqual(rules(findings), ['stat.bad_md5@__md5']);
  assert.equal(findings[0]!.severity, 'warning');
  assert.deepEqual(rules(check(envelope([event()], { __md5: 12 }))), ['stat.bad_md5@__md5']);
  assert.deepEqual(check(event({ __md5: 'a47be5ef374d2bb74f7762e0d6c595d0' })), []);
  assert.deepEqual(check(event({ __md5: 'A47BE5EF374D2BB74F7762E0D6C595D0' })), []);
});

test('an envelope with no events is a warning', () => {
  const findings = check(envelope([]));
  assert.deepEqual(rules(findings), ['stat.empty_data@data']);
  assert.equal(findings[0]!.severity, 'warning');
  assert.deepEqual(rules(check(envelope('[]'))), ['stat.empty_data@data']);
});

test('several problems in one record are all reported, each once', () => {
  const findings = check({ aid: '2002', app_id: '1', ts: 'x', __md5: 'no' });
  assert.deepEqual(rules(findings).sort(), ['stat.bad_aid@aid', 'stat.bad_app_id@app_id', 'stat.bad_md5@__md5', 'stat.bad_ts@ts', 'stat.missing_uid@uid']);
});

test('a valid single event is returned unchanged, unknown fields kept', () => {
  const input = gameEvent({ ts: '1700000000', note: 'kept' });
  const { findings, value } = statPushData.validate(input, OPTIONS);
  assert.deepEqual(findings, []);
  assert.deepEqual(value, input);
});

test('rules have stable, distinct stat ids and the severities SPEC §1.1 gives them', () => {
  const ids = STAT_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^stat\.[a-z0-9_]+$/);
  const warnings = STAT_RULES.filter((r) => r.severity === 'warning').map((r) => r.id).sort();
  assert.deepEqual(warnings, ['stat.app_id_mismatch', 'stat.bad_md5', 'stat.empty_data', 'stat.missing_game_v', 'stat.ts_before_2010', 'stat.ts_in_future', 'stat.uid_mismatch', 'stat.unexpected_v']);
});

test('every line of samples/bad/stat.ndjson breaks exactly one rule, and every rule has a line', () => {
  const lines = readNdjson('bad/stat.ndjson');
  const seen: string[] = [];
  lines.forEach((value, i) => {
    const found = new Set(check(value).map((f) => f.rule));
    assert.equal(found.size, 1, `line ${i + 1}: ${[...found].join(', ')}`);
    seen.push([...found][0]!);
  });
  // stat.url_too_long needs replay's wire options (stat-builder.test.ts, records-e2e.test.ts).
  assert.deepEqual([...seen].sort(), STAT_RULES.map((r) => r.id).filter((id) => id !== 'stat.url_too_long').sort());
});

test('every record of samples/ndjson/stat.ndjson is valid with no warning', () => {
  const lines = readNdjson('ndjson/stat.ndjson');
  assert.ok(lines.length >= 20);
  lines.forEach((value, i) => assert.deepEqual(check(value), [], `line ${i + 1}`));
  const families = new Set(lines.filter((v) => v.aid !== undefined).map((v) => Math.floor(Number(v.aid) / 1000)));
  assert.deepEqual([...families].sort(), [1, 2, 3]);
});

test('samples/csv/stat.csv holds the same single events as the NDJSON sample, all valid', () => {
  const rows = parseCsv<JsonObject>(readFileSync(new URL('csv/stat.csv', samples), 'utf8'), { columns: true });
  const records = rows.map((row) => statPushData.typeTextFields(row));
  records.forEach((value, i) => assert.deepEqual(check(value), [], `row ${i + 2}`));
  const key = (v: JsonObject) => [v.aid, v.uid, v.app_id, v.game_id, v.game_v].join('|');
  const singles = (list: JsonObject[]) => list.filter((v) => v.data === undefined).map(key);
  assert.deepEqual(singles(records), singles(readNdjson('ndjson/stat.ndjson')));
  const envelopes = records.filter((v) => v.data !== undefined);
  assert.equal(envelopes.length, 1);
  assert.equal((envelopes[0]!.data as unknown[]).length, 3);
});

test('fromCsv converts integer cells exactly, parses data, and drops empty cells', () => {
  const row = { aid: '2003', uid: '2508E', app_id: '15154545', game_id: '12', game_v: '', v: '342', ts: '1700000000', session_key: '', data: '', extra: 'x' };
  assert.deepEqual(statPushData.typeTextFields(row), { aid: 2003, uid: '2508E', app_id: 15154545, game_id: 12, v: '342', ts: '1700000000', extra: 'x' });
  const big = statPushData.typeTextFields({ aid: '1001', uid: 'u', app_id: '9007199254740993' });
  assert.equal(big.app_id, 9007199254740993n);
  assert.deepEqual(rules(check(big)), ['stat.bad_app_id@app_id']);
  const text = statPushData.typeTextFields({ aid: ' 1001', uid: 'u', app_id: '1' });
  assert.equal(text.aid, ' 1001');
  assert.deepEqual(rules(check(text)), ['stat.bad_aid@aid']);
  const env = statPushData.typeTextFields({ uid: 'u', app_id: '1', data: '[{"aid":1001,"x":12345678901234567890}]' });
  assert.deepEqual(env.data, [{ aid: 1001, x: 12345678901234567890n }]);
  assert.equal(statPushData.typeTextFields({ uid: 'u', app_id: '1', data: '[{"aid"' }).data, '[{"aid"');
});

test('fromCsv reads a form body of the request itself as an envelope', () => {
  const form = { session_key: 'k', ts: '1700000000', app_id: '15154545', uid: '2508E', data: '[{"aid":1001,"uid":"2508E","app_id":15154545}]', __md5: 'a47be5ef374d2bb74f7762e0d6c595d0' };
  const value = statPushData.typeTextFields(form);
  assert.equal(value.app_id, 15154545);
  assert.deepEqual(check(value), []);
});

function response(status: number, headers: ResponseInfo['headers'] = {}, body = ''): ResponseInfo {
  return { status, headers, body };
}

test('any 2xx is success, empty body or not', () => {
  assert.deepEqual(statPushData.interpret(response(200)), { ok: true });
  assert.deepEqual(statPushData.interpret(response(204)), { ok: true });
  assert.deepEqual(statPushData.interpret(response(200, {}, 'not json')), { ok: true });
});

test('429 and 5xx are retried by the transport, honouring Retry-After', () => {
  const busy = statPushData.interpret(response(503, { 'retry-after': '2' }));
  assert.deepEqual(busy, { ok: false, cause: 'http 503', retry: 'transport', retryAfterMs: 2000 });
  assert.deepEqual(statPushData.interpret(response(429, { 'retry-after': '60' }, 'slow down')), { ok: false, cause: 'http 429', retry: 'transport', retryAfterMs: 60_000, message: 'slow down' });
  assert.deepEqual(statPushData.interpret(response(500)), { ok: false, cause: 'http 500', retry: 'transport' });
});

test('other statuses are final failures named by status', () => {
  assert.deepEqual(statPushData.interpret(response(400, {}, 'bad md5')), { ok: false, cause: 'http 400', retry: 'none', message: 'bad md5' });
  assert.deepEqual(statPushData.interpret(response(414)), { ok: false, cause: 'http 414', retry: 'none' });
});

test('the endpoint is described as the registry and engine expect', () => {
  assert.equal(statApi.name, 'stat');
  assert.deepEqual(statApi.endpoints, [statPushData]);
  assert.equal(statPushData.defaultPath, '/statistic/push_data/');
  assert.deepEqual(statPushData.detectBy, ['aid', 'data']);
  for (const field of ['aid', 'uid', 'app_id', 'game_id', 'game_v', 'v', 'ts', 'session_key', '__md5', 'data']) assert.ok(statPushData.fields.includes(field), field);
  assert.equal(statPushData.signing.signer, 'md5-sorted');
  assert.deepEqual(statPushData.retryPolicy, { retries: 3, delayMs: 1000, backoff: 'exponential' });
  assert.equal(statPushData.duplicateKey, undefined);
});

test('shardKey is the uid and timeOf is ts in milliseconds', () => {
  assert.equal(statPushData.shardKey(event()), '2508E');
  assert.equal(statPushData.shardKey(envelope([])), '2508E');
  assert.equal(statPushData.timeOf(event({ ts: '1700000000' })), 1_700_000_000_000);
  assert.equal(statPushData.timeOf(event({ ts: 1700000001 })), 1_700_000_001_000);
  assert.equal(statPushData.timeOf(event()), undefined);
});
