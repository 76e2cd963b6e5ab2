/**
 * The download service's two field tables (docs/API.md § download service), in the document's order —
 * the order parameters are sent in — and the shapes built from them once (../shape.ts).
 *
 * Which fields are required (the document's tables list every field and mark none optional
 * except `errorMsg`):
 * - every field must be present, except `errorMsg` (optional in both endpoints) and
 *   checkAppUpdate's `updateType` (required only when `resultCode` is 1; a rule checks it);
 * - the fields the document says to "leave empty when there is none" (若无填空) may be empty
 *   strings: the player id (`openid` / `oepnid`) and `build`; downloadEvent's `oldbuild`,
 *   `url` and `final_url` may be empty too (a failed download may have no URL to report);
 * - any other text field that is empty counts as missing (an empty CSV cell is "");
 * - an empty integer field counts as missing.
 * Integers are JSON integers or strings of digits (the service is form-encoded and loggers
 * often write numbers as text); counts, durations and ids must not be negative.
 */
import type { EndpointId } from '../api.js';
import { compileShape, type FieldDef, type FieldType, type Shape } from '../shape.js';

export interface FieldSpec {
  readonly name: string;
  readonly type: 'string' | 'int';
  /** May be absent (and is then not sent). */
  readonly optional?: true;
  /** string: '' is a value, not a missing field. */
  readonly emptyOk?: true;
  /** int: the allowed values (a set); otherwise any integer ≥ 0. */
  readonly values?: readonly number[];
  /** int with values: what each value means, for messages. */
  readonly meaning?: string;
  /** Another input name accepted for this field (downloadEvent's `openid` for `oepnid`). */
  readonly alias?: string;
}

export interface DownloadSchema {
  readonly endpoint: EndpointId;
  /** Known fields, in the document's (sending) order. */
  readonly specs: readonly FieldSpec[];
  readonly byName: ReadonlyMap<string, FieldSpec>;
  /** Names a record may use: field names and aliases. */
  readonly known: ReadonlySet<string>;
  /** The player id field (`openid` / `oepnid`). */
  readonly playerId: string;
  /** The alias some field accepts (downloadEvent's `openid`), if any. */
  readonly alias: string | undefined;
  /** The fields' types: a schema for findings and a plain check for the hot path (../shape.ts). */
  readonly shape: Shape;
}

const PLATFORM: FieldSpec = { name: 'platform', type: 'int', values: [1, 2, 3, 9], meaning: '1 ios, 2 android, 3 wp, 9 other' };
const VERSION_TYPE: FieldSpec = { name: 'versionType', type: 'int', values: [0, 1, 2], meaning: '0 appstore, 1 apk, 2 resources' };

const CHECK_APP_UPDATE_FIELDS: readonly FieldSpec[] = [
  { name: 'errorCode', type: 'string' },
  { name: 'errorMsg', type: 'string', optional: true, emptyOk: true },
  { name: 'appid', type: 'int' },
  { name: 'openid', type: 'string', emptyOk: true },
  { name: 'totaltime', type: 'int' },
  PLATFORM,
  { name: 'ver_addr', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'build', type: 'string', emptyOk: true },
  { name: 'resultCode', type: 'int', values: [1, 0], meaning: '1 update available, 0 none' },
  { name: 'updateType', type: 'int', optional: true, values: [0, 1, 2], meaning: '0 ignored, 1 voluntary, 2 forced' },
  VERSION_TYPE,
];

const DOWNLOAD_EVENT_FIELDS: readonly FieldSpec[] = [
  { name: 'oepnid', type: 'string', emptyOk: true, alias: 'openid' },
  { name: 'appid', type: 'int' },
  PLATFORM,
  { name: 'begintime', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'build', type: 'string', emptyOk: true },
  { name: 'oldversion', type: 'string' },
  { name: 'oldbuild', type: 'string', emptyOk: true },
  { name: 'resultCode', type: 'int', values: [0, 1], meaning: '0 success, 1 failure' },
  { name: 'errorCode', type: 'string' },
  { name: 'errorMsg', type: 'string', optional: true, emptyOk: true },
  { name: 'totaltime', type: 'int' },
  { name: 'filesize', type: 'int' },
  { name: 'url', type: 'string', emptyOk: true },
  { name: 'final_url', type: 'string', emptyOk: true },
  VERSION_TYPE,
  { name: 'totalfilesize', type: 'int' },
];

function fieldDef(spec: FieldSpec): FieldDef {
  let type: FieldType;
  if (spec.type === 'string') type = spec.emptyOk ? 'string' : 'nonEmptyString';
  else if (spec.values) type = { oneOf: spec.values as [number, ...number[]] };
  else type = 'nonNegativeInt';
  return { type, optional: spec.optional === true };
}

function compile(endpoint: EndpointId, specs: readonly FieldSpec[], playerId: string): DownloadSchema {
  const fields: Record<string, FieldDef> = {};
  const known = new Set<string>();
  for (const spec of specs) {
    fields[spec.name] = fieldDef(spec);
    known.add(spec.name);
    if (spec.alias) known.add(spec.alias);
  }
  const alias = specs.find((s) => s.alias !== undefined)?.alias;
  return { endpoint, specs, byName: new Map(specs.map((s) => [s.name, s])), known, playerId, alias, shape: compileShape(fields) };
}

export const CHECK_APP_UPDATE = compile('download.checkAppUpdate', CHECK_APP_UPDATE_FIELDS, 'openid');
export const DOWNLOAD_EVENT = compile('download.downloadEvent', DOWNLOAD_EVENT_FIELDS, 'oepnid');
