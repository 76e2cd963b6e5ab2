/**
 * The receiver's side of the shared interface: what an API's folder needs to answer a
 * request the way its real service would (docs/API.md, "Answer" of each endpoint). The
 * embedded receiver (../serve/receiver.ts) routes by the registry's paths, reads the body,
 * and hands it to the endpoint's answerer; each API keeps its answer beside its `interpret`.
 */
import { tooDeepFinding, type Finding } from '../findings.js';
import { JsonDepthError, JsonNumberText } from '../json/exact.js';
import type { JsonObject } from '../records.js';
import type { Answer, Endpoint, ReceivedRequest, ReceiverContext, Validation, Verdict } from './api.js';
import { decodeParams } from './encode.js';
import { firstHeader } from '../headers.js';

export type { Answer, Answerer, ReceivedRequest, ReceiverContext, Verdict } from './api.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';
const TEXT_TYPE = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

/** A plain-text answer whose body is `reason` (and a newline). */
export function textAnswer(status: number, reason: string, verdict: Verdict, headers?: Record<string, string>): Answer {
  const answer: Answer = { status, body: reason + '\n', contentType: TEXT_TYPE, verdict, reason, records: 0 };
  return headers ? { ...answer, headers } : answer;
}

export function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/** Error findings as one line: the first two, and how many more. */
export function describeErrors(findings: readonly Finding[]): string | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length === 0) return undefined;
  const shown = errors.slice(0, 2).map((f) => `${f.rule}: ${f.path ? f.path + ': ' : ''}${f.message}`);
  const more = errors.length > 2 ? ` (and ${errors.length - 2} more)` : '';
  return oneLine(shown.join('; ') + more);
}

/** The too-deep finding as an answer's one line. */
export function tooDeepReason(): string {
  return describeErrors([tooDeepFinding('')])!;
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
      const type = firstHeader(request.headers, 'content-type') ?? '';
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
export function judgeForm(endpoint: Endpoint, params: Record<string, string>, context: ReceiverContext): Validation {
  let typed: JsonObject;
  try {
    typed = endpoint.typeTextFields(params);
  } catch (err) {
    if (err instanceof JsonDepthError) return { findings: [tooDeepFinding('')], value: params };
    throw err;
  }
  return endpoint.validate(typed, { allowUnknownAid: context.allowUnknownAid, nowMs: Date.now() });
}

/**
 * JSON with object keys sorted at every level, so the same record gives the same key
 * whatever order its fields were sent in. bigint is written digit for digit, a number kept
 * as text as its text (the bytes that arrived).
 */
export function contentKey(value: unknown): string {
  if (typeof value === 'bigint' || value instanceof JsonNumberText) return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return '[' + value.map(contentKey).join(',') + ']';
  const object = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const name of Object.keys(object).sort()) {
    if (object[name] === undefined) continue;
    parts.push(JSON.stringify(name) + ':' + contentKey(object[name]));
  }
  return '{' + parts.join(',') + '}';
}
