import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitsSudSchema } from '../src/apis/sud/fits.js';
import { GAME_SETTLE_RECORD, GAME_START_RECORD, ENVELOPE } from '../src/apis/sud/schema.js';
import { generateRecords } from '../src/generate/index.js';
import { JsonNumberText } from '../src/json/exact.js';
import type { JsonObject } from '../src/records.js';
import { uniform } from './helpers/random.js';

const SAMPLES: readonly unknown[] = [
  undefined, null, 0, -0, 1, 2, 3, 4, 9, -1, 1.5, 2 ** 31, -(2 ** 31), 2 ** 31 - 1, 2 ** 53, NaN, Infinity, 12n,
  '', 'x', '0', true, false, [], {}, [{}], [1], new JsonNumberText('1.0'), 'game_start', 'game_settle',
];

const schemaOf = (record: JsonObject) => (record.report_type === 'game_start' ? GAME_START_RECORD : record.report_type === 'game_settle' ? GAME_SETTLE_RECORD : ENVELOPE);

/** Every object and array inside `value`, with `value` itself. */
function containers(value: unknown, out: (JsonObject | unknown[])[] = []): (JsonObject | unknown[])[] {
  if (typeof value !== 'object' || value === null || value instanceof JsonNumberText) return out;
  out.push(value as JsonObject);
  for (const child of Object.values(value)) containers(child, out);
  return out;
}

test('the plain SUD check accepts generated records, and never a record its zod schema refuses', () => {
  const next = uniform(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let fitted = 0;
  let mutated = 0;
  for (const original of generateRecords('sud', 4000, 3)) {
    assert.equal(fitsSudSchema(original), true, 'a generated record takes the fast path');
    assert.equal(schemaOf(original).safeParse(original).success, true);
    const record = structuredClone<JsonObject>(original);
    // Change one to three values anywhere in the record: a field's value, a new field, or a removed one.
    for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
      const target = pick(containers(record)) as Record<string, unknown>;
      const keys = Object.keys(target);
      const key = next() < 0.8 && keys.length > 0 ? pick(keys) : Array.isArray(target) ? String(target.length) : pick(['uid', 'rank', 'is_ai', 'extra', 'mg_id']);
      if (next() < 0.15) delete target[key];
      else {
        const value = pick(SAMPLES);
        target[key] = Array.isArray(value) || (typeof value === 'object' && value?.constructor === Object) ? structuredClone(value) : value;
      }
    }
    mutated++;
    const fits = fitsSudSchema(record);
    if (fits) fitted++;
    if (fits) assert.equal(schemaOf(record).safeParse(record).success, true, JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  assert.ok(fitted > 100 && fitted < mutated, `some mutated records still fit (${fitted} of ${mutated})`);
});
