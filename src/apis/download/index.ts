/**
 * The download service (下载服务化; docs/API.md § download service): `download.checkAppUpdate` and
 * `download.downloadEvent`, both form-encoded, unsigned, answered with `{"code":0}`.
 * Neither has a duplicate key: the API document gives the receiver nothing to de-duplicate on.
 */
import type { ApiModule, Endpoint } from '../api.js';
import type { JsonObject } from '../../records.js';
import { createDownloadAnswerer } from './answer.js';
import { begintimeMs } from './begintime.js';
import { DownloadRequestBuilder } from './builder.js';
import { downloadFromCapture } from './capture.js';
import { typeDownloadTextFields } from './convert.js';
import { DOWNLOAD_COLUMNS, generateDownloadRecords } from './generate.js';
import { DOWNLOAD_RETRY_POLICY, interpretDownloadResponse } from './response.js';
import { CHECK_APP_UPDATE_RULES, DOWNLOAD_EVENT_RULES } from './rules.js';
import { CHECK_APP_UPDATE, DOWNLOAD_EVENT, type DownloadSchema } from './schema.js';
import { validateCheckAppUpdate, validateDownloadEvent } from './validate.js';
import { DOWNLOAD_REPLAY_OPTIONS } from './replay-options.js';

function text(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

/**
 * `appid/playerId`. Works on raw records too (a shard filter may run before validation):
 * downloadEvent's player id may still be under its alias there.
 */
function shardKeyOf(schema: DownloadSchema, value: JsonObject): string {
  let player = value[schema.playerId];
  if ((player === undefined || player === '') && schema.alias !== undefined) player = value[schema.alias];
  return `${text(value.appid)}/${text(player)}`;
}

/** What differs between the two endpoints; the rest is shared. */
interface EndpointParts {
  readonly path: string;
  readonly rules: Endpoint['rules'];
  readonly detectBy: Endpoint['detectBy'];
  readonly validate: Endpoint['validate'];
  readonly timeOf: Endpoint['timeOf'];
}

function downloadEndpoint(schema: DownloadSchema, parts: EndpointParts): Endpoint {
  const endpoint: Endpoint = {
    id: schema.endpoint,
    api: 'download',
    defaultPath: parts.path,
    rules: parts.rules,
    detectBy: parts.detectBy,
    fields: [...schema.known],
    typeTextFields: (row) => typeDownloadTextFields(schema, row),
    validate: parts.validate,
    shardKey: (value) => shardKeyOf(schema, value),
    timeOf: parts.timeOf,
    fromCapture: (request) => downloadFromCapture(schema, request),
    createBuilder: (options) => new DownloadRequestBuilder(schema, parts.path, options),
    signing: { signer: 'none' },
    interpret: interpretDownloadResponse,
    createAnswerer: (context) => createDownloadAnswerer(endpoint, context),
    retryPolicy: DOWNLOAD_RETRY_POLICY,
  };
  return endpoint;
}

export const checkAppUpdateEndpoint = downloadEndpoint(CHECK_APP_UPDATE, {
  path: '/service/checkAppUpdate',
  rules: CHECK_APP_UPDATE_RULES,
  detectBy: ['ver_addr', 'updateType'],
  validate: (value) => validateCheckAppUpdate(value),
  timeOf: () => undefined,
});

export const downloadEventEndpoint = downloadEndpoint(DOWNLOAD_EVENT, {
  path: '/service/downloadEvent',
  rules: DOWNLOAD_EVENT_RULES,
  detectBy: ['begintime', 'oldversion', 'oepnid', 'filesize'],
  validate: (value) => validateDownloadEvent(value),
  timeOf: (value) => {
    // begintime is China Standard Time (UTC+8); begintimeMs applies the offset.
    const ms = typeof value.begintime === 'string' ? begintimeMs(value.begintime) : NaN;
    return Number.isNaN(ms) ? undefined : ms;
  },
});

export const downloadApi: ApiModule = {
  name: 'download',
  // Detection order: a downloadEvent record may carry fields checkAppUpdate detects by.
  endpoints: [downloadEventEndpoint, checkAppUpdateEndpoint],
  replayOptions: DOWNLOAD_REPLAY_OPTIONS,
  generator: { records: generateDownloadRecords, columns: DOWNLOAD_COLUMNS },
};
