/**
 * The shape of a SUD report (docs/API.md § sud.report_game_info) as zod schemas, compiled once. They check
 * presence, JSON types, int32 range and small value sets; the rules zod cannot say well
 * (mg_id as int64, cross-field checks, byte limits) live in validate.ts.
 *
 * Objects are `looseObject`: unknown fields are not errors (the API document says fields may be
 * added); validate.ts warns about them and they are sent unchanged.
 */
import { z } from 'zod';

const REPORT_TYPES = ['game_start', 'game_settle'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** Limits from docs/API.md § sud.report_game_info, in UTF-8 bytes. */
export const EXTRAS_MAX_BYTES = 1024;
export const KEY_MAX_BYTES = 64;

const int32 = z.int32();
const zeroOrOne = z.literal([0, 1]);
const zeroToThree = z.literal([0, 1, 2, 3]);
/**
 * mg_id is int64: a number up to 2^53 or a bigint beyond. A zod union of number and bigint
 * would cost on every record and say less than the plain check in validate.ts, so zod
 * only checks that the key is present (a required `z.unknown()` key must be).
 */
const mgId = z.unknown();

const PLAYER = z.looseObject({
  uid: z.string(),
  is_ai: zeroOrOne,
  ai_level: zeroToThree.optional(),
});

const PLAYER_RESULT = z.looseObject({
  uid: z.string(),
  /** int32 here; rank ≥ 1 is checked in validate.ts so that 0 reads as a bad value, not a range. */
  rank: int32,
  is_escaped: zeroOrOne,
  is_ai: zeroOrOne,
  ai_level: zeroToThree.optional(),
  role: int32.optional(),
  score: int32.optional(),
  commission_score: int32.optional(),
  is_win: zeroToThree.optional(),
  award: int32.optional(),
  extras: z.string().optional(),
  is_managed: zeroOrOne.optional(),
});

/** The fields both report types carry (the API document lists them in both tables). */
const ROUND_FIELDS = {
  mg_id: mgId,
  mg_id_str: z.string(),
  room_id: z.string(),
  game_mode: int32,
  game_round_id: z.string(),
  battle_start_at: int32,
  report_game_info_extras: z.string(),
};

const GAME_START_MSG = z.looseObject({
  ...ROUND_FIELDS,
  players: z.array(PLAYER),
  report_game_info_key: z.string().optional(),
});

const GAME_SETTLE_MSG = z.looseObject({
  ...ROUND_FIELDS,
  battle_end_at: int32,
  battle_duration: int32,
  results: z.array(PLAYER_RESULT),
  report_game_info_key: z.string(),
  extras: z.string().optional(),
});

const uid = z.string();
const ssToken = z.string();

/** Used when report_type is neither type: checks the envelope alone. */
export const ENVELOPE = z.looseObject({
  report_type: z.literal(REPORT_TYPES),
  report_msg: z.looseObject({}),
  uid,
  ss_token: ssToken,
});

export const GAME_START_RECORD = z.looseObject({
  report_type: z.literal('game_start'),
  report_msg: GAME_START_MSG,
  uid,
  ss_token: ssToken,
});

export const GAME_SETTLE_RECORD = z.looseObject({
  report_type: z.literal('game_settle'),
  report_msg: GAME_SETTLE_MSG,
  uid,
  ss_token: ssToken,
});

/** Top-level fields (Endpoint.fields). */
export const ENVELOPE_FIELDS: readonly string[] = Object.keys(ENVELOPE.shape);

/** Known field names per object, for the unknown-field warning. */
export const KNOWN = {
  envelope: new Set(ENVELOPE_FIELDS),
  game_start: new Set(Object.keys(GAME_START_MSG.shape)),
  game_settle: new Set(Object.keys(GAME_SETTLE_MSG.shape)),
  player: new Set(Object.keys(PLAYER.shape)),
  result: new Set(Object.keys(PLAYER_RESULT.shape)),
} as const;

/** report_msg fields that are integers (CSV cells convert with parseIntegerText). */
export const INT_MSG_FIELDS: ReadonlySet<string> = new Set(['mg_id', 'game_mode', 'battle_start_at', 'battle_end_at', 'battle_duration']);
/** report_msg fields that hold JSON arrays (CSV cells hold their JSON text). */
export const JSON_MSG_FIELDS: ReadonlySet<string> = new Set(['players', 'results']);
/** Optional string fields of report_msg, per type: an empty CSV cell there means absent. */
export const OPTIONAL_STRING_MSG_FIELDS: Readonly<Record<ReportType, ReadonlySet<string>>> = {
  game_start: new Set(['report_game_info_key']),
  game_settle: new Set(['extras']),
};
