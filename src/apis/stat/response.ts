/**
 * How stat judges a response (SPEC §1.1): any 2xx is success (the seed: a normal request
 * answers with an empty body). stat has no failure signal of its own, so `retry: 'api'`
 * never occurs: 429 and 5xx are the transport's to retry, other statuses are final.
 */
import type { Outcome, ResponseInfo } from '../api.js';

const OK: Outcome = { ok: true };
const MESSAGE_CHARS = 200;

function header(headers: ResponseInfo['headers'], name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key in headers) if (key.toLowerCase() === name) value = headers[key];
  }
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function interpretStatResponse(response: ResponseInfo): Outcome {
  const { status } = response;
  if (status >= 200 && status < 300) return OK;
  const cause = `http ${status}`;
  const body = response.body.trim();
  const message = body ? body.slice(0, MESSAGE_CHARS) : undefined;
  if (status === 429 || status >= 500) {
    const after = retryAfterMs(header(response.headers, 'retry-after'));
    return { ok: false, cause, retry: 'transport', ...(after === undefined ? {} : { retryAfterMs: after }), ...(message ? { message } : {}) };
  }
  return { ok: false, cause, retry: 'none', ...(message ? { message } : {}) };
}
