/**
 * A captured download request back into its record (docs/API.md, download service): the
 * form body's parameters (UTF-8, `oepnid` as the service spells it), integers from their
 * digits, exactly as the receiver reads them.
 */
import type { CaptureReading, CapturedRequest } from '../api.js';
import { captureParams } from '../capture-params.js';
import { typeDownloadTextFields } from './convert.js';
import type { DownloadSchema } from './schema.js';

export function downloadFromCapture(schema: DownloadSchema, request: CapturedRequest): CaptureReading {
  const read = captureParams(request);
  if ('error' in read) return read;
  return { value: typeDownloadTextFields(schema, read.params) };
}
