/**
 * A captured SUD report back into its record (docs/API.md, `sud.report_game_info`): the
 * JSON body read with the exact parser (`mg_id` keeps its int64 digits), and the `Sud-*`
 * signature headers it came with, which `--keep-auth` sends again unchanged.
 */
import { isJsonObject, parseExact } from '../../json/exact.js';
import type { CaptureReading, CapturedRequest } from '../api.js';
import { isMasked } from '../capture-params.js';
import { SUD_HEADER } from '../../sign/sud-hmac.js';

const AUTH_HEADERS = Object.values(SUD_HEADER).map((name) => name.toLowerCase());

export function sudFromCapture(request: CapturedRequest): CaptureReading {
  if (!request.bodyUtf8) return { error: 'the captured body is not UTF-8 text' };
  let value: unknown;
  try {
    value = parseExact(request.body);
  } catch (err) {
    return { error: `the captured body is not JSON: ${(err as Error).message}` };
  }
  if (!isJsonObject(value)) return { error: 'the captured body is not a JSON object' };
  if (isMasked(value.ss_token)) {
    const { ss_token: _masked, ...rest } = value;
    value = rest;
  }
  const authHeaders: Record<string, string> = {};
  let any = false;
  for (const name of AUTH_HEADERS) {
    const header = request.headers[name];
    const text = Array.isArray(header) ? header[0] : header;
    if (text === undefined || isMasked(text)) continue;
    authHeaders[name] = text;
    any = true;
  }
  // The signature is over the body's exact text, which may be spaced or escaped otherwise than we would write it.
  return any ? { value: value as Record<string, unknown>, authHeaders, signedBody: request.body } : { value: value as Record<string, unknown> };
}
