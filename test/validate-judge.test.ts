import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../src/records.js';
import { RunStats } from '../src/report/stats.js';
import { RecordJudge } from '../src/validate/judge.js';

const OPTIONS = { api: 'auto', strict: false, allowUnknownAid: false, nowMs: Date.UTC(2024, 0, 1) };
const origin = { file: 'log.ndjson', line: 7, input: 0 };

function raw(value: Record<string, unknown>, format: 'ndjson' | 'csv' = 'ndjson'): RawRecord {
  return { origin, format, value };
}

const EVENT = { aid: 1000, uid: 'U1', app_id: 10002 };

test('a record without metadata is sent with its fields as read, and its meta is empty', () => {
  const judgement = new RecordJudge(OPTIONS, new RunStats('validate', 5)).judge(raw({ ...EVENT, __md5: '0123456789abcdef0123456789abcdef' }));
  assert.ok(judgement.record);
  assert.deepEqual(judgement.record.value, { ...EVENT, __md5: '0123456789abcdef0123456789abcdef' });
  assert.deepEqual(judgement.record.meta, {});
  assert.equal(judgement.record.endpoint, 'stat.push_data');
});

test('underscore fields are metadata: kept in meta, never among the fields sent; __md5 is a field', () => {
  const judgement = new RecordJudge(OPTIONS, new RunStats('validate', 5)).judge(raw({ _time: '2024-01-01T00:00:00Z', ...EVENT, _api: 'stat' }));
  assert.ok(judgement.record);
  assert.deepEqual(judgement.record.value, EVENT);
  assert.deepEqual(judgement.record.meta, { _time: '2024-01-01T00:00:00Z', _api: 'stat' });
});

test('an invalid record is kept for --failed with its metadata, its endpoint and its fields', () => {
  const stats = new RunStats('validate', 5);
  const judgement = new RecordJudge(OPTIONS, stats).judge(raw({ _time: 5, aid: 99999, uid: 'U1', app_id: 10002 }));
  assert.equal(judgement.record, undefined);
  assert.deepEqual(judgement.failedForm, { _time: 5, _api: 'stat.push_data', aid: 99999, uid: 'U1', app_id: 10002 });
  assert.equal(stats.endpoint('stat.push_data').invalid, 1);
});

test('an empty metadata cell of a CSV row is no metadata at all', () => {
  const judgement = new RecordJudge(OPTIONS, new RunStats('validate', 5)).judge(raw({ _time: '', aid: '1000', uid: 'U1', app_id: '10002' }, 'csv'));
  assert.ok(judgement.record);
  assert.deepEqual(judgement.record.meta, {});
  assert.deepEqual(judgement.record.value, EVENT);
});
