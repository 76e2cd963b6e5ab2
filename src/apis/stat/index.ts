/** The stat API (docs/API.md § stat.push_data): one endpoint, `stat.push_data`. */
import type { ApiModule, Endpoint } from '../api.js';
import type { JsonObject } from '../../records.js';
import { createStatBuilder, STAT_PATH } from './builder.js';
import { createStatAnswerer } from './answer.js';
import { statFromCapture } from './capture.js';
import { STAT_CREDENTIALS, STAT_SECRET_FIELDS, STAT_VERIFICATION } from './credentials.js';
import { STAT_FIELDS, typeStatTextFields } from './csv.js';
import { generateStatRecords, STAT_COLUMNS } from './generate.js';
import { statRecordNeeds } from './needs.js';
import { interpretStatResponse } from './response.js';
import { STAT_RULES } from './rules.js';
import { STAT_REPLAY_OPTIONS } from './replay-options.js';
import { isIntegerLike, validateStat } from './validate.js';

/** The record's `ts` (Unix seconds, a number or digits) in epoch ms; undefined when absent. */
function timeOf(value: JsonObject): number | undefined {
  const ts = value.ts;
  if (ts === undefined || typeof ts === 'bigint' || !isIntegerLike(ts)) return undefined;
  return Number(ts) * 1000;
}

/**
 * An envelope holds one record per event in `data` (at least 1: an empty or unreadable
 * `data` is still one line to account for); a single event is one record.
 */
function recordsIn(value: JsonObject): number {
  const data = value.data;
  if (data === undefined) return 1;
  if (Array.isArray(data)) return Math.max(1, data.length);
  if (typeof data === 'string') {
    // Only an envelope that did not validate still has its data as text.
    try {
      const parsed: unknown = JSON.parse(data);
      if (Array.isArray(parsed)) return Math.max(1, parsed.length);
    } catch {
      // Not JSON: one record, invalid.
    }
  }
  return 1;
}

/** README § Scaling out: shards by device id, so one user's events stay in one shard and in order. */
function shardKey(value: JsonObject): string {
  const uid = value.uid;
  return typeof uid === 'string' ? uid : uid === undefined ? '' : String(uid);
}

export const statPushData: Endpoint = {
  id: 'stat.push_data',
  api: 'stat',
  defaultPath: STAT_PATH,
  // The document's own example sends it without the trailing slash.
  otherPaths: [STAT_PATH.slice(0, -1)],
  rules: STAT_RULES,
  detectBy: ['aid', 'data'],
  fields: STAT_FIELDS,
  underscoreParams: ['__md5'],
  typeTextFields: typeStatTextFields,
  validate: validateStat,
  shardKey,
  recordNeeds: statRecordNeeds,
  timeOf,
  recordsIn,
  fromCapture: statFromCapture,
  createBuilder: createStatBuilder,
  signing: { signer: 'md5-sorted', secret: 'statSecret', carriedIn: { param: '__md5' } },
  interpret: interpretStatResponse,
  createAnswerer: (context) => createStatAnswerer(statPushData, context),
  retryPolicy: { retries: 3, delayMs: 1000, backoff: 'exponential' },
};

export const statApi: ApiModule = {
  name: 'stat',
  endpoints: [statPushData],
  credentials: STAT_CREDENTIALS,
  secretFields: STAT_SECRET_FIELDS,
  verification: STAT_VERIFICATION,
  replayOptions: STAT_REPLAY_OPTIONS,
  generator: { records: generateStatRecords, columns: STAT_COLUMNS },
};

export { FEATURES } from './features.js';
export { STAT_RULES } from './rules.js';
export { MAX_OPEN_GROUPS } from './builder.js';
