/**
 * `--dry-run --print-requests`: each request exactly as it would go on the wire (method,
 * URL, headers, body) as one NDJSON line, with every secret masked (README § replay): parameters,
 * JSON fields and headers whose names hold secrets (`session_key`, `ss_token`, …), and
 * the configured secret values wherever they appear, raw or percent-encoded.
 */
import type { Credentials, Endpoint, PendingRequest } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import { MASK, isSecretName, maskBody, maskUrl, redactText, secretForms, secretValues } from '../redact.js';
import type { RunSink } from './sink.js';

/** Every form the configured secret values may take in output (redact.ts `secretForms`). */
export function credentialSecretForms(credentials: Credentials): string[] {
  return secretForms(secretValues(credentials));
}

interface PrintedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  /** null when the request has no body (stat in query mode). */
  readonly body: string | null;
}

/** The request as printed: secret fields masked by name, secret values masked wherever they are. */
function printableRequest(wire: WireRequest, secrets: readonly string[]): PrintedRequest {
  const headers: Record<string, string> = {};
  for (const name in wire.headers) headers[name] = isSecretName(name) ? MASK : redactText(wire.headers[name]!, secrets);
  const body = wire.body === undefined ? null : redactText(maskBody(wire.body, wire.headers), secrets);
  return { method: wire.method, url: redactText(maskUrl(wire.url), secrets), headers, body };
}

/** One NDJSON line (with its newline) for `--print-requests`. */
function requestLine(wire: WireRequest, secrets: readonly string[]): string {
  return JSON.stringify(printableRequest(wire, secrets)) + '\n';
}

/**
 * `--dry-run`: every request built and signed is counted, and with --print-requests printed
 * to stdout (waiting when stdout is full); nothing is sent, so nothing is in flight.
 */
export class DryRunSink implements RunSink {
  readonly #stdout: NodeJS.WritableStream;
  readonly #secrets: readonly string[];
  readonly #count: (endpoint: Endpoint) => void;
  /** Whether to print now: --print-requests, and stdout's reader still there. */
  readonly #print: () => boolean;

  constructor(options: { stdout: NodeJS.WritableStream; credentials: Credentials; count: (endpoint: Endpoint) => void; print: () => boolean }) {
    this.#stdout = options.stdout;
    this.#secrets = credentialSecretForms(options.credentials);
    this.#count = options.count;
    this.#print = options.print;
  }

  submit(_request: PendingRequest, wire: WireRequest, endpoint: Endpoint): void | Promise<void> {
    this.#count(endpoint);
    if (!this.#print()) return;
    const stdout = this.#stdout;
    if (stdout.write(requestLine(wire, this.#secrets))) return;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of ['drain', 'error', 'close']) stdout.off(event, done);
        resolve();
      };
      for (const event of ['drain', 'error', 'close']) stdout.once(event, done);
    });
  }

  room(): undefined {
    return undefined;
  }

  idle(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  readonly inFlight = 0;
  readonly waitingRetries = 0;
  readonly sent = 0;
}
