/** Every rule (docs/API.md § sud.report_game_info) of `sud.report_game_info`, with its stable id. */
import type { RuleDef } from '../../findings.js';
import { ruleFinding } from '../rules.js';

export const SUD_RULE = {
  missingField: 'sud.missing_field',
  wrongType: 'sud.wrong_type',
  int32Range: 'sud.int32_range',
  mgIdInvalid: 'sud.mg_id_invalid',
  mgIdMismatch: 'sud.mg_id_mismatch',
  battleEndBeforeStart: 'sud.battle_end_before_start',
  emptyPlayers: 'sud.empty_players',
  emptyResults: 'sud.empty_results',
  humanWithoutUid: 'sud.human_without_uid',
  badValue: 'sud.bad_value',
  durationMismatch: 'sud.duration_mismatch',
  rankNotFrom1: 'sud.rank_not_from_1',
  extrasTooLong: 'sud.extras_too_long',
  keyTooLong: 'sud.key_too_long',
  unknownField: 'sud.unknown_field',
} as const;

export type SudRuleId = (typeof SUD_RULE)[keyof typeof SUD_RULE];

export const SUD_RULES: readonly RuleDef[] = [
  { id: SUD_RULE.missingField, severity: 'error', summary: 'A required field is missing (envelope, report_msg, player or result).' },
  { id: SUD_RULE.wrongType, severity: 'error', summary: 'A field has the wrong JSON type (a string where an integer is due, an object that is not one, …).' },
  { id: SUD_RULE.int32Range, severity: 'error', summary: 'An int32 field is outside −2147483648..2147483647.' },
  { id: SUD_RULE.mgIdInvalid, severity: 'error', summary: '`mg_id` is not a positive int64 (or is a number past 2^53 that has lost its digits).' },
  { id: SUD_RULE.mgIdMismatch, severity: 'error', summary: '`mg_id` and `mg_id_str` do not hold the same digits.' },
  { id: SUD_RULE.battleEndBeforeStart, severity: 'error', summary: '`battle_end_at` is before `battle_start_at`.' },
  { id: SUD_RULE.emptyPlayers, severity: 'error', summary: 'A game_start has an empty `players` array.' },
  { id: SUD_RULE.emptyResults, severity: 'error', summary: 'A game_settle has an empty `results` array.' },
  { id: SUD_RULE.humanWithoutUid, severity: 'error', summary: 'A human player (`is_ai` 0) has an empty `uid`.' },
  { id: SUD_RULE.badValue, severity: 'error', summary: 'A value outside its set: report_type, is_ai/is_escaped/is_managed 0|1, ai_level 0–3, is_win 0–3, rank ≥ 1.' },
  { id: SUD_RULE.durationMismatch, severity: 'warning', summary: '`battle_duration` differs from `battle_end_at − battle_start_at` by more than 1 s.' },
  { id: SUD_RULE.rankNotFrom1, severity: 'warning', summary: 'The ranks in `results` do not start at 1.' },
  { id: SUD_RULE.extrasTooLong, severity: 'warning', summary: '`report_game_info_extras` is over 1024 UTF-8 bytes; it is truncated before sending.' },
  { id: SUD_RULE.keyTooLong, severity: 'warning', summary: '`report_game_info_key` is over 64 UTF-8 bytes; it is truncated before sending.' },
  { id: SUD_RULE.unknownField, severity: 'warning', summary: 'A field the seed does not name; it is kept and sent unchanged (the seed says fields may be added).' },
];

export const sudFinding = ruleFinding<SudRuleId>(SUD_RULES);
