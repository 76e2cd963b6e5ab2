import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExact } from '../src/json/exact.js';
import type { JsonObject } from '../src/records.js';
import type { Finding } from '../src/findings.js';
import { sudApi, sudReportGameInfo, truncateUtf8 } from '../src/apis/sud/index.js';
import { SUD_RULES } from '../src/apis/sud/rules.js';

const options = { allowUnknownAid: false, nowMs: Date.UTC(2024, 0, 1) };
const sampleLines = readFileSync(new URL('../../samples/ndjson/sud.ndjson', import.meta.url), 'utf8').trim().split('\n');
const badLines = readFileSync(new URL('../../samples/bad/sud.ndjson', import.meta.url), 'utf8').trim().split('\n');

/** Fresh copies of the API document's two examples (repaired), mg_id as the exact bigint. */
function start(): JsonObject {
  return parseExact(sampleLines[0]!) as JsonObject;
}
function settle(): JsonObject {
  return parseExact(sampleLines[1]!) as JsonObject;
}
function msgOf(record: JsonObject): JsonObject {
  return record.report_msg as JsonObject;
}
function players(record: JsonObject): JsonObject[] {
  return msgOf(record).players as JsonObject[];
}
function results(record: JsonObject): JsonObject[] {
  return msgOf(record).results as JsonObject[];
}
function check(record: JsonObject): Finding[] {
  return sudReportGameInfo.validate(record, options).findings;
}
function rulesAt(record: JsonObject): string[] {
  return check(record).map((f) => `${f.rule} ${f.path}`);
}
/** The record has exactly one finding, with this rule at this path. */
function assertOnly(record: JsonObject, rule: string, path: string, label?: string): Finding {
  const findings = check(record);
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.path}`), [`${rule} ${path}`], label);
  return findings[0]!;
}

describe('the SUD module', () => {
  test('is registered under the name the registry imports, with one endpoint', () => {
    assert.equal(sudApi.name, 'sud');
    assert.deepEqual(sudApi.endpoints.map((e) => e.id), ['sud.report_game_info']);
    assert.deepEqual(sudReportGameInfo.detectBy, ['report_type', 'report_msg']);
    assert.deepEqual([...sudReportGameInfo.fields].sort(), ['report_msg', 'report_type', 'ss_token', 'uid']);
    assert.equal(sudReportGameInfo.defaultPath, '/sud/report_game_info');
  });

  test('has unique rule ids prefixed sud., with the severities SPEC §1.2 gives', () => {
    const ids = SUD_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, /^sud\.[a-z0-9_]+$/);
    const warnings = SUD_RULES.filter((r) => r.severity === 'warning').map((r) => r.id).sort();
    assert.deepEqual(warnings, ['sud.duration_mismatch', 'sud.extras_too_long', 'sud.key_too_long', 'sud.rank_not_from_1', 'sud.unknown_field']);
  });
});

describe('SUD samples', () => {
  test('every record of samples/ndjson/sud.ndjson is valid with no warning', () => {
    assert.ok(sampleLines.length >= 6);
    sampleLines.forEach((line, i) => assert.deepEqual(check(parseExact(line) as JsonObject), [], `line ${i + 1}`));
  });

  test('samples/bad/sud.ndjson breaks exactly one rule per line, and together every rule', () => {
    const expected = [
      'sud.missing_field', 'sud.wrong_type', 'sud.int32_range', 'sud.mg_id_invalid', 'sud.mg_id_mismatch',
      'sud.battle_end_before_start', 'sud.empty_players', 'sud.empty_results', 'sud.human_without_uid', 'sud.bad_value',
      'sud.duration_mismatch', 'sud.rank_not_from_1', 'sud.extras_too_long', 'sud.key_too_long', 'sud.unknown_field',
    ];
    assert.equal(badLines.length, expected.length);
    badLines.forEach((line, i) => {
      assert.deepEqual(check(parseExact(line) as JsonObject).map((f) => f.rule), [expected[i]], `line ${i + 1}`);
    });
    assert.deepEqual([...expected].sort(), SUD_RULES.map((r) => r.id).sort());
  });
});

describe('sud.missing_field', () => {
  test('each envelope field missing is an error at its path', () => {
    for (const field of ['report_type', 'report_msg', 'uid', 'ss_token']) {
      const record = start();
      delete record[field];
      assert.ok(rulesAt(record).includes(`sud.missing_field ${field}`), field);
    }
  });

  test('each required game_start field missing is an error at report_msg.<field>', () => {
    for (const field of ['mg_id', 'mg_id_str', 'room_id', 'game_mode', 'game_round_id', 'battle_start_at', 'players', 'report_game_info_extras']) {
      const record = start();
      delete msgOf(record)[field];
      const found = check(record).filter((f) => f.rule === 'sud.missing_field');
      assert.deepEqual(found.map((f) => f.path), [`report_msg.${field}`], field);
      assert.equal(found[0]!.severity, 'error');
    }
  });

  test('each required game_settle field missing is an error, report_game_info_key included', () => {
    for (const field of ['mg_id', 'mg_id_str', 'room_id', 'game_mode', 'game_round_id', 'battle_start_at', 'battle_end_at', 'battle_duration', 'results', 'report_game_info_extras', 'report_game_info_key']) {
      const record = settle();
      delete msgOf(record)[field];
      assert.ok(rulesAt(record).includes(`sud.missing_field report_msg.${field}`), field);
    }
  });

  test('required player and result fields missing are errors at their indexed path', () => {
    for (const field of ['uid', 'is_ai']) {
      const record = start();
      delete players(record)[1]![field];
      assertOnly(record, 'sud.missing_field', `report_msg.players[1].${field}`);
    }
    for (const field of ['uid', 'rank', 'is_escaped', 'is_ai']) {
      const record = settle();
      delete results(record)[1]![field];
      assert.ok(rulesAt(record).includes(`sud.missing_field report_msg.results[1].${field}`), field);
    }
  });

  test('optional fields may be absent', () => {
    const s = start();
    for (const p of players(s)) delete p.ai_level;
    assert.deepEqual(check(s), []);
    const r = settle();
    for (const result of results(r)) for (const f of ['ai_level', 'role', 'score', 'is_win']) delete result[f];
    assert.deepEqual(check(r), []);
  });
});

describe('sud.wrong_type', () => {
  const cases: [string, (r: JsonObject) => void, string][] = [
    ['report_msg as an array', (r) => (r.report_msg = []), 'report_msg'],
    ['uid as a number', (r) => (r.uid = 1), 'uid'],
    ['ss_token as null', (r) => (r.ss_token = null), 'ss_token'],
    ['report_type as a number', (r) => (r.report_type = 5), 'report_type'],
    ['game_mode as text', (r) => (msgOf(r).game_mode = '1'), 'report_msg.game_mode'],
    ['battle_start_at not an integer', (r) => (msgOf(r).battle_start_at = 1638845715.5), 'report_msg.battle_start_at'],
    ['room_id as a number', (r) => (msgOf(r).room_id = 123), 'report_msg.room_id'],
    ['mg_id as text', (r) => (msgOf(r).mg_id = '1461227817776713818'), 'report_msg.mg_id'],
    ['players as an object', (r) => (msgOf(r).players = { uid: 'u1' }), 'report_msg.players'],
    ['a player that is not an object', (r) => (players(r)[0] = 'u2' as unknown as JsonObject), 'report_msg.players[0]'],
    ['is_ai as text', (r) => (players(r)[0]!.is_ai = '0'), 'report_msg.players[0].is_ai'],
  ];
  for (const [name, mutate, path] of cases) {
    test(`${name} is a wrong type at ${path}`, () => {
      const record = start();
      mutate(record);
      const f = assertOnly(record, 'sud.wrong_type', path);
      assert.equal(f.severity, 'error');
      assert.match(f.message, new RegExp(`^${path.replace(/[[\].]/g, '\\$&')} `));
    });
  }

  test('wrong types inside results are named by index', () => {
    const record = settle();
    results(record)[0]!.extras = 7;
    results(record)[1]!.score = '2';
    assert.deepEqual(rulesAt(record), ['sud.wrong_type report_msg.results[0].extras', 'sud.wrong_type report_msg.results[1].score']);
  });
});

describe('sud.int32_range', () => {
  test('the int32 bounds themselves pass', () => {
    const record = settle();
    results(record)[0]!.score = 2147483647;
    results(record)[1]!.score = -2147483648;
    assert.deepEqual(check(record), []);
  });

  test('one past either bound is an error', () => {
    const high = start();
    msgOf(high).game_mode = 2147483648;
    assertOnly(high, 'sud.int32_range', 'report_msg.game_mode');
    const low = settle();
    results(low)[0]!.award = -2147483649;
    assertOnly(low, 'sud.int32_range', 'report_msg.results[0].award');
  });

  test('a bigint in an int32 field is out of range, not a wrong type', () => {
    const record = settle();
    results(record)[1]!.score = 12345678901234567890n;
    assertOnly(record, 'sud.int32_range', 'report_msg.results[1].score');
    const flag = start();
    players(flag)[0]!.is_ai = 2n ** 60n;
    assertOnly(flag, 'sud.int32_range', 'report_msg.players[0].is_ai');
  });
});

describe('sud.mg_id_invalid and sud.mg_id_mismatch', () => {
  function withMgId(mgId: unknown, mgIdStr: string): JsonObject {
    const record = start();
    msgOf(record).mg_id = mgId;
    msgOf(record).mg_id_str = mgIdStr;
    return record;
  }

  test('a bigint mg_id past 2^53 equal to mg_id_str passes, and so does a small number', () => {
    assert.deepEqual(check(withMgId(1461227817776713818n, '1461227817776713818')), []);
    assert.deepEqual(check(withMgId(1001, '1001')), []);
    assert.deepEqual(check(withMgId(2 ** 53, '9007199254740992')), []);
    assert.deepEqual(check(withMgId(9223372036854775807n, '9223372036854775807')), []);
  });

  test('zero, negative, fractional and past-int64 values are not a positive int64', () => {
    for (const [mgId, text] of [[0, '0'], [-5, '-5'], [1.5, '1.5'], [-(7n ** 21n), (-(7n ** 21n)).toString()], [9223372036854775808n, '9223372036854775808']] as const) {
      assertOnly(withMgId(mgId, text), 'sud.mg_id_invalid', 'report_msg.mg_id');
    }
  });

  test('a number past 2^53 has lost digits and is invalid, with a hint to read it exactly', () => {
    const f = assertOnly(withMgId(Number('1461227817776713818'), '1461227817776713818'), 'sud.mg_id_invalid', 'report_msg.mg_id');
    assert.match(f.message, /exact/);
  });

  test('mg_id_str must hold the same digits exactly', () => {
    assertOnly(withMgId(1461227817776713818n, '1461227817776713819'), 'sud.mg_id_mismatch', 'report_msg.mg_id');
    assertOnly(withMgId(1001, '01001'), 'sud.mg_id_mismatch', 'report_msg.mg_id');
    assertOnly(withMgId(1001, ' 1001'), 'sud.mg_id_mismatch', 'report_msg.mg_id');
  });
});

describe('game_settle time rules', () => {
  function timed(startAt: number, endAt: number, duration: number): JsonObject {
    const record = settle();
    Object.assign(msgOf(record), { battle_start_at: startAt, battle_end_at: endAt, battle_duration: duration });
    return record;
  }

  test('battle_end_at before battle_start_at is an error; equal times pass', () => {
    assertOnly(timed(1000, 999, 0), 'sud.battle_end_before_start', 'report_msg.battle_end_at');
    assert.deepEqual(check(timed(1000, 1000, 0)), []);
  });

  test('a duration off by more than 1 s is a warning; off by 1 s passes', () => {
    const f = assertOnly(timed(1000, 1005, 7), 'sud.duration_mismatch', 'report_msg.battle_duration');
    assert.equal(f.severity, 'warning');
    assertOnly(timed(1000, 1005, 3), 'sud.duration_mismatch', 'report_msg.battle_duration');
    assert.deepEqual(check(timed(1000, 1005, 6)), []);
    assert.deepEqual(check(timed(1000, 1005, 4)), []);
  });
});

describe('players and results', () => {
  test('empty players and empty results are errors', () => {
    const s = start();
    msgOf(s).players = [];
    assertOnly(s, 'sud.empty_players', 'report_msg.players');
    const r = settle();
    msgOf(r).results = [];
    assertOnly(r, 'sud.empty_results', 'report_msg.results');
  });

  test('a human with an empty uid is an error; an AI with one passes', () => {
    const s = start();
    players(s)[1]!.uid = '';
    assertOnly(s, 'sud.human_without_uid', 'report_msg.players[1].uid');
    players(s)[1]!.is_ai = 1;
    assert.deepEqual(check(s), []);
    const r = settle();
    results(r)[0]!.uid = '';
    assertOnly(r, 'sud.human_without_uid', 'report_msg.results[0].uid');
  });

  test('values outside their sets are bad values', () => {
    const cases: [string, (r: JsonObject) => void, string][] = [
      ['is_ai 2', (r) => (results(r)[0]!.is_ai = 2), 'report_msg.results[0].is_ai'],
      ['is_escaped -1', (r) => (results(r)[0]!.is_escaped = -1), 'report_msg.results[0].is_escaped'],
      ['is_managed 3', (r) => (results(r)[0]!.is_managed = 3), 'report_msg.results[0].is_managed'],
      ['ai_level 4', (r) => (results(r)[1]!.ai_level = 4), 'report_msg.results[1].ai_level'],
      ['is_win 4', (r) => (results(r)[1]!.is_win = 4), 'report_msg.results[1].is_win'],
      ['rank 0', (r) => { results(r)[0]!.rank = 0; results(r)[1]!.rank = 1; }, 'report_msg.results[0].rank'],
      ['report_type game_finish', (r) => (r.report_type = 'game_finish'), 'report_type'],
    ];
    for (const [name, mutate, path] of cases) {
      const record = settle();
      mutate(record);
      assertOnly(record, 'sud.bad_value', path, name);
    }
  });

  test('the top of each set passes: ai_level 3, is_win 3, is_managed 1', () => {
    const record = settle();
    Object.assign(results(record)[1]!, { ai_level: 3, is_win: 3, is_managed: 1, is_escaped: 1 });
    assert.deepEqual(check(record), []);
  });

  test('ranks that do not start at 1 are a warning; a draw at rank 1 passes', () => {
    const record = settle();
    results(record)[0]!.rank = 2;
    results(record)[1]!.rank = 3;
    const f = assertOnly(record, 'sud.rank_not_from_1', 'report_msg.results');
    assert.equal(f.severity, 'warning');
    results(record)[0]!.rank = 1;
    results(record)[1]!.rank = 1;
    assert.deepEqual(check(record), []);
  });
});

describe('byte limits', () => {
  test('extras over 1024 UTF-8 bytes warn and are sent truncated on a character boundary', () => {
    const record = start();
    const extras = 'x'.repeat(1023) + '€'; // 1026 bytes; the euro sign would straddle the limit
    msgOf(record).report_game_info_extras = extras;
    const result = sudReportGameInfo.validate(record, options);
    assert.deepEqual(result.findings.map((f) => `${f.rule} ${f.severity}`), ['sud.extras_too_long warning']);
    const sent = (result.value.report_msg as JsonObject).report_game_info_extras as string;
    assert.equal(sent, 'x'.repeat(1023));
    assert.equal(msgOf(record).report_game_info_extras, extras, 'the input is not modified');
    assert.equal((result.value.report_msg as JsonObject).mg_id, 1461227817776713818n);
  });

  test('extras of exactly 1024 bytes pass unchanged, counted in bytes not characters', () => {
    const record = start();
    msgOf(record).report_game_info_extras = '汉'.repeat(341) + 'x'; // 1024 bytes, 342 characters
    const result = sudReportGameInfo.validate(record, options);
    assert.deepEqual(result.findings, []);
    assert.equal(result.value, record);
    msgOf(record).report_game_info_extras = '汉'.repeat(342); // 1026 bytes
    assert.deepEqual(rulesAt(record), ['sud.extras_too_long report_msg.report_game_info_extras']);
  });

  test('a key over 64 bytes warns and is truncated, in game_settle and in game_start', () => {
    const r = settle();
    msgOf(r).report_game_info_key = 'k'.repeat(60) + '😀'; // 64 bytes: passes
    assert.deepEqual(check(r), []);
    msgOf(r).report_game_info_key = 'k'.repeat(61) + '😀'; // 65 bytes
    const result = sudReportGameInfo.validate(r, options);
    assert.deepEqual(result.findings.map((f) => f.rule), ['sud.key_too_long']);
    assert.equal((result.value.report_msg as JsonObject).report_game_info_key, 'k'.repeat(61));
    const s = start();
    msgOf(s).report_game_info_key = 'k'.repeat(65);
    const started = sudReportGameInfo.validate(s, options);
    assert.deepEqual(started.findings.map((f) => f.rule), ['sud.key_too_long']);
    assert.equal((started.value.report_msg as JsonObject).report_game_info_key, 'k'.repeat(64));
  });
});

describe('truncateUtf8', () => {
  test('keeps a string that fits as it is', () => {
    assert.equal(truncateUtf8('abc', 3), 'abc');
    assert.equal(truncateUtf8('', 0), '');
  });

  test('never splits a 2-, 3- or 4-byte character at the boundary', () => {
    assert.equal(truncateUtf8('aé', 2), 'a'); // é is 2 bytes
    assert.equal(truncateUtf8('aé', 3), 'aé');
    assert.equal(truncateUtf8('ab€', 3), 'ab'); // € is 3 bytes
    assert.equal(truncateUtf8('ab€', 4), 'ab');
    assert.equal(truncateUtf8('ab€c', 5), 'ab€');
    assert.equal(truncateUtf8('a😀', 2), 'a'); // 😀 is 4 bytes
    assert.equal(truncateUtf8('a😀', 4), 'a');
    assert.equal(truncateUtf8('a😀b', 5), 'a😀');
    assert.equal(truncateUtf8('😀', 3), '');
  });

  test('gives the longest whole-character prefix for every limit', () => {
    const text = 'aé€😀b汉🎉z';
    const chars = [...text];
    for (let max = 0; max <= Buffer.byteLength(text) + 1; max++) {
      const out = truncateUtf8(text, max);
      assert.ok(text.startsWith(out), `prefix at ${max}`);
      assert.ok(Buffer.byteLength(out) <= max, `fits at ${max}`);
      assert.ok(!out.includes('\uFFFD'));
      const kept = [...out].length;
      if (kept < chars.length) assert.ok(Buffer.byteLength(out + chars[kept]!) > max, `longest at ${max}`);
    }
  });
});

describe('sud.unknown_field', () => {
  test('unknown fields at every level warn and are kept in the value sent', () => {
    const record = settle();
    record.region = 'eu';
    msgOf(record).season = 3;
    results(record)[1]!.seat = { n: 2 };
    const result = sudReportGameInfo.validate(record, options);
    assert.deepEqual(
      result.findings.map((f) => `${f.rule} ${f.severity} ${f.path}`),
      ['sud.unknown_field warning region', 'sud.unknown_field warning report_msg.season', 'sud.unknown_field warning report_msg.results[1].seat'],
    );
    assert.equal(result.value.region, 'eu');
    assert.equal((result.value.report_msg as JsonObject).season, 3);
    assert.deepEqual(((result.value.report_msg as JsonObject).results as JsonObject[])[1]!.seat, { n: 2 });
  });

  test('a field of the other report type is unknown in this one', () => {
    const record = start();
    msgOf(record).battle_end_at = 1638845720;
    players(record)[0]!.rank = 1;
    assert.deepEqual(rulesAt(record), ['sud.unknown_field report_msg.battle_end_at', 'sud.unknown_field report_msg.players[0].rank']);
  });
});
