/**
 * Validation of one stat record (docs/API.md § stat.push_data, docs/RULES.md). A record is either a single event (it
 * has no `data`; it may carry the envelope fields `ts`, `session_key`, `__md5`, which are
 * not part of the event) or an envelope (it has `data`: an array of events, or the JSON
 * text of one). One zod `safeParse` per object on the hot path; issues are walked only on
 * failure. The semantic checks guard their own types so a field zod already rejected is
 * not reported twice.
 *
 * Every event follows the event rules, inside an envelope too: it carries its own `uid` and
 * `app_id` (the API document lists them among each event's fields; nothing says an event
 * inherits them, and an envelope is replayed as it is, never filled in). When they differ
 * from the envelope's, that is a warning.
 */
import { tooDeepFinding, type Finding } from '../../findings.js';
import type { JsonObject } from '../../records.js';
import type { ValidateOptions, Validation, WireOptions } from '../api.js';
import { JsonDepthError, MAX_DEPTH, isJsonObject, parseExact } from '../../json/exact.js';
import { FEATURES } from './features.js';
import { STAT_RULE, statFinding } from './rules.js';
import { batchHead, envelopeParams, eventText, sessionKeyOf } from './params.js';
import { ENVELOPE, ENVELOPE_EVENT, SINGLE_EVENT, typeFindings } from './schema.js';
import { describeValue } from '../describe.js';
import { batchUrlBytes, eventUrlBytes, fitsUnder, recordUrlBound, requestUrlBytes } from './url.js';

/** An integer written as text: what `ts` and `v` may be when they are strings. */
const INTEGER_TEXT = /^-?\d+$/;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;
/** 2010-01-01T00:00:00Z: earlier stat timestamps are suspicious (the API document's own example is 1974). */
const TS_FLOOR_MS = Date.UTC(2010, 0, 1);
const DAY_MS = 86_400_000;
/** Seconds have 10 digits until 2286; more than 11 is milliseconds (13 today). */
const MAX_TS_DIGITS = 11;
const SIGN_AND_LEADING_ZEROS = /^-?0*/;

/** A number or a string of digits holding an integer: what `v` and `ts` may be. */
export function isIntegerLike(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (typeof value === 'string') return INTEGER_TEXT.test(value);
  return typeof value === 'bigint';
}

export function validateStat(value: JsonObject, options: ValidateOptions): Validation {
  return value.data === undefined ? validateSingle(value, options) : validateEnvelope(value, options);
}

function validateSingle(value: JsonObject, options: ValidateOptions): Validation {
  const findings: Finding[] = [];
  if (!SINGLE_EVENT.accepts(value)) typeFindings(SINGLE_EVENT, value, '', findings);
  checkEvent(value, '', options, findings);
  checkTs(value.ts, options, findings);
  checkMd5(value.__md5, findings);
  if (options.wire) checkUrl(value, options.wire, findings);
  return { findings, value };
}

function validateEnvelope(value: JsonObject, options: ValidateOptions): Validation {
  const findings: Finding[] = [];
  if (!ENVELOPE.accepts(value)) typeFindings(ENVELOPE, value, '', findings);
  const events = eventsOf(value.data, findings);
  if (events) {
    if (events.length === 0) findings.push(statFinding(STAT_RULE.emptyData, 'data', undefined, 'data holds no events: the request reports nothing'));
    for (let i = 0; i < events.length; i++) checkEnvelopeEvent(events[i], i, value, options, findings);
  }
  checkTs(value.ts, options, findings);
  checkMd5(value.__md5, findings);
  // JSON text in `data` is parsed once here so the builder serializes the array exactly once.
  const sent = events && typeof value.data === 'string' ? { ...value, data: events } : value;
  if (options.wire) checkUrl(sent, options.wire, findings);
  return { findings, value: sent };
}

/**
 * replay, query mode: the smallest request the record can go in — a single event alone in its
 * batch, an envelope as logged — must have a URL under --max-url-bytes, or it could never be
 * sent. Checked on records with no error otherwise (their parameters are well typed).
 */
function checkUrl(value: JsonObject, wire: WireOptions, findings: Finding[]): void {
  if (wire.statParams !== 'query' || findings.some((f) => f.severity === 'error')) return;
  if (fitsUnder(recordUrlBound(wire.baseUrlBytes, value, wire.credentials.statSessionKey), wire.maxUrlBytes)) return;
  const bytes =
    value.data === undefined
      ? batchUrlBytes(wire.baseUrlBytes, batchHead(value, sessionKeyOf(value, wire), wire)) + eventUrlBytes(eventText(value))
      : requestUrlBytes(wire.baseUrlBytes, envelopeParams(value, wire));
  if (fitsUnder(bytes, wire.maxUrlBytes)) return;
  const what = value.data === undefined ? 'this event alone' : 'this envelope';
  findings.push(statFinding(STAT_RULE.urlTooLong, '', undefined, `the URL of a request with ${what} is ${bytes} bytes, not under --max-url-bytes ${wire.maxUrlBytes}: it can never be sent (try --stat-params form)`));
}

/** The envelope's events, from an array or the JSON text of one; undefined (with a finding) otherwise. */
function eventsOf(data: unknown, findings: Finding[]): unknown[] | undefined {
  if (Array.isArray(data)) return data as unknown[];
  if (typeof data === 'string') {
    let parsed: unknown;
    try {
      parsed = parseExact(data, MAX_DEPTH - 1);
    } catch (err) {
      if (err instanceof JsonDepthError) {
        findings.push(tooDeepFinding('data'));
        return undefined;
      }
      findings.push(statFinding(STAT_RULE.badData, 'data', data, `data is text but not valid JSON (${(err as Error).message})`));
      return undefined;
    }
    if (Array.isArray(parsed)) return parsed as unknown[];
    findings.push(statFinding(STAT_RULE.badData, 'data', data, `data must be a JSON array of events, got JSON text of ${describeValue(parsed)}`));
    return undefined;
  }
  findings.push(statFinding(STAT_RULE.badData, 'data', data, `data must be an array of events (or its JSON text), got ${describeValue(data)}`));
  return undefined;
}

function checkEnvelopeEvent(event: unknown, index: number, envelope: JsonObject, options: ValidateOptions, findings: Finding[]): void {
  const prefix = `data[${index}].`;
  if (!isJsonObject(event)) {
    const hint = typeof event === 'string' ? ' (was data serialized twice?)' : '';
    findings.push(statFinding(STAT_RULE.badData, `data[${index}]`, event, `data[${index}] must be an event object, got ${describeValue(event)}${hint}`));
    return;
  }
  if (!ENVELOPE_EVENT.accepts(event)) typeFindings(ENVELOPE_EVENT, event, prefix, findings);
  checkEvent(event, prefix, options, findings);
  const uid = event.uid;
  // An empty uid is missing (reported above), not a different one.
  if (typeof uid === 'string' && uid !== '' && typeof envelope.uid === 'string' && uid !== envelope.uid) {
    findings.push(statFinding(STAT_RULE.uidMismatch, prefix + 'uid', uid, `${prefix}uid ${JSON.stringify(uid)} differs from the envelope's uid ${JSON.stringify(envelope.uid)}`));
  }
  const appId = event.app_id;
  if (Number.isSafeInteger(appId) && Number.isSafeInteger(envelope.app_id) && appId !== envelope.app_id) {
    findings.push(statFinding(STAT_RULE.appIdMismatch, prefix + 'app_id', appId, `${prefix}app_id ${String(appId)} differs from the envelope's app_id ${String(envelope.app_id)}`));
  }
}

/** The feature table's rules for one event whose `aid` is a well-typed integer. */
function checkEvent(event: JsonObject, prefix: string, options: ValidateOptions, findings: Finding[]): void {
  const aid = event.aid;
  if (typeof aid !== 'number' || !Number.isSafeInteger(aid)) return;
  const feature = FEATURES.get(aid);
  if (!feature) {
    if (!options.allowUnknownAid) {
      findings.push(statFinding(STAT_RULE.unknownAid, prefix + 'aid', aid, `aid ${aid} is not in the stat feature table (use --allow-unknown-aid to pass it)`));
    }
    return;
  }
  if (feature.game) {
    if (event.game_id === undefined) findings.push(statFinding(STAT_RULE.missingGameId, prefix + 'game_id', undefined, `aid ${aid} (${feature.meaning}) names a game but ${prefix}game_id is missing`));
    if (event.game_v === undefined) findings.push(statFinding(STAT_RULE.missingGameV, prefix + 'game_v', undefined, `aid ${aid} (${feature.meaning}) names a game but ${prefix}game_v is missing`));
  }
  const v = event.v;
  if (feature.v !== undefined) {
    if (!isIntegerLike(v)) {
      const got = v === undefined ? 'it is missing' : `got ${describeValue(v)}`;
      findings.push(statFinding(STAT_RULE.badV, prefix + 'v', v, `aid ${aid} (${feature.meaning}) needs ${prefix}v, an integer (${feature.v}); ${got}`));
    }
  } else if (v !== undefined) {
    findings.push(statFinding(STAT_RULE.unexpectedV, prefix + 'v', v, `aid ${aid} (${feature.meaning}) carries no v, but ${prefix}v is ${describeValue(v)}`));
  }
}

function checkTs(ts: unknown, options: ValidateOptions, findings: Finding[]): void {
  if (ts === undefined) return;
  // The usual ts, a number of seconds since 2010 and not past tomorrow, needs no text.
  if (typeof ts === 'number' && Number.isSafeInteger(ts) && ts * 1000 >= TS_FLOOR_MS && ts * 1000 <= options.nowMs + DAY_MS) return;
  let text: string;
  if (typeof ts === 'string' && INTEGER_TEXT.test(ts)) text = ts;
  else if ((typeof ts === 'number' && Number.isInteger(ts)) || typeof ts === 'bigint') text = BigInt(ts).toString();
  else {
    findings.push(statFinding(STAT_RULE.badTs, 'ts', ts, `ts must be an integer (Unix seconds, a number or a string of digits), got ${describeValue(ts)}`));
    return;
  }
  const digits = text.replace(SIGN_AND_LEADING_ZEROS, '').length;
  if (digits > MAX_TS_DIGITS) {
    findings.push(statFinding(STAT_RULE.tsInMs, 'ts', ts, `ts ${text} has ${digits} digits: it looks like milliseconds, but the API wants Unix seconds`));
    return;
  }
  const ms = Number(text) * 1000;
  if (ms < TS_FLOOR_MS) {
    findings.push(statFinding(STAT_RULE.tsBefore2010, 'ts', ts, `ts ${text} is ${new Date(ms).toISOString()}, before 2010`));
  } else if (ms > options.nowMs + DAY_MS) {
    findings.push(statFinding(STAT_RULE.tsInFuture, 'ts', ts, `ts ${text} is ${new Date(ms).toISOString()}, more than a day in the future`));
  }
}

function checkMd5(md5: unknown, findings: Finding[]): void {
  if (md5 === undefined || (typeof md5 === 'string' && MD5_HEX.test(md5))) return;
  findings.push(statFinding(STAT_RULE.badMd5, '__md5', md5, `the logged __md5 is not 32 hex digits (got ${describeValue(md5)}); it is recomputed unless --keep-auth`));
}
