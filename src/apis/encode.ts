/** Turn a signed PendingRequest into the bytes on the wire: URL, headers, body. */
import type { Endpoint, PendingRequest } from './api.js';

export interface WireRequest {
  readonly method: 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface Target {
  /** Base URL for every endpoint, without a trailing slash: `http://127.0.0.1:8000`. Absent when only endpoints with a URL of their own are sent. */
  readonly baseUrl?: string | undefined;
  /** An endpoint's own full URL, by its `urlOption` (`sudUrl`: --sud-url), overriding base + path. */
  readonly [option: string]: string | undefined;
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

/**
 * `encodeURIComponent(text).length`, counted without building the string (that call costs
 * ~0.8 µs on a stat event, and URL limits measure every event). A surrogate pair is one
 * 4-byte character; records hold no lone surrogate (the reader refuses them).
 */
export function encodedLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 128) length += UNRESERVED[unit] === 1 ? 1 : 3;
    else if (unit < 0x800) length += 6;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 12;
      i++;
    } else length += 9;
  }
  return length;
}

/** `encodeParams(params).length`, counted without building the string. */
export function encodedParamsLength(params: Readonly<Record<string, string>>): number {
  let length = -1;
  for (const name in params) length += 1 + encodedLength(name) + 1 + encodedLength(params[name]!);
  return Math.max(length, 0);
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

/** One name or value of a form: `+` is a space, `%XX` bytes are UTF-8; throws URIError when they are not. */
function decodeComponent(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}

/**
 * The inverse of `encodeParams`: name → value of a query string or form body (a repeated name:
 * the last wins). Strict where URLSearchParams is lenient: percent-encoded bytes that are not
 * UTF-8 (or a `%` not followed by two hex digits) throw a URIError instead of turning into
 * U+FFFD, so a receiver refuses what it cannot read exactly.
 */
export function decodeParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    // A parameter named __proto__ is a parameter, not the object's prototype.
    if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
    else params[name] = value;
  }
  return params;
}

/** Where requests go under `target`: the URL of their own (`urlOption`) when set, else the base URL and `path`; undefined when the target has neither. */
function urlUnder(urlOption: string | undefined, path: string, target: Target): string | undefined {
  const own = urlOption === undefined ? undefined : target[urlOption];
  if (own) return own;
  return target.baseUrl === undefined ? undefined : target.baseUrl + path;
}

/** Where an endpoint's requests go under `target` (undefined: nowhere, a replay refuses to start). */
export function endpointUrl(endpoint: Endpoint, target: Target): string | undefined {
  return urlUnder(endpoint.urlOption?.option, endpoint.defaultPath, target);
}

/** How a user gives an endpoint a URL, for "missing" messages: `--sud-url or --target (or "sudUrl" or "target" in the config)`. */
export function urlSources(endpoint: Endpoint): string {
  const own = endpoint.urlOption;
  return own === undefined ? '--target (or "target" in the config)' : `${own.flag} or --target (or "${own.configKey}" or "target" in the config)`;
}

function requestUrl(request: PendingRequest, target: Target): string {
  const url = urlUnder(request.urlOption, request.path, target);
  // A replay checks every endpoint's URL before it sends (replay/intake/preflight.ts).
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
