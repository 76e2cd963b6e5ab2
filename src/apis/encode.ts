/** Turn a signed PendingRequest into the bytes on the wire: URL, headers, body. */
import type { EndpointId, PendingRequest } from './api.js';

export interface WireRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface Target {
  /** Base URL for every endpoint, without a trailing slash: `http://127.0.0.1:8000`. Absent when only SUD is sent (to `sudUrl`). */
  readonly baseUrl?: string;
  /** Full URL for SUD (--sud-url), overriding base + path. */
  readonly sudUrl?: string;
}

/** The characters encodeURIComponent leaves as they are: A–Z a–z 0–9 - _ . ! ~ * ' ( ). */
const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*\'()') UNRESERVED[c.charCodeAt(0)] = 1;

/**
 * encodeURIComponent, without a new string when there is nothing to encode: most names and
 * many values (ts, ids, hex digests) are plain, and this runs for each one of every request.
 */
function encodeComponent(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 128 || UNRESERVED[unit] === 0) return encodeURIComponent(text);
  }
  return text;
}

/** application/x-www-form-urlencoded / query encoding of ordered parameters (UTF-8, percent-encoded). */
export function encodeParams(params: Readonly<Record<string, string>>): string {
  let out = '';
  for (const name in params) {
    if (out) out += '&';
    out += encodeComponent(name) + '=' + encodeComponent(params[name]!);
  }
  return out;
}

/** Where an endpoint's requests go under `target`: SUD's own URL, or the base URL and `path`; undefined when the target has neither. */
export function endpointUrl(endpoint: EndpointId, path: string, target: Target): string | undefined {
  if (endpoint === 'sud.report_game_info' && target.sudUrl) return target.sudUrl;
  return target.baseUrl === undefined ? undefined : target.baseUrl + path;
}

export function requestUrl(request: PendingRequest, target: Target): string {
  const url = endpointUrl(request.endpoint, request.path, target);
  // A replay checks every endpoint's URL before it sends (replay/preflight.ts).
  if (url === undefined) throw new Error(`internal: no URL for ${request.endpoint}`);
  return url;
}

export function encodeRequest(request: PendingRequest, target: Target): WireRequest {
  let url = requestUrl(request, target);
  const headers = { ...request.headers };
  let body = request.body;
  if (request.params) {
    const encoded = encodeParams(request.params);
    if (request.paramsIn === 'form') {
      body = encoded;
      headers['content-type'] = 'application/x-www-form-urlencoded; charset=utf-8';
    } else {
      url += (url.includes('?') ? '&' : '?') + encoded;
    }
  }
  return body === undefined ? { method: 'POST', url, headers } : { method: 'POST', url, headers, body };
}
