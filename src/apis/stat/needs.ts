/**
 * What a stat record needs before it can be sent. The API document marks `session_key`
 * required: a request goes with the configured key (--stat-session-key, stat.sessionKey,
 * REPLAY_STAT_SESSION_KEY), else with the one the record logged; a record with neither
 * (or an empty one) would go without, so a replay stops before sending anything.
 */
import type { Credentials } from '../api.js';
import type { JsonObject } from '../../records.js';

export function statRecordNeeds(value: JsonObject, credentials: Credentials): readonly (keyof Credentials)[] {
  if (credentials.statSessionKey) return [];
  const logged = value.session_key;
  return typeof logged === 'string' && logged !== '' ? [] : ['statSessionKey'];
}
