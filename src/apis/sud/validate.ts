/**
 * Validation of one SUD record (docs/API.md § sud.report_game_info, docs/RULES.md). A plain type check on the hot path (fits.ts),
 * zod's `safeParse` only for a record it does not accept, its issues mapped to stable rule
 * ids by what the value actually is. Semantic rules (int64 mg_id, cross-field checks, byte
 * limits, unknown fields) are plain code. The returned value is the input itself unless a
 * string had to be truncated: unknown fields are kept at every level and sent unchanged.
 */
import type { z } from 'zod';
import type { Finding } from '../../findings.js';
import type { JsonObject } from '../../records.js';
import type { Validation } from '../api.js';
import { JsonNumberText, isJsonObject } from '../../json/exact.js';
import { describeValue } from '../describe.js';
import { SUD_RULE, sudFinding } from './rules.js';
import {
  ENVELOPE,
  EXTRAS_MAX_BYTES,
  GAME_SETTLE_RECORD,
  GAME_START_RECORD,
  KEY_MAX_BYTES,
  KNOWN,
  type ReportType,
} from './schema.js';
import { overUtf8Limit, truncateUtf8, utf8ByteLength } from './truncate.js';
import { fitsSudSchema } from './fits.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MAX = 9223372036854775807n;
/** Numbers up to 2^53 hold mg_id exactly; past it the reader gives a bigint. */
const MG_ID_NUMBER_MAX = 2 ** 53;

type Issue = z.core.$ZodIssue;

const finding = sudFinding;

/** `['report_msg', 'results', 1, 'uid']` → `report_msg.results[1].uid`. */
function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

function valueAt(root: unknown, segments: readonly PropertyKey[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/**
 * How many segments of `segments` lead to a number kept as text (`1.0` where an object is
 * due), or -1. zod takes such a value for an object and reports its fields missing; the
 * finding belongs to the number itself.
 */
function numberTextDepth(root: unknown, segments: readonly PropertyKey[]): number {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    if (node instanceof JsonNumberText) return i;
    if (typeof node !== 'object' || node === null) return -1;
    node = (node as Record<PropertyKey, unknown>)[segments[i]!];
  }
  return -1;
}

/** The findings for zod's issues: one per issue, except one for a number standing where an object is due. */
function issueFindings(issues: readonly Issue[], record: JsonObject, reportType: unknown, findings: Finding[]): void {
  const numbersSeen = new Set<string>();
  for (const issue of issues) {
    const depth = numberTextDepth(record, issue.path);
    if (depth < 0) {
      findings.push(issueFinding(issue, record, reportType));
      continue;
    }
    const path = formatPath(issue.path.slice(0, depth));
    if (numbersSeen.has(path)) continue;
    numbersSeen.add(path);
    const value = valueAt(record, issue.path.slice(0, depth));
    findings.push(finding(SUD_RULE.wrongType, path, value, `${path} must be an object, got ${describeValue(value)}`));
  }
}


const EXPECTED_TEXT: Record<string, string> = {
  string: 'a string',
  int: 'an integer',
  number: 'an integer',
  array: 'an array',
  object: 'an object',
};

function isInt32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

function outOfInt32(value: unknown): boolean {
  return typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value) && !isInt32(value));
}

function rangeFinding(path: string, value: unknown): Finding {
  return finding(SUD_RULE.int32Range, path, value, `${path} is ${describeValue(value)}, outside the int32 range ${INT32_MIN}..${INT32_MAX}`);
}

/** Map one zod issue to a finding, judging by the value found at its path. */
function issueFinding(issue: Issue, record: JsonObject, reportType: unknown): Finding {
  const path = formatPath(issue.path);
  const value = valueAt(record, issue.path);
  if (value === undefined) {
    const where = issue.path.length > 1 && typeof reportType === 'string' ? ` (required in a ${reportType} report)` : '';
    return finding(SUD_RULE.missingField, path, value, `${path} is missing${where}`);
  }
  switch (issue.code) {
    case 'too_big':
    case 'too_small':
      return rangeFinding(path, value);
    case 'invalid_type':
      // An integer too big to be a number is out of an int32 field's range; in a string field it is the wrong type.
      if (typeof value === 'bigint' && (issue.expected === 'int' || issue.expected === 'number')) return rangeFinding(path, value);
      return finding(SUD_RULE.wrongType, path, value, `${path} must be ${EXPECTED_TEXT[issue.expected] ?? issue.expected}, got ${describeValue(value)}`);
    case 'invalid_value': {
      const allowed = issue.values.map(String).join(', ');
      const wantsString = typeof issue.values[0] === 'string';
      if (!wantsString && outOfInt32(value)) return rangeFinding(path, value);
      if (wantsString ? typeof value === 'string' : isInt32(value)) {
        return finding(SUD_RULE.badValue, path, value, `${path} must be one of ${allowed}, got ${describeValue(value)}`);
      }
      const expected = wantsString ? 'a string' : 'an integer';
      return finding(SUD_RULE.wrongType, path, value, `${path} must be ${expected}, one of ${allowed}; got ${describeValue(value)}`);
    }
    default:
      return finding(SUD_RULE.wrongType, path, value, `${path}: ${issue.message}`);
  }
}

function checkUnknownFields(object: JsonObject, known: ReadonlySet<string>, prefix: string, findings: Finding[]): void {
  for (const key in object) {
    if (known.has(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    findings.push(finding(SUD_RULE.unknownField, path, object[key], `${path} is not a field the SUD document names; it is kept and sent unchanged`));
  }
}

/** mg_id is int64 and must match mg_id_str digit for digit (a lossy number would not). */
function checkMgId(msg: JsonObject, findings: Finding[]): void {
  const mgId = msg.mg_id;
  const path = 'report_msg.mg_id';
  if (mgId === undefined) return; // zod reports the missing key
  if (typeof mgId !== 'number' && typeof mgId !== 'bigint') {
    findings.push(finding(SUD_RULE.wrongType, path, mgId, `${path} must be an integer (int64), got ${describeValue(mgId)}`));
    return;
  }
  const positive =
    typeof mgId === 'bigint'
      ? mgId > 0n && mgId <= INT64_MAX
      : Number.isInteger(mgId) && mgId > 0 && mgId <= MG_ID_NUMBER_MAX;
  if (!positive) {
    const why = typeof mgId === 'number' && mgId > MG_ID_NUMBER_MAX ? ' (a number past 2^53 has lost its digits; read the log with an exact parser)' : '';
    findings.push(finding(SUD_RULE.mgIdInvalid, path, mgId, `${path} must be a positive int64, got ${describeValue(mgId)}${why}`));
    return;
  }
  const mgIdStr = msg.mg_id_str;
  if (typeof mgIdStr === 'string' && mgIdStr !== mgId.toString()) {
    findings.push(finding(SUD_RULE.mgIdMismatch, path, mgId, `${path} ${mgId.toString()} is not the same as mg_id_str ${JSON.stringify(mgIdStr)}`));
  }
}

function checkPlayers(players: unknown, findings: Finding[]): void {
  if (!Array.isArray(players)) return;
  if (players.length === 0) {
    findings.push(finding(SUD_RULE.emptyPlayers, 'report_msg.players', players, 'report_msg.players is empty: a game_start needs at least one player'));
    return;
  }
  for (let i = 0; i < players.length; i++) {
    const player: unknown = players[i];
    if (!isJsonObject(player)) continue;
    checkHumanUid(player, `report_msg.players[${i}]`, findings);
    checkUnknownFields(player, KNOWN.player, `report_msg.players[${i}]`, findings);
  }
}

function checkHumanUid(player: JsonObject, prefix: string, findings: Finding[]): void {
  if (player.is_ai === 0 && player.uid === '') {
    findings.push(finding(SUD_RULE.humanWithoutUid, `${prefix}.uid`, '', `${prefix}.uid is empty but the player is human (is_ai 0); only AI players may have an empty uid`));
  }
}

function checkResults(results: unknown, findings: Finding[]): void {
  if (!Array.isArray(results)) return;
  if (results.length === 0) {
    findings.push(finding(SUD_RULE.emptyResults, 'report_msg.results', results, 'report_msg.results is empty: a game_settle needs at least one result'));
    return;
  }
  let lowestRank = Infinity;
  for (let i = 0; i < results.length; i++) {
    const result: unknown = results[i];
    if (!isJsonObject(result)) continue;
    const prefix = `report_msg.results[${i}]`;
    const rank = result.rank;
    if (isInt32(rank)) {
      if ((rank as number) < 1) findings.push(finding(SUD_RULE.badValue, `${prefix}.rank`, rank, `${prefix}.rank must be 1 or more, got ${String(rank)}`));
      else if ((rank as number) < lowestRank) lowestRank = rank as number;
    }
    checkHumanUid(result, prefix, findings);
    checkUnknownFields(result, KNOWN.result, prefix, findings);
  }
  if (lowestRank !== Infinity && lowestRank > 1) {
    findings.push(finding(SUD_RULE.rankNotFrom1, 'report_msg.results', lowestRank, `ranks in report_msg.results start at ${lowestRank}, not 1`));
  }
}

function checkBattleTimes(msg: JsonObject, findings: Finding[]): void {
  const start = msg.battle_start_at;
  const end = msg.battle_end_at;
  if (!isInt32(start) || !isInt32(end)) return;
  const elapsed = (end as number) - (start as number);
  if (elapsed < 0) {
    findings.push(finding(SUD_RULE.battleEndBeforeStart, 'report_msg.battle_end_at', end, `report_msg.battle_end_at ${String(end)} is before battle_start_at ${String(start)}`));
  }
  const duration = msg.battle_duration;
  if (isInt32(duration) && Math.abs((duration as number) - elapsed) > 1) {
    findings.push(finding(SUD_RULE.durationMismatch, 'report_msg.battle_duration', duration, `report_msg.battle_duration is ${String(duration)} s but battle_end_at − battle_start_at is ${elapsed} s`));
  }
}

/** Warn about over-long extras/key and return report_msg with them truncated (the input when nothing is). */
function truncateLimits(msg: JsonObject, findings: Finding[]): JsonObject {
  let out = msg;
  const extras = msg.report_game_info_extras;
  if (typeof extras === 'string' && overUtf8Limit(extras, EXTRAS_MAX_BYTES)) {
    findings.push(finding(SUD_RULE.extrasTooLong, 'report_msg.report_game_info_extras', extras, `report_msg.report_game_info_extras is ${utf8ByteLength(extras)} UTF-8 bytes, over the limit of ${EXTRAS_MAX_BYTES}; it is truncated to ${EXTRAS_MAX_BYTES} bytes`));
    out = { ...out, report_game_info_extras: truncateUtf8(extras, EXTRAS_MAX_BYTES) };
  }
  const key = msg.report_game_info_key;
  if (typeof key === 'string' && overUtf8Limit(key, KEY_MAX_BYTES)) {
    findings.push(finding(SUD_RULE.keyTooLong, 'report_msg.report_game_info_key', key, `report_msg.report_game_info_key is ${utf8ByteLength(key)} UTF-8 bytes, over the limit of ${KEY_MAX_BYTES}; it is truncated to ${KEY_MAX_BYTES} bytes`));
    out = out === msg ? { ...out } : out;
    out.report_game_info_key = truncateUtf8(key, KEY_MAX_BYTES);
  }
  return out;
}

function schemaFor(reportType: unknown) {
  if (reportType === 'game_start') return GAME_START_RECORD;
  if (reportType === 'game_settle') return GAME_SETTLE_RECORD;
  return ENVELOPE;
}

/** Judge one SUD record (metadata `_` fields already removed). Pure. */
export function validateSudRecord(record: JsonObject): Validation {
  const findings: Finding[] = [];
  const reportType = record.report_type;
  // zod only for a record the plain check does not accept (fits.ts): its issues say what is wrong.
  if (!fitsSudSchema(record)) {
    const parsed = schemaFor(reportType).safeParse(record);
    if (!parsed.success) issueFindings(parsed.error.issues, record, reportType, findings);
  }
  checkUnknownFields(record, KNOWN.envelope, '', findings);

  const msg = record.report_msg;
  if (!isJsonObject(msg) || (reportType !== 'game_start' && reportType !== 'game_settle')) return { findings, value: record };
  const type: ReportType = reportType;
  checkUnknownFields(msg, KNOWN[type], 'report_msg', findings);
  checkMgId(msg, findings);
  if (type === 'game_start') {
    checkPlayers(msg.players, findings);
  } else {
    checkBattleTimes(msg, findings);
    checkResults(msg.results, findings);
  }
  const sentMsg = truncateLimits(msg, findings);
  return { findings, value: sentMsg === msg ? record : { ...record, report_msg: sentMsg } };
}
