import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonDepthError, JsonNumberText, JsonUnicodeError, MAX_DEPTH, isJsonObject, parseExact, parseIntegerText, stringifyExact } from '../src/json/exact.js';
import { parseRecordTime } from '../src/replay/schedule/original-pace.js';

test('integers past 2^53 parse as exact bigints; safe ones stay numbers', () => {
  const v = parseExact('{"mg_id": 1461227817776713818, "n": 12, "f": 1.5, "s": "1461227817776713818"}') as Record<string, unknown>;
  assert.equal(v.mg_id, 1461227817776713818n);
  assert.equal(v.n, 12);
  assert.equal(v.f, 1.5);
  assert.equal(v.s, '1461227817776713818');
  assert.equal(parseExact('{"big": 9007199254740993}') instanceof Object, true);
  assert.equal((parseExact('{"big": 9007199254740993}') as { big: bigint }).big, 9007199254740993n);
  assert.equal((parseExact('{"edge": 9007199254740991}') as { edge: number }).edge, 9007199254740991, '2^53−1 is safe');
});

test('a syntax error reads the same on the fast and the exact path', () => {
  const fast = () => parseExact('{"a": 1,');
  const exact = () => parseExact('{"a": 1461227817776713818,');
  let fastMessage = '';
  try {
    JSON.parse('{"a": 1461227817776713818,');
  } catch (err) {
    fastMessage = (err as Error).message;
  }
  assert.throws(fast, SyntaxError);
  assert.throws(exact, (err: unknown) => err instanceof SyntaxError && err.message === fastMessage);
});

test('stringifyExact writes bigints digit for digit and matches JSON.stringify otherwise', () => {
  const value = { report_msg: { mg_id: 1461227817776713818n, mg_id_str: '1461227817776713818', players: [{ uid: 'u1', is_ai: 0 }] } };
  assert.equal(stringifyExact(value), '{"report_msg":{"mg_id":1461227817776713818,"mg_id_str":"1461227817776713818","players":[{"uid":"u1","is_ai":0}]}}');
  const plain = { a: [1, 'x', null, { b: true }], c: 'é"\n' };
  assert.equal(stringifyExact(plain), JSON.stringify(plain));
  assert.deepEqual(parseExact(stringifyExact(value)), value);
});

test('parseIntegerText: exact integers from text, undefined for anything else', () => {
  assert.equal(parseIntegerText('42'), 42);
  assert.equal(parseIntegerText('-7'), -7);
  assert.equal(parseIntegerText('1461227817776713818'), 1461227817776713818n);
  for (const bad of ['', '1.5', '1e3', ' 1', '0x10', 'abc']) assert.equal(parseIntegerText(bad), undefined, bad);
});

test('issue 13 #10: duplicate keys are last-wins on every path, with or without a 16-digit run', () => {
  assert.deepEqual(parseExact('{"a": 1, "a": 2}'), { a: 2 });
  assert.deepEqual(parseExact('{"a": 1461227817776713818, "a": 2}'), { a: 2 });
  assert.deepEqual(parseExact('{"a": 2, "a": 1461227817776713818}'), { a: 1461227817776713818n });
  assert.equal(stringifyExact(parseExact('{"a": 1.50, "b": {"c": 1, "c": 9007199254740993}, "a": 2.50}')), '{"a":2.50,"b":{"c":9007199254740993}}');
});

test('issue 13 #11: a number JSON.stringify would rewrite keeps its text, and is written back byte for byte', () => {
  const line = '{"a":1.50,"b":1e400,"c":2.5e-400,"d":1E5,"e":-0,"f":1.0,"g":[-12.5e3,0.10],"h":{"i":1.5e+300}}';
  const value = parseExact(line) as Record<string, unknown>;
  for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) assert.ok(value[key] instanceof JsonNumberText, key);
  assert.equal(String(value.b), '1e400');
  assert.equal(stringifyExact(value), line);
  // Spaces after : and , are read the same way.
  assert.equal(stringifyExact(parseExact('{"a": 1.50, "b": [ 1E5 ]}')), '{"a":1.50,"b":[1E5]}');
  // Numbers JSON.stringify writes the same stay plain numbers; text in strings is untouched.
  assert.deepEqual(parseExact('{"a": 1.5, "b": 1e+21, "c": 1e-7, "d": 0, "e": -3, "s": "x: 1.50, y: -0 }"}'), { a: 1.5, b: 1e21, c: 1e-7, d: 0, e: -3, s: 'x: 1.50, y: -0 }' });
  // A top-level number too (a stat `data` or CSV cell may be any JSON text).
  assert.equal(String(parseExact('1.50')), '1.50');
  // Reports (plain JSON.stringify) write the text as a string, as they write bigints.
  assert.equal(JSON.stringify({ v: value.f }), '{"v":"1.0"}');
  // A record with one is no object to the validators.
  assert.equal(isJsonObject(value.a), false);
  assert.equal(isJsonObject({}), true);
});

test('a malformed number is still a syntax error on the exact path', () => {
  for (const text of ['{"a": 1.2.3}', '{"a": 01.5}', '{"a": 1.}', '{"a": -}', '{"a": 1e}', '{"a": 1461227817776713818.}']) {
    assert.throws(() => parseExact(text), SyntaxError, text);
  }
});

test('issue 15 #8: nesting is bounded at 64 levels, brackets inside strings do not count, 10,000 levels is an error, not a crash', () => {
  const nest = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
  assert.equal(MAX_DEPTH, 64);
  assert.doesNotThrow(() => parseExact(`{"a":${nest(63)}}`));
  assert.throws(() => parseExact(`{"a":${nest(64)}}`), JsonDepthError);
  assert.throws(() => parseExact(`{"a":${nest(10_000)}}`), (err: unknown) => err instanceof JsonDepthError && err instanceof SyntaxError);
  assert.doesNotThrow(() => parseExact(`{"s":"${'[{'.repeat(200)}","a":[[]]}`));
  assert.doesNotThrow(() => parseExact(`{"s":"\\"${'['.repeat(200)}"}`), 'an escaped quote does not end the string');
  // A part of a record passes the depth it has left.
  assert.throws(() => parseExact(nest(10), 9), JsonDepthError);
  assert.doesNotThrow(() => parseExact(nest(9), 9));
});

test('a _time written with an exponent or a trailing zero is still a time for --pace original', () => {
  const meta = parseExact('{"_time": 1.7e9, "_other": 1700000000.0}') as Record<string, unknown>;
  assert.equal(parseRecordTime(meta._time), 1.7e12);
  assert.equal(parseRecordTime(meta._other), 1.7e12);
});

test('a lone surrogate escape in a string or a key is refused; a pair (an emoji) is text', () => {
  assert.throws(() => parseExact('{"uid": "\\ud800"}'), JsonUnicodeError);
  assert.throws(() => parseExact('{"a": [{"\\uDC00x": 1}]}'), JsonUnicodeError);
  assert.throws(() => parseExact('{"a": "\\ud83c", "n": 1461227817776713818}'), JsonUnicodeError, 'on the exact path too');
  assert.deepEqual(parseExact('{"g": "\\ud83c\\udfae", "t": "\\u4e2d"}'), { g: '🎮', t: '中' });
});
