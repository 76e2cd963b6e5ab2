/**
 * How a SUD response is judged (SPEC §1.2): success is a 2xx whose JSON has `ret_code` 0.
 * The API's own failures (ret_code ≠ 0, a 2xx that is not the expected JSON) follow the
 * seed's policy — retry after a minute, at most 3 times; 429/5xx follow the transport's.
 */
import type { Outcome, ResponseInfo, RetryPolicy } from '../api.js';

/** The seed: "try again after 1 minute. A request can be re-sent for 3 times at most." */
export const SUD_RETRY_POLICY: RetryPolicy = { retries: 3, delayMs: 60_000, backoff: 'fixed' };

function header(headers: ResponseInfo['headers'], name: string): string | undefined {
  for (const key in headers) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** `Retry-After` as ms from `nowMs`: delta seconds or an HTTP date (past dates → 0). */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function badResponse(message: string): Outcome {
  return { ok: false, cause: 'bad response', retry: 'api', message };
}

export function interpretSudResponse(response: ResponseInfo): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      return badResponse(`HTTP ${status} with a body that is not JSON`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return badResponse(`HTTP ${status} with JSON that is not an object`);
    const { ret_code: retCode, ret_msg: retMsg } = json as Record<string, unknown>;
    if (typeof retCode !== 'number' || !Number.isInteger(retCode)) return badResponse(`HTTP ${status} without an integer ret_code`);
    if (retCode === 0) return { ok: true };
    const message = typeof retMsg === 'string' ? retMsg : undefined;
    return message === undefined
      ? { ok: false, cause: `ret_code ${retCode}`, retry: 'api' }
      : { ok: false, cause: `ret_code ${retCode}`, retry: 'api', message };
  }
  const cause = `http ${status}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
    return retryAfterMs === undefined ? { ok: false, cause, retry: 'transport' } : { ok: false, cause, retry: 'transport', retryAfterMs };
  }
  return { ok: false, cause, retry: 'none' };
}
