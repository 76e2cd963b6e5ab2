import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileShape, type FieldDef } from '../src/apis/shape.js';
import { JsonNumberText } from '../src/json/exact.js';
import { ENVELOPE, ENVELOPE_EVENT, SINGLE_EVENT } from '../src/apis/stat/schema.js';
import { CHECK_APP_UPDATE, DOWNLOAD_EVENT } from '../src/apis/download/schema.js';
import { uniform } from './helpers/random.js';

const SAMPLES: readonly unknown[] = [
  undefined, null, 0, -0, 1, 2, 3, 9, -1, 1.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), NaN, Infinity, 12n,
  '', 'x', '0', '12', true, false, [], {}, [1], new JsonNumberText('1.0'),
];

test('a compiled shape accepts exactly what its zod schema accepts', () => {
  const fields: Record<string, FieldDef> = {
    a: { type: 'int' },
    b: { type: 'nonNegativeInt', optional: true },
    c: { type: 'string' },
    d: { type: 'nonEmptyString', optional: true },
    e: { type: { oneOf: [0, 1, 9] } },
  };
  const shapes = [compileShape(fields), SINGLE_EVENT, ENVELOPE_EVENT, ENVELOPE, CHECK_APP_UPDATE.shape, DOWNLOAD_EVENT.shape];
  const names = ['a', 'b', 'c', 'd', 'e', 'aid', 'uid', 'app_id', 'game_id', 'game_v', 'session_key', 'appid', 'platform', 'errorCode', 'errorMsg', 'resultCode', 'updateType', 'openid', 'oepnid', 'build', 'filesize', 'extra'];
  const next = uniform(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const shape = pick(shapes);
    const value: Record<string, unknown> = {};
    for (const name of names) if (next() < 0.8) value[name] = next() < 0.6 ? pick([1, 0, 'x', '', 9, 2]) : pick(SAMPLES);
    const expected = shape.zod.safeParse(value).success;
    assert.equal(shape.accepts(value), expected, JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
    if (expected) accepted++;
  }
  assert.ok(accepted > 100, `some random values fit (${accepted})`);
});
