/**
 * The parameters of a captured form request (stat, download): the query string's, then a
 * form body's (the body wins on a name in both), exactly as the receiver reads them. And
 * the one rule every API's capture reader shares: a value `serve --record` masked (`***`)
 * is no value, so the configured credential fills it in (README, "Capture a client, replay
 * it later").
 */
import { MASK } from '../mask.js';
import type { CapturedRequest } from './api.js';
import { decodeParams } from './encode.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

function contentTypeOf(request: CapturedRequest): string {
  const value = request.headers['content-type'];
  return ((Array.isArray(value) ? value[0] : value) ?? '').toLowerCase();
}

export function captureParams(request: CapturedRequest): { params: Record<string, string> } | { error: string } {
  if (!request.bodyUtf8) return { error: 'the captured body is not UTF-8 text' };
  let params: Record<string, string> = {};
  try {
    if (request.query !== '') params = decodeParams(request.query);
    if (request.body !== '') {
      const type = contentTypeOf(request);
      if (type !== '' && !type.startsWith(FORM_TYPE)) return { error: `expected an ${FORM_TYPE} body, got content-type ${type.replace(/[\r\n]+/g, ' ')}` };
      Object.assign(params, decodeParams(request.body));
    }
  } catch {
    return { error: 'a captured parameter is not valid percent-encoded UTF-8' };
  }
  return { params };
}

/** True when `value` is what the recorder writes in place of a secret. */
export function isMasked(value: unknown): boolean {
  return value === MASK;
}

/** `params` without the named ones whose value was masked. */
export function withoutMasked(params: Record<string, string>, names: readonly string[]): Record<string, string> {
  if (!names.some((name) => isMasked(params[name]))) return params;
  const out = { ...params };
  for (const name of names) if (isMasked(out[name])) delete out[name];
  return out;
}
