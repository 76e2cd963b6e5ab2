/**
 * The length of a stat request's URL in query mode: the one place it is computed, for the
 * builder (which packs batches under the limit) and for validation (which refuses an event or
 * envelope whose smallest request can never fit, `stat.url_too_long`). "Under" --max-url-bytes
 * means strictly less. Room is kept for the `__md5` the md5-sorted signer adds (a --signer
 * plugin that adds longer parameters is not accounted for).
 */
import { isJsonObject } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import { encodedLength, encodedParamsLength } from '../encode.js';
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
  return baseUrlBytes + STAT_PATH.length + 1 + encodedParamsLength(head) + DATA_FRAME_BYTES + SIGNATURE_BYTES;
}

/** What one event's JSON text adds inside `data` (plus COMMA_BYTES after the first). */
export function eventUrlBytes(text: string): number {
  return encodedLength(text);
}

/** A request with exactly these parameters; the signature's room unless it carries its own `__md5`. */
export function requestUrlBytes(baseUrlBytes: number, params: Readonly<Record<string, string>>): number {
  return baseUrlBytes + STAT_PATH.length + 1 + encodedParamsLength(params) + (params.__md5 === undefined ? SIGNATURE_BYTES : 0);
}

/** Upper bound of what one number's text adds, encoded: at most 24 characters of up to 3 bytes. */
const NUMBER_BOUND = 72;

/**
 * An upper bound of the encoded length of `node`'s JSON text, from its values alone (nothing
 * serialized): each UTF-16 unit of a string or key at most 9 bytes (`中` is %E4%B8%AD; the
 * longest escape, `\u001f`, is %5Cu001f, 8), each number at most NUMBER_BOUND, punctuation 3.
 */
function jsonUrlBound(node: unknown): number {
  if (typeof node === 'string') return 9 * node.length + 6;
  if (typeof node === 'number') return Number.isSafeInteger(node) && Math.abs(node) < 1e15 ? 16 : NUMBER_BOUND;
  if (typeof node !== 'object' || node === null) return node === undefined ? 0 : typeof node === 'bigint' ? 3 * node.toString().length : 15;
  if (Array.isArray(node)) {
    let bound = 6;
    for (const item of node) bound += 3 + jsonUrlBound(item);
    return bound;
  }
  if (!isJsonObject(node)) return 3 * String(node).length;
  let bound = 6;
  for (const key in node) bound += 9 * key.length + 12 + jsonUrlBound(node[key]);
  return bound;
}

/**
 * An upper bound of the smallest request URL a record can go in: its values appear at most
 * twice (as parameters and inside `data`), plus the configured session key, a `ts` of now and
 * the parameter names. When the bound fits, the exact length does too, so most records are
 * never serialized to be measured.
 */
export function recordUrlBound(baseUrlBytes: number, value: JsonObject, configuredSessionKey: string | undefined): number {
  const sessionKey = configuredSessionKey === undefined ? 0 : 9 * configuredSessionKey.length;
  return baseUrlBytes + STAT_PATH.length + 1 + DATA_FRAME_BYTES + SIGNATURE_BYTES + sessionKey + NUMBER_BOUND + 100 + 2 * jsonUrlBound(value);
}
