import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../src/records.js';
import { stringifyExact } from '../src/json/exact.js';
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

test('issue 13 #15: every top-level field starting with _ is metadata, __ ones too; only stat keeps __md5 as its parameter', () => {
  const judge = new RecordJudge(OPTIONS, new RunStats('validate', 5));
  const md5 = '0123456789abcdef0123456789abcdef';
  const stat = judge.judge(raw({ __note: 'x', ...EVENT, __md5: md5, ___: 1 }));
  assert.ok(stat.record);
  assert.deepEqual(stat.record.value, { ...EVENT, __md5: md5 });
  assert.deepEqual(stat.record.meta, { __note: 'x', ___: 1 });

  const download = judge.judge(raw({ ...DOWNLOAD, __md5: md5, __trace: 't' }));
  assert.ok(download.record, JSON.stringify(download.findings));
  assert.equal(download.record.endpoint, 'download.checkAppUpdate');
  assert.deepEqual(download.record.value, DOWNLOAD, 'neither is sent as a form parameter');
  assert.deepEqual(download.record.meta, { __md5: md5, __trace: 't' });

  const sud = judge.judge(raw({ ...sudRecord(), __md5: md5 }));
  assert.deepEqual(sud.findings, [], 'no unknown-field warning: it is metadata');
  assert.deepEqual(sud.record!.meta, { __md5: md5 });
});

test('issue 13 #12: configured SUD credentials are applied before judging; the record as logged is what --failed gets', () => {
  const { uid: _uid, ss_token: _token, ...bare } = sudRecord();
  const without = new RecordJudge(OPTIONS, undefined).judge(raw(bare));
  assert.deepEqual(without.findings.map((f) => `${f.rule}@${f.path}`), ['sud.missing_field@uid', 'sud.missing_field@ss_token']);

  const judge = new RecordJudge({ ...OPTIONS, credentials: { sudUid: 'leader', sudSsToken: 'configured-token' } }, undefined);
  const judged = judge.judge(raw(bare));
  assert.ok(judged.record, JSON.stringify(judged.findings));
  assert.equal(judged.record.value.uid, 'leader');
  assert.equal(judged.record.value.ss_token, 'configured-token');
  assert.deepEqual(judged.record.logged, bare);
  // Configuration wins over the record's own; with keepAuth the record's own win.
  assert.equal(judge.judge(raw(sudRecord())).record!.value.ss_token, 'configured-token');
  const keep = new RecordJudge({ ...OPTIONS, credentials: { sudUid: 'leader', sudSsToken: 'configured-token' }, keepAuth: true }, undefined);
  assert.equal(keep.judge(raw(sudRecord())).record!.value.ss_token, 'logged-token');
  assert.equal(keep.judge(raw(bare)).record!.value.ss_token, 'configured-token');
  // An invalid record keeps its own fields for --failed, never the configured token.
  const invalid = judge.judge(raw({ ...bare, report_type: 'game_over' }));
  assert.equal(invalid.record, undefined);
  assert.equal(stringifyExact(invalid.failedForm).includes('configured-token'), false);
});

test('issue 13 #16: mg_id_str given as a number, even past 2^53, is the wrong type, not an int32 range error', () => {
  const judge = new RecordJudge(OPTIONS, undefined);
  for (const mgIdStr of [1461227817776713818n, 42]) {
    const record = sudRecord();
    (record.report_msg as Record<string, unknown>).mg_id_str = mgIdStr;
    const findings = judge.judge(raw(record)).findings;
    assert.deepEqual(findings.map((f) => `${f.rule}@${f.path}`), ['sud.wrong_type@report_msg.mg_id_str'], String(mgIdStr));
    assert.match(findings[0]!.message, /must be a string, got /);
  }
});

const DOWNLOAD = { errorCode: '0', appid: 6101, openid: 'o1', totaltime: 6, platform: 1, ver_addr: 'v.example.com', version: '1.4.0', build: '1', resultCode: 0, versionType: 0 };

function sudRecord(): Record<string, unknown> {
  return {
    report_type: 'game_start',
    report_msg: {
      mg_id: 1461227817776713818n,
      mg_id_str: '1461227817776713818',
      room_id: 'r1',
      game_mode: 1,
      game_round_id: 'round-1',
      battle_start_at: 1700000000,
      players: [{ uid: 'p1', is_ai: 0 }],
      report_game_info_extras: '',
    },
    uid: 'p1',
    ss_token: 'logged-token',
  };
}
