/**
 * The shape of stat records, compiled once (../shape.ts: a zod schema for the
 * findings, a plain check for the hot path), and the mapping of zod's issues to rule ids.
 * They check types only; what the values mean (the feature table, `v`, `ts`, `__md5`,
 * envelope agreement) is plain code in validate.ts.
 *
 * `aid`, `app_id` and `game_id` are plain ints (the safe-integer range): none of them is
 * int64, so a bigint (a number past 2^53) is rejected, not rounded.
 */
import type { z } from 'zod';
import type { Finding } from '../../findings.js';
import { describeValue } from '../describe.js';
import type { JsonObject } from '../../records.js';
import { compileShape, type FieldDef, type Shape } from '../shape.js';
import { STAT_RULE, statFinding } from './rules.js';

/** An event's own fields: every event has its `uid` and `app_id`, inside an envelope too. */
const EVENT_FIELDS: Readonly<Record<string, FieldDef>> = {
  aid: { type: 'int' },
  uid: { type: 'nonEmptyString' },
  app_id: { type: 'int' },
  game_id: { type: 'int', optional: true },
  game_v: { type: 'string', optional: true },
};

/** A single-event record: the event's own fields plus the envelope fields it may carry. */
export const SINGLE_EVENT = compileShape({ ...EVENT_FIELDS, session_key: { type: 'string', optional: true } });

/** An event inside an envelope's `data`. */
export const ENVELOPE_EVENT = compileShape(EVENT_FIELDS);

/** An envelope's own parameters (`data`, `ts` and `__md5` are checked in code). */
export const ENVELOPE = compileShape({
  uid: { type: 'nonEmptyString' },
  app_id: { type: 'int' },
  session_key: { type: 'string', optional: true },
});

/** What a field must be, for messages. */
const EXPECTED: Readonly<Record<string, string>> = {
  uid: 'a string',
  game_id: 'an integer',
  game_v: 'a string',
  session_key: 'a string',
};


function isInteger(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
}

/**
 * One finding per field the shape's schema rejects. `prefix` is `''` for a record's own
 * fields and `data[2].` for an envelope's third event. Runs only when `accepts` said no.
 */
export function typeFindings(shape: Shape, value: JsonObject, prefix: string, findings: Finding[]): void {
  const parsed = shape.zod.safeParse(value);
  if (parsed.success) return;
  const seen = new Set<string>();
  for (const issue of parsed.error.issues as readonly z.core.$ZodIssue[]) {
    const field = String(issue.path[0]);
    if (seen.has(field)) continue;
    seen.add(field);
    const path = prefix + field;
    const found = value[field];
    switch (field) {
      case 'aid':
        if (found === undefined) findings.push(statFinding(STAT_RULE.missingAid, path, found, `${path} is missing: every event needs its feature id`));
        else findings.push(statFinding(STAT_RULE.badAid, path, found, intMessage(path, found)));
        break;
      case 'app_id':
        if (found === undefined) findings.push(statFinding(STAT_RULE.missingAppId, path, found, `${path} is missing`));
        else findings.push(statFinding(STAT_RULE.badAppId, path, found, intMessage(path, found)));
        break;
      case 'uid':
        if (found === undefined || found === '') findings.push(statFinding(STAT_RULE.missingUid, path, found, `${path} is ${found === '' ? 'empty' : 'missing'}: every event needs the device id`));
        else findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} must be a string, got ${describeValue(found)}`));
        break;
      default:
        if (field === 'game_id' && isInteger(found)) findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} ${String(found)} is out of the safe integer range`));
        else findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} must be ${EXPECTED[field] ?? 'of another type'}, got ${describeValue(found)}`));
    }
  }
}

function intMessage(path: string, found: unknown): string {
  if (isInteger(found)) return `${path} ${String(found)} is out of the safe integer range`;
  return `${path} must be an integer, got ${describeValue(found)}`;
}
