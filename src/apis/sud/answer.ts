/**
 * How the embedded receiver answers `sud.report_game_info` (docs/API.md: 200 and a JSON
 * `ret_code`, 0 on success): the signature headers are verified when the receiver has the
 * app id and secret, the body is judged with the same rules as `validate`, and a report
 * whose duplicate key was accepted before is answered success without counting it again,
 * as the real API de-duplicates.
 */
import { describeErrors, JSON_TYPE, oneLine, tooDeepReason, type Answer, type Answerer, type ReceiverContext, type Verdict } from '../answer.js';
import type { Endpoint } from '../api.js';
import { JsonDepthError, parseExact } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import { verifySudSignature } from '../../sign/sud-hmac.js';

const SUD_RET = {
  ok: 0,
  invalidReport: 1001,
  badSignature: 1002,
  injectedError: 5000,
} as const;

function sudAnswer(retCode: number, retMsg: string, verdict: Verdict, records = 0, keys?: readonly string[]): Answer {
  const body = JSON.stringify({ ret_code: retCode, ret_msg: retMsg });
  const answer: Answer = { status: 200, body, contentType: JSON_TYPE, verdict, records };
  if (retCode !== 0) return { ...answer, reason: `ret_code ${retCode}: ${retMsg}` };
  return keys ? { ...answer, keys } : answer;
}

export function createSudAnswerer(endpoint: Endpoint, context: ReceiverContext): Answerer {
  const { signing } = endpoint;
  const appId = signing.appId === undefined ? undefined : context.credentials[signing.appId];
  const secret = signing.secret === undefined ? undefined : context.credentials[signing.secret];
  /** Keys accepted so far (the receiver de-duplicates on them, as the real API does). */
  const accepted = new Set<string>();
  /** Keys whose first delivery was failed on purpose (failFirst). */
  const failedOnce = new Set<string>();
  return (request) => {
    if (request.bodyUtf8 === false) return sudAnswer(SUD_RET.invalidReport, 'invalid report: the body is not valid UTF-8', 'rejected');
    if (appId !== undefined && secret !== undefined && !verifySudSignature(request.headers, request.body, appId, secret)) {
      return sudAnswer(SUD_RET.badSignature, 'bad signature: Sud-AppId/Sud-Timestamp/Sud-Nonce/Sud-Signature do not verify', 'rejected');
    }
    let parsed: unknown;
    try {
      parsed = parseExact(request.body);
    } catch (err) {
      if (err instanceof JsonDepthError) return sudAnswer(SUD_RET.invalidReport, `invalid report: ${tooDeepReason()}`, 'rejected');
      return sudAnswer(SUD_RET.invalidReport, `invalid report: body is not valid JSON (${oneLine((err as Error).message)})`, 'rejected');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return sudAnswer(SUD_RET.invalidReport, 'invalid report: body is not a JSON object', 'rejected');
    }
    const { findings, value } = endpoint.validate(parsed as JsonObject, { allowUnknownAid: context.allowUnknownAid, nowMs: Date.now() });
    const errors = describeErrors(findings);
    if (errors) return sudAnswer(SUD_RET.invalidReport, `invalid report: ${errors}`, 'rejected');

    // A valid report always has its key: report_type and game_round_id are required.
    const key = endpoint.duplicateKey?.(value) ?? '';
    if (context.apiFaults.failFirst && !failedOnce.has(key)) {
      failedOnce.add(key);
      return sudAnswer(SUD_RET.injectedError, 'injected error: first delivery of this report fails (sudFailFirst)', 'fault');
    }
    if (context.apiFaults.nextError()) return sudAnswer(SUD_RET.injectedError, 'injected error (sudErrorRate)', 'fault');
    // The real API de-duplicates and still answers success: a retry after a lost answer is fine.
    if (accepted.has(key)) return sudAnswer(SUD_RET.ok, '', 'duplicate');
    accepted.add(key);
    return sudAnswer(SUD_RET.ok, '', 'accepted', 1, context.trackKeys ? [key] : undefined);
  };
}
