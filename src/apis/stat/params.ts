/**
 * The parameters of a stat request, as the builder sends them and as the URL check measures
 * them (the same functions, so the two cannot disagree). In the order sent: `session_key`,
 * `ts`, `app_id`, `uid`, `data`; `__md5` is the signer's, or an envelope's own under keepAuth.
 */
import { stringifyExact } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import type { BuildOptions } from '../api.js';

/** What deciding the parameters depends on. */
export type ParamOptions = Pick<BuildOptions, 'keepAuth' | 'credentials' | 'ts' | 'nowSeconds'>;

/** The envelope fields a single-event record may carry: request parameters, not event fields. */
function eventOf(value: JsonObject): JsonObject {
  if (value.ts === undefined && value.session_key === undefined && value.__md5 === undefined) return value;
  const { ts: _ts, session_key: _sessionKey, __md5: _md5, ...event } = value;
  return event;
}

/** A single event's JSON text, as it goes inside `data`. */
export function eventText(value: JsonObject): string {
  return stringifyExact(eventOf(value));
}

/** Configured key over the logged one; with keepAuth the logged one is sent unchanged. */
export function sessionKeyOf(value: JsonObject, options: ParamOptions): string | undefined {
  const logged = typeof value.session_key === 'string' ? value.session_key : undefined;
  if (options.keepAuth && logged !== undefined) return logged;
  return options.credentials.statSessionKey ?? logged;
}

/** `keep`: the logged ts, else now. `now`: now, except where `keepLogged` (an envelope under keepAuth: its `__md5` signed it). */
function tsOf(value: JsonObject, options: ParamOptions, keepLogged: boolean): string {
  const ts = value.ts;
  if (ts !== undefined && (keepLogged || options.ts === 'keep')) return String(ts);
  return String(options.nowSeconds());
}

/** The parameters before `data` of a batch opened by the single event `value`. */
export function batchHead(value: JsonObject, sessionKey: string | undefined, options: ParamOptions): Record<string, string> {
  const head: Record<string, string> = {};
  if (sessionKey !== undefined) head.session_key = sessionKey;
  head.ts = tsOf(value, options, false);
  head.app_id = String(value.app_id);
  head.uid = String(value.uid);
  return head;
}

/** An envelope's parameters: the request as it was logged (`data` as validation left it). */
export function envelopeParams(value: JsonObject, options: ParamOptions): Record<string, string> {
  const params: Record<string, string> = {};
  const sessionKey = sessionKeyOf(value, options);
  if (sessionKey !== undefined) params.session_key = sessionKey;
  params.ts = tsOf(value, options, options.keepAuth);
  params.app_id = String(value.app_id);
  params.uid = String(value.uid);
  // validate() has parsed JSON text into an array; text here means it was not validated.
  params.data = typeof value.data === 'string' ? value.data : stringifyExact(value.data);
  if (options.keepAuth && typeof value.__md5 === 'string') params.__md5 = value.__md5;
  return params;
}
