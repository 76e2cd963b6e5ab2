/**
 * --record FILE: every request as one NDJSON line, appended through one write stream.
 * When the stream's buffer is full, answers wait for 'drain': a slow disk slows the
 * clients down instead of growing memory without bound.
 *
 * Secrets are masked unless the receiver is told to keep them (`serve --record-secrets`,
 * to capture traffic that is replayed later with --keep-auth): `session_key` and
 * `ss_token` wherever they are (query, form, JSON body), secret-named headers, and the
 * secrets the receiver verifies signatures with (stat secret, SUD app secret) by value.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { EndpointId } from '../apis/api.js';
import { maskBody, maskForms, maskHeaders, maskUrl, redactText } from '../redact.js';
import type { Verdict } from '../apis/answer.js';

export interface RecorderOptions {
  /** Write requests as received, secrets included (--record-secrets). @default false */
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
  /** The body as UTF-8 text, exactly as received ('' when none; omitted when too large). */
  readonly body: string;
  readonly status: number;
  readonly verdict: Verdict;
  readonly reason?: string;
}

export class RequestRecorder {
  readonly #stream: WriteStream;
  /** undefined: keep secrets. Else the secret values to mask (with their percent-encoded forms). */
  readonly #mask: string[] | undefined;
  #drained: Promise<void> | undefined;
  #error: Error | undefined;

  private constructor(stream: WriteStream, options: RecorderOptions) {
    this.#stream = stream;
    if (!options.keepSecrets) this.#mask = maskForms(options.secrets ?? []);
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

  /** The line for an entry: as received, or with its secrets masked. */
  #line(entry: RecordedRequest): string {
    const mask = this.#mask;
    if (mask === undefined) return JSON.stringify(entry);
    const masked: RecordedRequest = { ...entry, url: maskUrl(entry.url), headers: maskHeaders(entry.headers), body: maskBody(entry.body, entry.headers) };
    return redactText(JSON.stringify(masked), mask);
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
