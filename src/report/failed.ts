/**
 * `--failed FILE`: every record that was invalid or could not be delivered, as NDJSON with
 * `_error`, in a form this tool replays directly (typed values, `_api` set, metadata kept;
 * `_` fields are never sent). Appends on --resume so earlier failures are not lost.
 *
 * Writes are synchronous. With `durable` (every replay), each line is whole in the file —
 * the kernel's, so a crash or a second Ctrl-C cannot lose it — before the write returns,
 * and the record is settled only after that. A line that cannot be written whole (a full
 * disk) is cut back off the file and the write throws a FailedFileError: the record stays
 * unsettled, and every later write throws too. Without `durable` (validate), lines are
 * gathered and written 64 KiB at a time. Configured secrets are masked (redact.ts) like
 * everything else this tool writes.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync } from 'node:fs';
import { wholeLinesSize, writeAllSync } from '../files.js';
import type { Finding } from '../findings.js';
import type { JsonObject, Origin, ValidRecord } from '../records.js';
import { stringifyExact } from '../json/exact.js';
import { InputError, describeError } from '../errors.js';
import { maskSecrets } from '../redact.js';

const GATHER_BYTES = 64 * 1024;

/** The failed-records file could not be opened or written: the run stops (exit 2). */
export class FailedFileError extends InputError {
  constructor(file: string, err: unknown) {
    super(file, `cannot write the failed-records file (${describeError(err)})`, err);
    this.name = 'FailedFileError';
  }
}

export class FailedWriter {
  readonly file: string;
  readonly #durable: boolean;
  #fd: number | undefined;
  #pending = '';
  #count = 0;
  /** Bytes of whole lines in the file: where a torn write is cut back to. */
  #size = 0;
  #error: FailedFileError | undefined;
  /** Bytes of a torn last line an earlier run left, cut off when appending. */
  readonly repairedBytes: number = 0;

  constructor(file: string, options: { append: boolean; durable?: boolean }) {
    this.file = file;
    this.#durable = options.durable ?? false;
    try {
      const fd = (this.#fd = openSync(file, options.append ? 'a+' : 'w'));
      this.#size = fstatSync(fd).size;
      // A run stopped mid-line (full disk, power loss) left a torn line. Its record was
      // never settled, so this run writes it again: cut the fragment off rather than
      // append onto it (one garbled line, and the record twice).
      if (options.append && this.#size > 0) {
        const whole = wholeLinesSize(fd, this.#size);
        if (whole < this.#size) {
          ftruncateSync(fd, whole);
          this.repairedBytes = this.#size - whole;
          this.#size = whole;
        }
      }
    } catch (err) {
      if (this.#fd !== undefined) closeSync(this.#fd);
      this.#fd = undefined;
      throw new FailedFileError(file, err);
    }
  }

  get count(): number {
    return this.#count;
  }

  /** An invalid record: its errors in `_error`. */
  writeInvalid(origin: Origin, form: JsonObject | undefined, findings: readonly Finding[]): Promise<void> {
    const errors = findings.filter((f) => f.severity === 'error');
    const text = errors.map((f) => `${f.rule}${f.path ? ` at ${f.path}` : ''}: ${f.message}`).join('; ');
    return this.#write({ ...(form ?? {}), _error: text, _source: `${origin.file}:${origin.line}` });
  }

  /** A valid record whose delivery failed after its retries: as logged, so no configured credential is written. */
  writeUndelivered(record: ValidRecord, cause: string): Promise<void> {
    return this.#write({ ...record.meta, _api: record.endpoint, ...(record.logged ?? record.value), _error: cause, _source: `${record.origin.file}:${record.origin.line}` });
  }

  #write(line: JsonObject): Promise<void> {
    try {
      this.#pending += stringifyExact(line) + '\n';
      if (this.#durable || this.#pending.length >= GATHER_BYTES) this.#flush();
    } catch (err) {
      return Promise.reject(err);
    }
    this.#count++;
    return Promise.resolve();
  }

  /** Writes what is pending, whole or not at all (a torn tail is cut back off). */
  #flush(): void {
    if (this.#error) {
      this.#pending = '';
      throw this.#error;
    }
    if (this.#fd === undefined || this.#pending === '') return;
    const bytes = Buffer.from(maskSecrets(this.#pending), 'utf8');
    this.#pending = '';
    const fd = this.#fd;
    const progress = { written: 0 };
    try {
      writeAllSync(fd, bytes, progress);
    } catch (err) {
      this.#error = new FailedFileError(this.file, err);
      if (progress.written > 0) {
        try {
          ftruncateSync(fd, this.#size);
        } catch {
          // Cannot cut it back now: a --resume does (see the constructor).
        }
      }
      throw this.#error;
    }
    this.#size += bytes.length;
  }

  async close(): Promise<void> {
    const fd = this.#fd;
    if (fd === undefined) return;
    try {
      if (!this.#error) {
        this.#flush();
        // On disk before the checkpoint's own final, synced snapshot settles these lines.
        fsyncSync(fd);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // /dev/null and pipes cannot be synced; nothing is lost there.
      if (code !== 'EINVAL' && code !== 'ENOTSUP') throw err instanceof FailedFileError ? err : new FailedFileError(this.file, err);
    } finally {
      this.#fd = undefined;
      closeSync(fd);
    }
  }
}
