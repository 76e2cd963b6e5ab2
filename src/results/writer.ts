/**
 * `--results FILE`: result lines as NDJSON, written as the run goes (README "Results").
 * Lines are encoded into one reused 256 KiB buffer that is written synchronously when full,
 * so memory stays flat however long the run; a name ending in `.gz` is gzip (one member per
 * buffer, which gunzip and zcat read as one stream); `-` is stdout. Registered secrets are
 * masked in each line's string fields (line.ts `ResultText`). A write that fails stops the
 * writing and is reported once the run is over; the run goes on.
 *
 * A resumed backfill (`--resume`) appends, so the file holds every run of it; a torn last
 * line that a hard crash left is cut off first. A `.gz` file is not appended to: a crash may
 * have torn its last gzip member, and nothing after a torn member can be read.
 */
import { closeSync, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { InputError, describeError } from '../errors.js';
import { wholeLinesSize, writeAllSync } from '../files.js';
import type { Attempt, Settlement } from '../replay/delivery/attempt.js';
import { ResultText } from './line.js';

const FLUSH_AT = 256 * 1024;

export class ResultsWriter {
  readonly #file: string;
  readonly #gzip: boolean;
  readonly #fd: number | undefined;
  readonly #out: NodeJS.WritableStream | undefined;
  readonly #text = new ResultText();
  #buffer = Buffer.allocUnsafe(FLUSH_AT);
  #used = 0;
  #lines = 0;
  #error: InputError | undefined;

  /** Bytes of a torn last line an earlier run left, cut off when appending. */
  readonly repairedBytes: number = 0;

  /**
   * Opens `file` now — truncated, or with `append` (a resumed run) added to — so a path that
   * cannot be written fails before the run starts.
   */
  constructor(file: string, stdout: NodeJS.WritableStream, options: { append?: boolean } = {}) {
    this.#file = file;
    this.#gzip = file.endsWith('.gz');
    if (file === '-') {
      this.#out = stdout;
      return;
    }
    let fd: number | undefined;
    try {
      fd = openSync(file, options.append ? 'a+' : 'w');
      const size = fstatSync(fd).size;
      if (options.append && size > 0) {
        if (this.#gzip) {
          throw new InputError(file, 'holds an earlier run\'s results, and a gzip file a crash may have torn cannot be appended to: give this run another results file (`report` renders several together)');
        }
        const whole = wholeLinesSize(fd, size);
        if (whole < size) {
          ftruncateSync(fd, whole);
          this.repairedBytes = size - whole;
        }
      }
      this.#fd = fd;
    } catch (err) {
      if (fd !== undefined) closeSync(fd);
      throw err instanceof InputError ? err : new InputError(file, `cannot write the results (${describeError(err)})`);
    }
  }

  get lines(): number {
    return this.#lines;
  }

  /** The first write error, once the run is over. */
  get error(): InputError | undefined {
    return this.#error;
  }

  /** One attempt's line (and its request's settlement, on the attempt that ended it: tap.ts). */
  readonly write = (attempt: Attempt, settlement: Settlement | undefined): void => {
    this.#lines++;
    const line = this.#text.text(attempt, settlement) + '\n';
    // A UTF-8 byte per UTF-16 unit, three at the most.
    if (this.#used + line.length * 3 > this.#buffer.length) {
      this.#flush();
      if (line.length * 3 > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(line.length * 3);
    }
    this.#used += this.#buffer.write(line, this.#used);
  };

  #flush(): void {
    const bytes = this.#buffer.subarray(0, this.#used);
    this.#used = 0;
    if (bytes.length === 0 || this.#error) return;
    try {
      // stdout keeps what it is given until written: a copy, for the buffer is reused.
      if (this.#out) this.#out.write(this.#gzip ? gzipSync(bytes) : Buffer.from(bytes));
      else {
        writeAllSync(this.#fd!, this.#gzip ? gzipSync(bytes) : bytes);
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
