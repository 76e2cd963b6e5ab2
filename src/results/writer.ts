/**
 * `--results FILE`: result lines as NDJSON, written as the run goes (README "Results").
 * Lines gather in a buffer that is written synchronously once it holds 256 KiB, so memory
 * stays flat however long the run; a name ending in `.gz` is gzip (one member per buffer,
 * which gunzip and zcat read as one stream); `-` is stdout. Registered secrets are masked
 * in every buffer (whole lines, so none is cut in two). A write that fails stops the
 * writing and is reported once the run is over; the run goes on.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { InputError, describeError } from '../errors.js';
import { hasSecrets, maskSecrets } from '../redact.js';
import type { ResultLine } from './line.js';

const FLUSH_AT = 256 * 1024;

export class ResultsWriter {
  readonly #file: string;
  readonly #gzip: boolean;
  readonly #fd: number | undefined;
  readonly #out: NodeJS.WritableStream | undefined;
  #buffer = '';
  #lines = 0;
  #error: InputError | undefined;

  /** Opens (truncates) `file` now: a path that cannot be written fails before the run starts. */
  constructor(file: string, stdout: NodeJS.WritableStream) {
    this.#file = file;
    this.#gzip = file.endsWith('.gz');
    if (file === '-') this.#out = stdout;
    else {
      try {
        this.#fd = openSync(file, 'w');
      } catch (err) {
        throw new InputError(file, `cannot write the results (${describeError(err)})`);
      }
    }
  }

  get lines(): number {
    return this.#lines;
  }

  /** The first write error, once the run is over. */
  get error(): InputError | undefined {
    return this.#error;
  }

  readonly write = (line: ResultLine): void => {
    this.#lines++;
    this.#buffer += JSON.stringify(line) + '\n';
    if (this.#buffer.length >= FLUSH_AT) this.#flush();
  };

  #flush(): void {
    const text = this.#buffer;
    this.#buffer = '';
    if (text === '' || this.#error) return;
    const masked = hasSecrets() ? maskSecrets(text) : text;
    try {
      if (this.#out) this.#out.write(this.#gzip ? gzipSync(masked) : masked);
      else {
        const bytes = this.#gzip ? gzipSync(masked) : Buffer.from(masked);
        let at = 0;
        while (at < bytes.length) at += writeSync(this.#fd!, bytes, at);
      }
    } catch (err) {
      this.#error = new InputError(this.#file, `cannot write the results (${describeError(err)})`);
    }
  }

  close(): void {
    this.#flush();
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd);
      } catch (err) {
        this.#error ??= new InputError(this.#file, `cannot write the results (${describeError(err)})`);
      }
    }
  }
}
