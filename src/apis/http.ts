/**
 * What every API shares about an HTTP answer (README § replay, Retries): 429 and 5xx are the transport's to
 * retry, honouring `Retry-After`; any other non-2xx status is final. Only a 2xx reaches an
 * endpoint's own judgement of the body, so each API module keeps just that part.
 */
import type { Outcome, ResponseInfo } from './api.js';
import { headerValue } from '../headers.js';

/** A failure outcome: what `classifyHttpStatus` returns for a non-2xx status. */
export type HttpFailure = Extract<Outcome, { ok: false }>;

const DELAY_SECONDS = /^\d+$/;

/**
 * A Retry-After header in ms from `nowMs`: delay-seconds (`120`) or an HTTP-date (`Wed, 21
 * Oct 2015 07:28:00 GMT`). A date in the past means "now" (0); anything unreadable is
 * ignored (undefined) rather than guessed. Of repeated headers the first counts.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (DELAY_SECONDS.test(text)) return Number(text) * 1000;
  // HTTP-dates always name a weekday or month in letters; this keeps Date.parse from reading "1.5" or "-3".
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * The failure a non-2xx status means, or undefined for a 2xx, whose body the endpoint then
 * judges. 429 and 5xx: `retry: 'transport'` with `retryAfterMs` when the server sent a
 * readable Retry-After. Every other status (1xx, 3xx, other 4xx, 408 included): final.
 */
export function classifyHttpStatus(response: ResponseInfo, nowMs: number = Date.now()): HttpFailure | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const cause = `http ${status}`;
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), nowMs);
    return retryAfterMs === undefined ? { ok: false, cause, retry: 'transport' } : { ok: false, cause, retry: 'transport', retryAfterMs };
  }
  return { ok: false, cause, retry: 'none' };
}
