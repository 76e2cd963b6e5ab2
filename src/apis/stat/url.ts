/**
 * The length of a stat request's URL in query mode: the one place it is computed, for the
 * builder (which packs batches under the limit) and for validation (which refuses an event or
 * envelope whose smallest request can never fit, `stat.url_too_long`). "Under" --max-url-bytes
 * means strictly less. Room is kept for the `__md5` the md5-sorted signer adds (a --signer
 * plugin that adds longer parameters is not accounted for).
 */
import { encodeParams } from '../encode.js';
import { STAT_PATH } from './path.js';

/** `&__md5=` and 32 hex digits. */
const SIGNATURE_BYTES = '&__md5='.length + 32;
/** `&data=` and the encoded brackets `%5B` `%5D` around the events. */
const DATA_FRAME_BYTES = '&data='.length + 6;
/** An encoded `,` between two events. */
export const COMMA_BYTES = 3;

/** True when a URL of `urlBytes` bytes may be sent under the limit. */
export function fitsUnder(urlBytes: number, maxUrlBytes: number): boolean {
  return urlBytes < maxUrlBytes;
}

/** A batch with parameters `head` and no events yet: base URL, path, `?`, the head, `data`'s frame, the signature. */
export function batchUrlBytes(baseUrlBytes: number, head: Readonly<Record<string, string>>): number {
  return baseUrlBytes + STAT_PATH.length + 1 + encodeParams(head).length + DATA_FRAME_BYTES + SIGNATURE_BYTES;
}

/** What one event's JSON text adds inside `data` (plus COMMA_BYTES after the first). */
export function eventUrlBytes(text: string): number {
  return encodeURIComponent(text).length;
}

/** A request with exactly these parameters; the signature's room unless it carries its own `__md5`. */
export function requestUrlBytes(baseUrlBytes: number, params: Readonly<Record<string, string>>): number {
  return baseUrlBytes + STAT_PATH.length + 1 + encodeParams(params).length + (params.__md5 === undefined ? SIGNATURE_BYTES : 0);
}
