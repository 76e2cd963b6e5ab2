/**
 * How the download service answers (docs/API.md § download service): `application/json` `{"code":0}` on success.
 * A 2xx with another code, or a body that is not that JSON, is the service's own failure
 * and follows its retry policy; the status alone decides the rest (../http.ts: 429 and 5xx
 * are the transport's, other statuses are final).
 */
import type { Outcome, ResponseInfo, RetryPolicy } from '../api.js';
import { classifyHttpStatus } from '../http.js';

export const DOWNLOAD_RETRY_POLICY: RetryPolicy = { retries: 3, delayMs: 1000, backoff: 'exponential' };

const OK: Outcome = { ok: true };

export function interpretDownloadResponse(response: ResponseInfo): Outcome {
  const failure = classifyHttpStatus(response);
  if (failure !== undefined) return failure;
  let answer: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(response.body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) answer = parsed as Record<string, unknown>;
  } catch {
    answer = undefined;
  }
  const code = answer?.code;
  // The seed answers with the number; a string "0" is taken to mean the same.
  if (code === 0 || code === '0') return OK;
  if (typeof code === 'number' || (typeof code === 'string' && code !== '')) {
    const msg = answer!.msg ?? answer!.message;
    const cause = `code ${code}`;
    return typeof msg === 'string' && msg !== '' ? { ok: false, cause, retry: 'api', message: msg } : { ok: false, cause, retry: 'api' };
  }
  return { ok: false, cause: 'bad response', retry: 'api', message: `expected {"code":0}, got ${snippet(response.body)}` };
}

function snippet(body: string): string {
  if (body === '') return 'an empty body';
  return JSON.stringify(body.length > 80 ? body.slice(0, 80) + '…' : body);
}
