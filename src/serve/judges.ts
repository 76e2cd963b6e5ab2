/**
 * How each endpoint answers a request whose body has been read: the same schemas as
 * `validate`, the same signatures as `replay`, and the answers each seed describes
 * (stat: 200 and an empty body; SUD: 200 and `ret_code`; download: 200 and `code`).
 * Judges are pure apart from the SUD key sets and the fault streams they are handed.
 */
import { recordsIn, type Endpoint, type EndpointId, type Validation } from '../apis/api.js';
import { decodeParams } from '../apis/encode.js';
import { statRequestProblem } from '../apis/stat/index.js';
import { tooDeepFinding, type Finding } from '../findings.js';
import { JsonDepthError, parseExact } from '../json/exact.js';
import type { JsonObject } from '../records.js';
import { md5Sorted } from '../sign/md5-sorted.js';
import { verifySudSignature } from '../sign/sud-hmac.js';
import { contentKey, type Verdict } from './counts.js';
import type { FaultInjector } from './faults.js';

/** What to answer, and how to count it. */
export interface Judgement {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  /** Further response headers (Retry-After on a 429). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly verdict: Verdict;
  /** One line: why it was refused or failed (also the record's `reason`). */
  readonly reason?: string;
  /** Records carried, counted when accepted. */
  readonly records: number;
  /** Content keys of the records, when the receiver tracks them. */
  readonly keys?: readonly string[];
}

/** A request as the judges see it: everything read, nothing decoded. */
export interface ReceivedRequest {
  /** The query string without `?` ('' when none). */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** False when the body's bytes are not valid UTF-8 (`body` then holds U+FFFD where they were). */
  readonly bodyUtf8?: boolean;
}

export interface JudgeContext {
  readonly statSecret?: string;
  readonly sudAppId?: string;
  readonly sudAppSecret?: string;
  readonly allowUnknownAid: boolean;
  readonly trackKeys: boolean;
  readonly sudFailFirst: boolean;
  readonly faults: FaultInjector;
  /** SUD keys accepted so far (the receiver de-duplicates on them, as the real API does). */
  readonly sudAccepted: Set<string>;
  /** SUD keys whose first delivery was failed on purpose (sudFailFirst). */
  readonly sudFailedOnce: Set<string>;
}

export type Judge = (request: ReceivedRequest, context: JudgeContext) => Judgement;

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Error findings as one line: the first two, and how many more. */
export function describeErrors(findings: readonly Finding[]): string | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return undefined;
  const shown = errors.slice(0, 2).map((f) => `${f.rule}: ${f.path ? f.path + ': ' : ''}${f.message}`);
  const more = errors.length > 2 ? ` (and ${errors.length - 2} more)` : '';
  return oneLine(shown.join('; ') + more);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

function contentTypeOf(headers: ReceivedRequest['headers']): string {
  const value = headers['content-type'];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Parameters from the query string and, for a form body, the body (body wins on a name
 * in both); an error when there is a body that is not a form, or text that is not exact
 * UTF-8 (percent-encoded or raw): what the validator would refuse as input.encoding.
 */
export function readParams(request: ReceivedRequest): { params: Record<string, string> } | { error: string } {
  if (request.bodyUtf8 === false) return { error: 'the body is not valid UTF-8' };
  let params: Record<string, string> = {};
  try {
    if (request.query) params = decodeParams(request.query);
    if (request.body.length > 0) {
      const type = contentTypeOf(request.headers);
      if (type !== '' && !type.toLowerCase().startsWith(FORM_TYPE)) {
        return { error: `expected an ${FORM_TYPE} body, got content-type ${oneLine(type)}` };
      }
      Object.assign(params, decodeParams(request.body));
    }
  } catch {
    return { error: 'a parameter is not valid percent-encoded UTF-8' };
  }
  return { params };
}

/**
 * A form's parameters as a record of the endpoint's types, judged: the same conversion and
 * rules as a CSV row in `validate`. Text nesting too deep is a finding, never a crash.
 */
function validateForm(endpoint: Endpoint, params: Record<string, string>, context: JudgeContext): Validation {
  let typed: JsonObject;
  try {
    typed = endpoint.fromCsv(params);
  } catch (err) {
    if (err instanceof JsonDepthError) return { findings: [tooDeepFinding('')], value: params };
    throw err;
  }
  return endpoint.validate(typed, { allowUnknownAid: context.allowUnknownAid, nowMs: Date.now() });
}

// ---- stat.push_data ---------------------------------------------------------------

function statRefusal(status: number, reason: string): Judgement {
  return { status, body: reason + '\n', contentType: TEXT, verdict: 'rejected', reason, records: 0 };
}

export function statJudge(endpoint: Endpoint): Judge {
  return (request, context) => {
    const read = readParams(request);
    if ('error' in read) return statRefusal(400, read.error);
    const { params } = read;
    const problem = statRequestProblem(params);
    if (problem) return statRefusal(400, problem);
    if (context.statSecret !== undefined) {
      const sent = params.__md5;
      if (sent === undefined || sent === '') return statRefusal(403, 'missing __md5 signature');
      if (sent !== md5Sorted(params, context.statSecret)) {
        return statRefusal(403, '__md5 does not match the md5-sorted signature of the parameters');
      }
    }
    const { findings, value } = validateForm(endpoint, params, context);
    const errors = describeErrors(findings);
    if (errors) return statRefusal(400, errors);
    const events = Array.isArray(value.data) ? value.data : [];
    // Records as the replay counts them (an envelope: one per event, at least one).
    const judgement: Judgement = { status: 200, body: '', verdict: 'accepted', records: recordsIn(endpoint, value) };
    return context.trackKeys ? { ...judgement, keys: events.map(contentKey) } : judgement;
  };
}

// ---- sud.report_game_info ---------------------------------------------------------

export const SUD_RET = {
  ok: 0,
  invalidReport: 1001,
  badSignature: 1002,
  injectedError: 5000,
} as const;

function sudAnswer(retCode: number, retMsg: string, verdict: Verdict, records = 0, keys?: readonly string[]): Judgement {
  const body = JSON.stringify({ ret_code: retCode, ret_msg: retMsg });
  const judgement: Judgement = { status: 200, body, contentType: JSON_TYPE, verdict, records };
  if (retCode !== 0) return { ...judgement, reason: `ret_code ${retCode}: ${retMsg}` };
  return keys ? { ...judgement, keys } : judgement;
}

/** The de-duplication key: the endpoint's own when it has one, else (report_type, game_round_id). */
function sudKeyOf(endpoint: Endpoint, value: JsonObject): string {
  const own = endpoint.duplicateKey?.(value);
  if (own !== undefined) return own;
  const msg = value.report_msg as JsonObject | undefined;
  return `${String(value.report_type)}:${String(msg?.game_round_id)}`;
}

export function sudJudge(endpoint: Endpoint): Judge {
  return (request, context) => {
    if (request.bodyUtf8 === false) return sudAnswer(SUD_RET.invalidReport, 'invalid report: the body is not valid UTF-8', 'rejected');
    if (context.sudAppId !== undefined && context.sudAppSecret !== undefined) {
      if (!verifySudSignature(request.headers, request.body, context.sudAppId, context.sudAppSecret)) {
        return sudAnswer(SUD_RET.badSignature, 'bad signature: Sud-AppId/Sud-Timestamp/Sud-Nonce/Sud-Signature do not verify', 'rejected');
      }
    }
    let parsed: unknown;
    try {
      parsed = parseExact(request.body);
    } catch (err) {
      if (err instanceof JsonDepthError) return sudAnswer(SUD_RET.invalidReport, `invalid report: ${describeErrors([tooDeepFinding('')])!}`, 'rejected');
      return sudAnswer(SUD_RET.invalidReport, `invalid report: body is not valid JSON (${oneLine((err as Error).message)})`, 'rejected');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return sudAnswer(SUD_RET.invalidReport, 'invalid report: body is not a JSON object', 'rejected');
    }
    const { findings, value } = endpoint.validate(parsed as JsonObject, { allowUnknownAid: context.allowUnknownAid, nowMs: Date.now() });
    const errors = describeErrors(findings);
    if (errors) return sudAnswer(SUD_RET.invalidReport, `invalid report: ${errors}`, 'rejected');

    const key = sudKeyOf(endpoint, value);
    if (context.sudFailFirst && !context.sudFailedOnce.has(key)) {
      context.sudFailedOnce.add(key);
      return sudAnswer(SUD_RET.injectedError, 'injected error: first delivery of this report fails (sudFailFirst)', 'fault');
    }
    if (context.faults.nextSudError()) return sudAnswer(SUD_RET.injectedError, 'injected error (sudErrorRate)', 'fault');
    // The real API de-duplicates and still answers success: a retry after a lost answer is fine.
    if (context.sudAccepted.has(key)) return sudAnswer(SUD_RET.ok, '', 'duplicate');
    context.sudAccepted.add(key);
    return sudAnswer(SUD_RET.ok, '', 'accepted', 1, context.trackKeys ? [key] : undefined);
  };
}

// ---- download.checkAppUpdate, download.downloadEvent ------------------------------

const DOWNLOAD_OK_BODY = '{"code":0}';

function downloadRefusal(reason: string): Judgement {
  return { status: 200, body: JSON.stringify({ code: 1, msg: reason }), contentType: JSON_TYPE, verdict: 'rejected', reason, records: 0 };
}

export function downloadJudge(endpoint: Endpoint): Judge {
  return (request, context) => {
    const read = readParams(request);
    if ('error' in read) return downloadRefusal(read.error);
    const { findings, value } = validateForm(endpoint, read.params, context);
    const errors = describeErrors(findings);
    if (errors) return downloadRefusal(errors);
    const judgement: Judgement = { status: 200, body: DOWNLOAD_OK_BODY, contentType: JSON_TYPE, verdict: 'accepted', records: 1 };
    return context.trackKeys ? { ...judgement, keys: [contentKey(value)] } : judgement;
  };
}

/** The judge for each endpoint id. */
export function judgeFor(endpoint: Endpoint): Judge {
  const byApi: Record<Endpoint['api'], (e: Endpoint) => Judge> = { stat: statJudge, sud: sudJudge, download: downloadJudge };
  return byApi[endpoint.api](endpoint);
}

export type JudgeTable = ReadonlyMap<EndpointId, Judge>;
