/**
 * A captured stat request back into its record (docs/API.md, `stat.push_data`): the query
 * string's or the form body's parameters, typed as a form row is. A request with `data` is
 * an envelope, kept whole — one record per event, sent again as one request with its
 * `session_key`, `ts` and (with --keep-auth) its own `__md5`.
 */
import { JsonDepthError } from '../../json/exact.js';
import type { CaptureReading, CapturedRequest } from '../api.js';
import { captureParams, withoutMasked } from '../capture-params.js';
import { typeStatTextFields } from './csv.js';

export function statFromCapture(request: CapturedRequest): CaptureReading {
  const read = captureParams(request);
  if ('error' in read) return read;
  try {
    return { value: typeStatTextFields(withoutMasked(read.params, ['session_key'])) };
  } catch (err) {
    if (err instanceof JsonDepthError) return { error: `data: ${err.message}` };
    throw err;
  }
}
