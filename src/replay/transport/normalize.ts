/**
 * What makes the two clients indistinguishable to the engine: one vocabulary of failure
 * codes and messages, and response headers folded the way node:http folds them. Without
 * this, `--transport undici` would report `UND_ERR_SOCKET` where got says `ECONNRESET`, and
 * the failures-by-cause table would change with the client.
 */
import type { TransportFailure } from './types.js';

/** Our own user-agent, the same from both clients (got would otherwise announce itself). */
export const USER_AGENT = 'report-replay';

/** Library error codes that mean the same as a socket-level code. */
const CODE_ALIASES: Record<string, string> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_ABORTED: 'aborted',
  ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
};

/** Where a request went, for messages: `127.0.0.1:8000`. */
function hostOf(url: string): string {
  const start = url.indexOf('//') + 2;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  return url.slice(start, end);
}

/**
 * Stable wording per code, so a failure reads the same whichever client saw it. `uncertain`:
 * the request had been written (see TransportFailure).
 */
export function failure(error: string, url: string, timeoutMs: number, libraryMessage: string, uncertain: boolean): TransportFailure {
  switch (error) {
    case 'timeout':
      return {
        ok: false,
        error,
        message: uncertain ? `no complete response from ${hostOf(url)} within ${timeoutMs} ms after the request was sent` : `could not send to ${hostOf(url)} within ${timeoutMs} ms`,
        uncertain,
      };
    case 'aborted':
      return { ok: false, error, message: 'request aborted', uncertain };
    case 'ECONNREFUSED':
      return { ok: false, error, message: `connection refused by ${hostOf(url)}`, uncertain };
    case 'ECONNRESET':
      return {
        ok: false,
        error,
        message: uncertain
          ? `connection to ${hostOf(url)} closed after the request was sent, before a complete response`
          : `connection to ${hostOf(url)} closed before the request was sent`,
        uncertain,
      };
    default:
      return { ok: false, error, message: libraryMessage, uncertain };
  }
}

/**
 * The code of an error thrown by either client: the socket's own code where the library
 * wraps one (undici `cause`, got `code`), else the library's code mapped to ours.
 */
export function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ETIMEDOUT') return code;
    if (typeof code === 'string' && CODE_ALIASES[code]) return CODE_ALIASES[code];
    if (current.name === 'AbortError') return 'aborted';
    if (current.name === 'TimeoutError') return 'timeout';
    current = (current as Error & { cause?: unknown }).cause;
  }
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : 'error';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Headers whose duplicates node:http drops (keeping the first), as `IncomingMessage.headers`
 * documents; every other duplicate is joined with ', ', `set-cookie` stays an array.
 */
const SINGLE_VALUED = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host',
  'if-modified-since', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards',
  'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

/**
 * undici's header object (repeated names as arrays) folded as node:http folds it for got,
 * in place: undici builds a fresh object per response, so it is ours to change, and a
 * response without repeated headers (nearly all) is returned untouched.
 */
export function foldHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  for (const name in headers) {
    const value = headers[name];
    if (!Array.isArray(value)) {
      if (name === 'set-cookie' && value !== undefined) headers[name] = [value];
    } else if (name !== 'set-cookie') {
      headers[name] = SINGLE_VALUED.has(name) ? value[0] : value.join(name === 'cookie' ? '; ' : ', ');
    }
  }
  return headers;
}
