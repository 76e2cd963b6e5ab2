/**
 * zod schemas for the shape of stat records (SPEC §1.1), compiled once, and the mapping
 * of their issues to rule ids. They check types only; what the values mean (the feature
 * table, `v`, `ts`, `__md5`, envelope agreement) is plain code in validate.ts.
 *
 * `aid`, `app_id` and `game_id` are plain ints (`z.int()` is the safe-integer range):
 * none of them is int64, so a bigint (a number past 2^53) is rejected, not rounded.
 */
import { z } from 'zod';
import type { Finding } from '../../findings.js';
import { JsonNumberText } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import { STAT_RULE, statFinding } from './rules.js';

/** A single-event record: the event's own fields plus the envelope fields it may carry. */
export const SINGLE_EVENT = z.object({
  aid: z.int(),
  uid: z.string().min(1),
  app_id: z.int(),
  game_id: z.int().optional(),
  game_v: z.string().optional(),
  session_key: z.string().optional(),
});

/** An event inside an envelope's `data`: an event like any other, with its own `uid` and `app_id`. */
export const ENVELOPE_EVENT = z.object({
  aid: z.int(),
  uid: z.string().min(1),
  app_id: z.int(),
  game_id: z.int().optional(),
  game_v: z.string().optional(),
});

/** An envelope's own parameters (`data`, `ts` and `__md5` are checked in code). */
export const ENVELOPE = z.object({
  uid: z.string().min(1),
  app_id: z.int(),
  session_key: z.string().optional(),
});

/** What a field must be, for messages. */
const EXPECTED: Readonly<Record<string, string>> = {
  uid: 'a string',
  game_id: 'an integer',
  game_v: 'a string',
  session_key: 'a string',
};

/** A value as a person reads it in a message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? value.slice(0, 57) + '...' : value)}`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value instanceof JsonNumberText) return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return 'an object';
}

function isInteger(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
}

/**
 * One finding per field zod rejected. `prefix` is `''` for a record's own fields and
 * `data[2].` for an envelope's third event. Runs only when safeParse failed.
 */
export function typeFindings(issues: readonly z.core.$ZodIssue[], value: JsonObject, prefix: string, findings: Finding[]): void {
  const seen = new Set<string>();
  for (const issue of issues) {
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
        else findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} must be a string, got ${describe(found)}`));
        break;
      default:
        if (field === 'game_id' && isInteger(found)) findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} ${String(found)} is out of the safe integer range`));
        else findings.push(statFinding(STAT_RULE.wrongType, path, found, `${path} must be ${EXPECTED[field] ?? 'of another type'}, got ${describe(found)}`));
    }
  }
}

function intMessage(path: string, found: unknown): string {
  if (isInteger(found)) return `${path} ${String(found)} is out of the safe integer range`;
  return `${path} must be an integer, got ${describe(found)}`;
}
