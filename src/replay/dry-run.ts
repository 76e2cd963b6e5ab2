/**
 * `--dry-run --print-requests`: each request exactly as it would go on the wire (method,
 * URL, headers, body) as one NDJSON line, with every secret masked (SPEC §4): parameters,
 * JSON fields and headers whose names hold secrets (`session_key`, `ss_token`, …), and
 * the configured secret values wherever they appear, raw or percent-encoded.
 */
import type { Credentials } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import { parseExact, stringifyExact } from '../json/exact.js';
import { MASK, isSecretName, redactFields, redactText, secretValues } from '../redact.js';

/** The configured secret values, and their percent-encoded forms as they appear in URLs and forms. */
export function secretForms(credentials: Credentials): string[] {
  const forms = new Set<string>();
  for (const secret of secretValues(credentials)) {
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** `a=1&session_key=k` → `a=1&session_key=***`; other parameters byte for byte. */
export function maskParams(encoded: string): string {
  if (encoded === '') return encoded;
  return encoded
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A name that is not valid percent-encoding is shown as it is.
      }
      return eq >= 0 && isSecretName(decoded) && eq < pair.length - 1 ? `${name}=${MASK}` : pair;
    })
    .join('&');
}

function maskUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q + 1) + maskParams(url.slice(q + 1));
}

function contentType(headers: Readonly<Record<string, string>>): string {
  for (const name in headers) if (name.toLowerCase() === 'content-type') return headers[name]!.toLowerCase();
  return '';
}

function maskBody(body: string, type: string): string {
  if (type.includes('json')) {
    try {
      return stringifyExact(redactFields(parseExact(body)));
    } catch {
      return body;
    }
  }
  if (type.includes('x-www-form-urlencoded')) return maskParams(body);
  return body;
}

export interface PrintedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** null when the request has no body (stat in query mode). */
  readonly body: string | null;
}

/** The request as printed: secret fields masked by name, secret values masked wherever they are. */
export function printableRequest(wire: WireRequest, secrets: readonly string[]): PrintedRequest {
  const headers: Record<string, string> = {};
  for (const name in wire.headers) headers[name] = isSecretName(name) ? MASK : redactText(wire.headers[name]!, secrets);
  const body = wire.body === undefined ? null : redactText(maskBody(wire.body, contentType(wire.headers)), secrets);
  return { method: wire.method, url: redactText(maskUrl(wire.url), secrets), headers, body };
}

/** One NDJSON line (with its newline) for `--print-requests`. */
export function requestLine(wire: WireRequest, secrets: readonly string[]): string {
  return JSON.stringify(printableRequest(wire, secrets)) + '\n';
}
