/** Per-record keys of a SUD report: duplicate key, --unique rewriting, shard key, own time. */
import type { JsonObject } from '../../records.js';

function reportMsg(value: JsonObject): JsonObject | undefined {
  const msg = value.report_msg;
  return typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as JsonObject) : undefined;
}

/** `report_type:game_round_id` — the pair the API document says the receiver de-duplicates on. */
export function sudDuplicateKey(value: JsonObject): string | undefined {
  const round = reportMsg(value)?.game_round_id;
  if (typeof value.report_type !== 'string' || typeof round !== 'string') return undefined;
  return `${value.report_type}:${round}`;
}

/**
 * Loop `n` of a --loop --unique run: a copy whose game_round_id ends in `-L<n>`, so a
 * receiver that de-duplicates does not drop the repeats. Loop 0 is the input as it is.
 */
export function sudUniquify(value: JsonObject, loop: number): JsonObject {
  const msg = reportMsg(value);
  if (loop < 1 || msg === undefined || typeof msg.game_round_id !== 'string') return value;
  return { ...value, report_msg: { ...msg, game_round_id: `${msg.game_round_id}-L${loop}` } };
}

/** README § Scaling out: shard by game_round_id, so a round's start and settle land in one shard. */
export function sudShardKey(value: JsonObject): string {
  const round = reportMsg(value)?.game_round_id;
  return typeof round === 'string' ? round : '';
}

/** Epoch ms of the report's own moment: battle_start_at for game_start, battle_end_at for game_settle. */
export function sudTimeOf(value: JsonObject): number | undefined {
  const msg = reportMsg(value);
  if (msg === undefined) return undefined;
  const seconds = value.report_type === 'game_start' ? msg.battle_start_at : value.report_type === 'game_settle' ? msg.battle_end_at : undefined;
  return typeof seconds === 'number' && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
