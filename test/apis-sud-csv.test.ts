import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { parseExact } from '../src/json/exact.js';
import type { JsonObject } from '../src/records.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';

const options = { allowUnknownAid: false, nowMs: 0 };
const samplesUrl = new URL('../../samples/', import.meta.url);

/** What the reader hands over: dotted headers nested, every cell a string. */
function nest(row: Record<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [name, cell] of Object.entries(row)) {
    const parts = name.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as JsonObject;
    node[parts.at(-1)!] = cell;
  }
  return out;
}

function settleRow(overrides: Record<string, string> = {}): JsonObject {
  return nest({
    report_type: 'game_settle',
    uid: 'u1',
    ss_token: 't',
    'report_msg.mg_id': '1461227817776713818',
    'report_msg.mg_id_str': '1461227817776713818',
    'report_msg.room_id': 'xxx123',
    'report_msg.game_mode': '1',
    'report_msg.game_round_id': 'round-1',
    'report_msg.battle_start_at': '1638845715',
    'report_msg.battle_end_at': '1638845720',
    'report_msg.battle_duration': '5',
    'report_msg.players': '',
    'report_msg.results': '[{"uid":"u2","rank":1,"is_escaped":0,"is_ai":0}]',
    'report_msg.report_game_info_extras': 'custom param',
    'report_msg.report_game_info_key': 'k1',
    'report_msg.extras': '',
    ...overrides,
  });
}

function findingsOf(row: JsonObject): string[] {
  return sudReportGameInfo.validate(sudReportGameInfo.typeTextFields(row), options).findings.map((f) => `${f.rule} ${f.path}`);
}

describe('SUD fromCsv', () => {
  test('samples/csv/sud.csv gives exactly the records of samples/ndjson/sud.ndjson', () => {
    const rows = parse<Record<string, string>>(readFileSync(new URL('csv/sud.csv', samplesUrl), 'utf8'), { columns: true });
    const lines = readFileSync(new URL('ndjson/sud.ndjson', samplesUrl), 'utf8').trim().split('\n');
    assert.equal(rows.length, lines.length);
    rows.forEach((row, i) => {
      const converted = sudReportGameInfo.typeTextFields(nest(row));
      assert.deepEqual(converted, parseExact(lines[i]!), `row ${i + 1}`);
      assert.deepEqual(sudReportGameInfo.validate(converted, options).findings, [], `row ${i + 1}`);
    });
  });

  test("converts the seed's mg_id 1461227817776713818 to the exact bigint", () => {
    const msg = sudReportGameInfo.typeTextFields(settleRow()).report_msg as JsonObject;
    assert.equal(msg.mg_id, 1461227817776713818n);
    assert.equal(msg.mg_id_str, '1461227817776713818');
  });

  test('converts int fields to numbers and parses the results JSON, keeping string fields strings', () => {
    const record = sudReportGameInfo.typeTextFields(settleRow({ 'report_msg.room_id': '123', 'report_msg.game_round_id': '42', uid: '7' }));
    const msg = record.report_msg as JsonObject;
    assert.equal(msg.game_mode, 1);
    assert.equal(msg.battle_start_at, 1638845715);
    assert.equal(msg.battle_duration, 5);
    assert.deepEqual(msg.results, [{ uid: 'u2', rank: 1, is_escaped: 0, is_ai: 0 }]);
    assert.equal(msg.room_id, '123');
    assert.equal(msg.game_round_id, '42');
    assert.equal(record.uid, '7');
    assert.equal(msg.report_game_info_key, 'k1');
  });

  test('a big integer inside a results cell stays exact', () => {
    const msg = sudReportGameInfo.typeTextFields(settleRow({ 'report_msg.results': '[{"uid":"u2","rank":1,"is_escaped":0,"is_ai":0,"seat":90071992547409931}]' })).report_msg as JsonObject;
    assert.equal((msg.results as JsonObject[])[0]!.seat, 90071992547409931n);
  });

  test('empty cells of fields the report type does not have are absent, not unknown or wrong', () => {
    const record = sudReportGameInfo.typeTextFields(settleRow());
    const msg = record.report_msg as JsonObject;
    assert.ok(!('players' in msg));
    assert.ok(!('extras' in msg), 'an empty optional string is absent');
    assert.deepEqual(findingsOf(settleRow()), []);
    const startRow = settleRow({
      report_type: 'game_start',
      'report_msg.players': '[{"uid":"u2","is_ai":0}]',
      'report_msg.results': '',
      'report_msg.battle_end_at': '',
      'report_msg.battle_duration': '',
      'report_msg.report_game_info_key': '',
    });
    const started = sudReportGameInfo.typeTextFields(startRow).report_msg as JsonObject;
    assert.deepEqual(Object.keys(started).filter((k) => /results|battle_end_at|battle_duration|report_game_info_key/.test(k)), []);
    assert.deepEqual(findingsOf(startRow), []);
  });

  test('an empty cell in a required int or JSON field is a missing field', () => {
    assert.deepEqual(findingsOf(settleRow({ 'report_msg.battle_end_at': '' })), ['sud.missing_field report_msg.battle_end_at']);
    assert.deepEqual(findingsOf(settleRow({ 'report_msg.results': '' })), ['sud.missing_field report_msg.results']);
  });

  test('an empty required string cell stays an empty string', () => {
    const msg = sudReportGameInfo.typeTextFields(settleRow({ 'report_msg.room_id': '' })).report_msg as JsonObject;
    assert.equal(msg.room_id, '');
  });

  test('a cell that cannot convert stays text, so validation names the field', () => {
    assert.deepEqual(findingsOf(settleRow({ 'report_msg.game_mode': '1.5' })), ['sud.wrong_type report_msg.game_mode']);
    assert.deepEqual(findingsOf(settleRow({ 'report_msg.mg_id': 'abc' })), ['sud.wrong_type report_msg.mg_id']);
    assert.deepEqual(findingsOf(settleRow({ 'report_msg.results': '[{"uid":' })), ['sud.wrong_type report_msg.results']);
    assert.equal((sudReportGameInfo.typeTextFields(settleRow({ 'report_msg.game_mode': '1.5' })).report_msg as JsonObject).game_mode, '1.5');
  });

  test('unknown columns stay strings and are kept', () => {
    const row = settleRow({ 'report_msg.season': '3', region: 'eu' });
    const record = sudReportGameInfo.typeTextFields(row);
    assert.equal((record.report_msg as JsonObject).season, '3');
    assert.equal(record.region, 'eu');
    assert.deepEqual(findingsOf(row), ['sud.unknown_field region', 'sud.unknown_field report_msg.season']);
  });

  test('a report_msg given as one JSON cell is parsed as written, integers exact', () => {
    const record = sudReportGameInfo.typeTextFields({
      report_type: 'game_start',
      uid: 'u1',
      ss_token: 't',
      report_msg: '{"mg_id":1461227817776713818,"mg_id_str":"1461227817776713818","room_id":"r","game_mode":"1","game_round_id":"g","battle_start_at":1,"players":[{"uid":"u1","is_ai":0}],"report_game_info_extras":""}',
    });
    const msg = record.report_msg as JsonObject;
    assert.equal(msg.mg_id, 1461227817776713818n);
    assert.equal(msg.game_mode, '1', 'JSON text keeps its own types');
  });

  test('does not modify the row it is given', () => {
    const row = settleRow();
    const before = structuredClone(row);
    sudReportGameInfo.typeTextFields(row);
    assert.deepEqual(row, before);
  });
});
