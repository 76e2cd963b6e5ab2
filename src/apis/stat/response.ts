/**
 * How stat judges a response (docs/API.md § stat.push_data): any 2xx is success (its document: a normal request
 * answers with an empty body). stat has no failure signal of its own, so `retry: 'api'`
 * never occurs: the status alone decides (see ../http.ts). With no structured error to
 * report, a failure carries the start of the body as its message.
 */
import type { Outcome, ResponseInfo } from '../api.js';
import { classifyHttpStatus } from '../http.js';

const OK: Outcome = { ok: true };
const MESSAGE_CHARS = 200;

export function interpretStatResponse(response: ResponseInfo): Outcome {
  const failure = classifyHttpStatus(response);
  if (failure === undefined) return OK;
  const body = response.body.trim();
  return body ? { ...failure, message: body.slice(0, MESSAGE_CHARS) } : failure;
}
