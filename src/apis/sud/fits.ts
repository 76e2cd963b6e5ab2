/**
 * The hot path of SUD type checking: plain code that says a game_start or game_settle record
 * surely fits its zod schema (schema.ts), so zod's `safeParse` — which builds an output
 * object and costs more than parsing the line — runs only for a record this does not accept
 * (then zod's issues say what is wrong). It may refuse more than zod, never accept more
 * (a test checks it on random values): a refusal only costs a `safeParse`.
 * Figures: docs/BENCHMARKS.md, validate.
 */
import { JsonNumberText } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumberText);
}

function isInt32(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX;
}

function optInt32(v: unknown): boolean {
  return v === undefined || isInt32(v);
}

function isBit(v: unknown): boolean {
  return v === 0 || v === 1;
}

function optBit(v: unknown): boolean {
  return v === undefined || v === 0 || v === 1;
}

function optZeroToThree(v: unknown): boolean {
  return v === undefined || v === 0 || v === 1 || v === 2 || v === 3;
}

function optString(v: unknown): boolean {
  return v === undefined || typeof v === 'string';
}

/** The fields both report types carry (schema.ts ROUND_FIELDS); mg_id only present (validate.ts checks it). */
function roundFits(m: JsonObject): boolean {
  return (
    m.mg_id !== undefined &&
    typeof m.mg_id_str === 'string' &&
    typeof m.room_id === 'string' &&
    isInt32(m.game_mode) &&
    typeof m.game_round_id === 'string' &&
    isInt32(m.battle_start_at) &&
    typeof m.report_game_info_extras === 'string'
  );
}

function playerFits(p: unknown): boolean {
  return isObject(p) && typeof p.uid === 'string' && isBit(p.is_ai) && optZeroToThree(p.ai_level);
}

function resultFits(r: unknown): boolean {
  return (
    isObject(r) &&
    typeof r.uid === 'string' &&
    isInt32(r.rank) &&
    isBit(r.is_escaped) &&
    isBit(r.is_ai) &&
    optZeroToThree(r.ai_level) &&
    optInt32(r.role) &&
    optInt32(r.score) &&
    optInt32(r.commission_score) &&
    optZeroToThree(r.is_win) &&
    optInt32(r.award) &&
    optString(r.extras) &&
    optBit(r.is_managed)
  );
}

function everyFits(items: unknown, fits: (item: unknown) => boolean): boolean {
  if (!Array.isArray(items)) return false;
  for (let i = 0; i < items.length; i++) if (!fits(items[i])) return false;
  return true;
}

/** True when `record` surely passes GAME_START_RECORD or GAME_SETTLE_RECORD (by its report_type). */
export function fitsSudSchema(record: JsonObject): boolean {
  const type = record.report_type;
  const m = record.report_msg;
  if (typeof record.uid !== 'string' || typeof record.ss_token !== 'string' || !isObject(m) || !roundFits(m)) return false;
  if (type === 'game_start') return everyFits(m.players, playerFits) && optString(m.report_game_info_key);
  if (type === 'game_settle') {
    return isInt32(m.battle_end_at) && isInt32(m.battle_duration) && everyFits(m.results, resultFits) && typeof m.report_game_info_key === 'string' && optString(m.extras);
  }
  return false;
}
