/** Every rule (docs/API.md § stat.push_data) of `stat.push_data`, with its stable id and severity. */
import type { RuleDef } from '../../findings.js';
import { ruleFinding } from '../rules.js';

export const STAT_RULE = {
  unknownAid: 'stat.unknown_aid',
  missingAid: 'stat.missing_aid',
  badAid: 'stat.bad_aid',
  missingAppId: 'stat.missing_app_id',
  badAppId: 'stat.bad_app_id',
  missingUid: 'stat.missing_uid',
  missingGameId: 'stat.missing_game_id',
  badV: 'stat.bad_v',
  badTs: 'stat.bad_ts',
  tsInMs: 'stat.ts_in_ms',
  wrongType: 'stat.wrong_type',
  badData: 'stat.bad_data',
  uidMismatch: 'stat.uid_mismatch',
  appIdMismatch: 'stat.app_id_mismatch',
  unexpectedV: 'stat.unexpected_v',
  missingGameV: 'stat.missing_game_v',
  tsBefore2010: 'stat.ts_before_2010',
  tsInFuture: 'stat.ts_in_future',
  badMd5: 'stat.bad_md5',
  emptyData: 'stat.empty_data',
  urlTooLong: 'stat.url_too_long',
} as const;

export type StatRuleId = (typeof STAT_RULE)[keyof typeof STAT_RULE];

export const STAT_RULES: readonly RuleDef[] = [
  { id: STAT_RULE.unknownAid, severity: 'error', summary: '`aid` is not in the feature table (--allow-unknown-aid passes it).' },
  { id: STAT_RULE.missingAid, severity: 'error', summary: 'An event has no `aid`.' },
  { id: STAT_RULE.badAid, severity: 'error', summary: '`aid` is not an integer.' },
  { id: STAT_RULE.missingAppId, severity: 'error', summary: 'An event or envelope has no `app_id`.' },
  { id: STAT_RULE.badAppId, severity: 'error', summary: '`app_id` is not an integer (a JSON number; digits in a string are the wrong type).' },
  { id: STAT_RULE.missingUid, severity: 'error', summary: 'An event or envelope has no `uid` (or an empty one).' },
  { id: STAT_RULE.missingGameId, severity: 'error', summary: 'An aid that names a game (1003, 2xxx, 3xxx) has no `game_id`.' },
  { id: STAT_RULE.badV, severity: 'error', summary: 'aids 1003, 2003 and 2017 need an integer-like `v` (a number or a string of digits).' },
  { id: STAT_RULE.badTs, severity: 'error', summary: '`ts` is not an integer (a number or a string of digits, Unix seconds).' },
  { id: STAT_RULE.tsInMs, severity: 'error', summary: '`ts` has more than 11 digits: it looks like milliseconds, not seconds.' },
  { id: STAT_RULE.wrongType, severity: 'error', summary: 'A field has the wrong JSON type (`uid`, `game_v`, `session_key` strings; `game_id` an integer).' },
  { id: STAT_RULE.badData, severity: 'error', summary: "An envelope's `data` is not an array of event objects, nor the JSON text of one." },
  {
    id: STAT_RULE.urlTooLong,
    severity: 'error',
    summary: 'An event or envelope whose smallest request has a URL not under --max-url-bytes (checked by replay, which knows the target; not with --stat-params form).',
  },
  { id: STAT_RULE.uidMismatch, severity: 'warning', summary: "An event's `uid` differs from its envelope's." },
  { id: STAT_RULE.appIdMismatch, severity: 'warning', summary: "An event's `app_id` differs from its envelope's." },
  { id: STAT_RULE.unexpectedV, severity: 'warning', summary: '`v` is present on an aid that carries none.' },
  { id: STAT_RULE.missingGameV, severity: 'warning', summary: 'An aid that names a game has no `game_v`.' },
  { id: STAT_RULE.tsBefore2010, severity: 'warning', summary: '`ts` is before 2010 (the seed\'s own example, 151574451, is 1974).' },
  { id: STAT_RULE.tsInFuture, severity: 'warning', summary: '`ts` is more than a day in the future.' },
  { id: STAT_RULE.badMd5, severity: 'warning', summary: 'A logged `__md5` is not 32 hex digits (it is recomputed unless --keep-auth).' },
  { id: STAT_RULE.emptyData, severity: 'warning', summary: "An envelope's `data` holds no events." },
];

export const statFinding = ruleFinding<StatRuleId>(STAT_RULES);
