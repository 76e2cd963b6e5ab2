import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { PendingRequest } from '../src/apis/api.js';
import { getEndpoint } from '../src/apis/registry.js';
import { JsonNumberText } from '../src/json/exact.js';
import type { JsonObject, ValidRecord } from '../src/records.js';
import { OriginalPace, parseRecordTime, recordTimeMs } from '../src/replay/schedule/original-pace.js';

const download = getEndpoint('download.downloadEvent')!;

/** A request of one download record whose time is only `_time` (checkAppUpdate has no time field of its own). */
function requestAt(time: unknown, line: number): PendingRequest {
  const meta: JsonObject = time === undefined ? {} : { _time: time };
  const record: ValidRecord = { origin: { file: 'log.ndjson', line, input: 0 }, endpoint: 'download.checkAppUpdate', value: {}, meta, seq: line - 1 };
  return { endpoint: 'download.checkAppUpdate', records: [record], path: '/service/checkAppUpdate', headers: {} };
}
const checkAppUpdate = getEndpoint('download.checkAppUpdate')!;

test('_time is read as epoch seconds, epoch ms, digits in text, or an ISO 8601 date', () => {
  const ms = Date.UTC(2024, 4, 1, 10, 0, 0);
  assert.equal(parseRecordTime(ms / 1000), ms, 'seconds');
  assert.equal(parseRecordTime(ms), ms, 'milliseconds');
  assert.equal(parseRecordTime(String(ms / 1000)), ms, 'seconds as text');
  assert.equal(parseRecordTime(' 1714557600.5 '), ms + 500, 'fractional seconds, spaces around');
  assert.equal(parseRecordTime(BigInt(ms)), ms, 'an exact integer from the reader');
  assert.equal(parseRecordTime(new JsonNumberText(String(ms))), ms, 'a number kept as its text');
  assert.equal(parseRecordTime('2024-05-01T10:00:00Z'), ms, 'ISO 8601');
});

test('a _time that is no time is undefined, not 0 or NaN', () => {
  for (const bad of ['', '   ', 'yesterday', Number.NaN, Number.POSITIVE_INFINITY, null, true, {}, undefined]) {
    assert.equal(parseRecordTime(bad), undefined, inspect(bad));
  }
});

test("an endpoint's own time field comes before _time", () => {
  const record: ValidRecord = {
    origin: { file: 'log.ndjson', line: 1, input: 0 },
    endpoint: 'download.downloadEvent',
    value: { begintime: '2024-05-01 10:00:00' },
    meta: { _time: 0 },
    seq: 0,
  };
  // begintime is China Standard Time (UTC+8).
  assert.equal(recordTimeMs(download, record), Date.UTC(2024, 4, 1, 2, 0, 0));
  assert.equal(recordTimeMs(checkAppUpdate, { ...record, value: {}, meta: { _time: 1_700_000_000 } }), 1_700_000_000_000);
});

test('requests are due at their distance from the first record, divided by --speed', () => {
  const pace = new OriginalPace(10);
  const t0 = 1_700_000_000;
  assert.equal(pace.dueMs(requestAt(t0, 1), checkAppUpdate), 0, 'the first record is due at once');
  assert.equal(pace.dueMs(requestAt(t0 + 5, 2), checkAppUpdate), 500, '5 s later in the log, 10× faster');
  assert.equal(pace.dueMs(requestAt(t0 + 60, 3), checkAppUpdate), 6000);
});

test('an out-of-order record earlier than the first is due at once; one with no time keeps its place after the previous', () => {
  const pace = new OriginalPace(1);
  const t0 = 1_700_000_000;
  assert.equal(pace.dueMs(requestAt(t0, 1), checkAppUpdate), 0);
  assert.equal(pace.dueMs(requestAt(t0 + 3, 2), checkAppUpdate), 3000);
  assert.equal(pace.dueMs(requestAt(undefined, 3), checkAppUpdate), 3000, 'no time: due with the one before');
  assert.equal(pace.dueMs(requestAt(t0 - 10, 4), checkAppUpdate), 0, 'earlier than the first: never a negative due time');
  assert.equal(pace.dueMs(requestAt(undefined, 5), checkAppUpdate), 0);
});

test('--speed must be a finite number more than 0', () => {
  for (const speed of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => new OriginalPace(speed), /internal/);
});
