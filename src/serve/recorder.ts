/**
 * --record FILE: every request as one NDJSON line, appended through one write stream.
 * When the stream's buffer is full, answers wait for 'drain': a slow disk slows the
 * clients down instead of growing memory without bound.
 *
 * A line is a request as it came (README, "Capture a client, replay it later"): the body's
 * bytes exactly, as text when they are UTF-8, else as `body_base64`; `replay` reads the line
 * back as the record it carries (src/input/capture.ts).
 *
 * The client's credentials are masked unless the receiver is told to keep them
 * (`serve --record-secrets`, to capture traffic that is replayed later with --keep-auth):
 * `session_key` and `ss_token` wherever they are (query, form, JSON body) and secret-named
 * headers. The secrets the receiver itself was given (stat secret, SUD app secret) are
 * masked by value always, --record-secrets or not: a capture never holds a secret of ours.
 */
import { isUtf8 } from 'node:buffer';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { EndpointId } from '../apis/api.js';
import { maskBody, maskHeaders, maskUrl, redactText, secretForms } from '../redact.js';
import type { Verdict } from '../apis/answer.js';

export interface RecorderOptions {
  /** Write the client's credentials as received (--record-secrets). @default false */
  readonly keepSecrets?: boolean;
  /** Secret values to mask wherever they appear (the receiver's own signing secrets). */
  readonly secrets?: readonly (string | undefined)[];
}

/** One recorded request, as written to the file. */
export interface RecordedRequest {
  /** ISO 8601 time the request's body was complete. */
  readonly time: string;
  /** Endpoint id, or null for a request to no endpoint. */
  readonly endpoint: EndpointId | null;
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The body exactly as received ('' when none; '' too when too large to keep). Bytes are
   * written as text when they are UTF-8, else base64 in `body_base64`.
   */
  readonly body: string | Buffer;
  readonly status: number;
  readonly verdict: Verdict;
  readonly reason?: string;
  /** Behind `serve --upstream`: what the upstream answered, or why it did not. */
  readonly upstream?: UpstreamRecord;
}

/** The upstream's side of a proxied request, as written to the capture. */
export type UpstreamRecord =
  | {
      readonly status: number;
      readonly headers: Readonly<Record<string, string | string[] | undefined>>;
      readonly body: Buffer;
      /** From the request's forwarding to the answer's last byte. */
      readonly latencyMs: number;
    }
  | { readonly error: string; readonly latencyMs: number };

/** A body as the line's fields: `body` text when UTF-8, else `body_base64`. */
function bodyFields(body: string | Buffer): { body: string } | { body_base64: string } {
  if (typeof body === 'string') return { body };
  return isUtf8(body) ? { body: body.toString('utf8') } : { body_base64: body.toString('base64') };
}

function upstreamFields(upstream: UpstreamRecord): Record<string, unknown> {
  const latency_ms = Math.round(upstream.latencyMs * 1000) / 1000;
  if ('error' in upstream) return { error: upstream.error, latency_ms };
  return { status: upstream.status, headers: upstream.headers, ...bodyFields(upstream.body), latency_ms };
}

export class RequestRecorder {
  readonly #stream: WriteStream;
  /** Mask the client's credentials by name (unless --record-secrets). */
  readonly #maskNames: boolean;
  /** The receiver's own secret values, in every form they may take in a line, longest first. */
  readonly #mask: string[];
  #drained: Promise<void> | undefined;
  #error: Error | undefined;

  private constructor(stream: WriteStream, options: RecorderOptions) {
    this.#stream = stream;
    this.#maskNames = options.keepSecrets !== true;
    this.#mask = secretForms(options.secrets ?? []);
    stream.on('error', (err) => {
      this.#error = err;
    });
  }

  /** Open FILE for appending; rejects when it cannot be opened (missing folder, no permission). */
  static async open(file: string, options: RecorderOptions = {}): Promise<RequestRecorder> {
    const stream = createWriteStream(file, { flags: 'a' });
    await once(stream, 'open');
    return new RequestRecorder(stream, options);
  }

  /** The line for an entry: as received, the client's credentials masked unless kept, ours always. */
  #line(entry: RecordedRequest): string {
    const { body, upstream, ...rest } = entry;
    let fields = { ...rest, ...bodyFields(body) };
    if (this.#maskNames) {
      const masked = 'body' in fields ? { body: maskBody(fields.body, entry.headers) } : {};
      fields = { ...fields, url: maskUrl(entry.url), headers: maskHeaders(entry.headers), ...masked };
    }
    const line = JSON.stringify(upstream === undefined ? fields : { ...fields, upstream: upstreamFields(upstream) });
    return this.#mask.length === 0 ? line : redactText(line, this.#mask);
  }

  /**
   * Append one line. Returns a promise only when the caller should wait before answering
   * (the buffer is over its high-water mark); undefined on the fast path.
   */
  append(entry: RecordedRequest): Promise<void> | undefined {
    if (this.#error) return undefined;
    // Body text carries exact int64 digits already; the entry itself has no bigint.
    const ok = this.#stream.write(this.#line(entry) + '\n');
    if (ok) return this.#drained;
    if (!this.#drained) {
      this.#drained = once(this.#stream, 'drain').then(
        () => {
          this.#drained = undefined;
        },
        () => {
          this.#drained = undefined;
        },
      );
    }
    return this.#drained;
  }

  /** The first write error, if any (the receiver keeps answering; the CLI reports it). */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Flush everything written and close the file. */
  async close(): Promise<void> {
    if (this.#stream.closed || this.#stream.destroyed) return;
    const finished = once(this.#stream, 'close').then(
      () => undefined,
      () => undefined,
    );
    this.#stream.end();
    await finished;
  }
}
