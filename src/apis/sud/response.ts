/**
 * How a SUD response is judged (docs/API.md § sud.report_game_info): success is a 2xx whose JSON has `ret_code` 0.
 * The API's own failures (ret_code ≠ 0, a 2xx that is not the expected JSON) follow the
 * API document's policy — retry after a minute, at most 3 times; the status alone decides the rest
 * (../http.ts: 429/5xx follow the transport's policy, other statuses are final).
 */
import type { Outcome, ResponseInfo, RetryPolicy } from '../api.js';
import { classifyHttpStatus } from '../http.js';

/** The seed: "try again after 1 minute. A request can be re-sent for 3 times at most." */
export const SUD_RETRY_POLICY: RetryPolicy = { retries: 3, delayMs: 60_000, backoff: 'fixed' };

function badResponse(message: string): Outcome {
  return { ok: false, cause: 'bad response', retry: 'api', message };
}

export function interpretSudResponse(response: ResponseInfo): Outcome {
  const failure = classifyHttpStatus(response);
  if (failure !== undefined) return failure;
  const { status } = response;
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
