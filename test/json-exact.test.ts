import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExact, parseIntegerText, stringifyExact } from '../src/json/exact.js';

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
