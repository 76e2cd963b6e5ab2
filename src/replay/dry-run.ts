/**
 * `--dry-run --print-requests`: each request exactly as it would go on the wire (method,
 * URL, headers, body) as one NDJSON line, with every secret masked (README § replay): parameters,
 * JSON fields and headers whose names hold secrets (`session_key`, `ss_token`, …), and
 * the configured secret values wherever they appear, raw or percent-encoded.
 */
import type { Credentials } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import { MASK, isSecretName, maskBody, maskUrl, redactText, secretForms, secretValues } from '../redact.js';

/** Every form the configured secret values may take in output (redact.ts `secretForms`). */
export function credentialSecretForms(credentials: Credentials): string[] {
  return secretForms(secretValues(credentials));
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
  const body = wire.body === undefined ? null : redactText(maskBody(wire.body, wire.headers), secrets);
  return { method: wire.method, url: redactText(maskUrl(wire.url), secrets), headers, body };
}

/** One NDJSON line (with its newline) for `--print-requests`. */
export function requestLine(wire: WireRequest, secrets: readonly string[]): string {
  return JSON.stringify(printableRequest(wire, secrets)) + '\n';
}
