/**
 * `--failed FILE`: every record that was invalid or could not be delivered, as NDJSON with
 * `_error`, in a form this tool replays directly (typed values, `_api` set, metadata kept;
 * `_` fields are never sent). Appends on --resume so earlier failures are not lost.
 *
 * Configured secrets are masked (redact.ts) like everything else this tool writes.
 *
 * Writes are synchronous. With `durable`, each line is in the file (the kernel's, so a
 * crash or a second Ctrl-C cannot lose it) before the write returns — the engine settles a
 * failed record in the checkpoint only after that, so a resume never skips a record that
 * is in neither place. Without it, lines are gathered and written 64 KiB at a time.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Finding } from '../findings.js';
import type { JsonObject, Origin, ValidRecord } from '../records.js';
import { stringifyExact } from '../json/exact.js';
import { InputError, describeError } from '../errors.js';
import { maskSecrets } from '../redact.js';

const GATHER_BYTES = 64 * 1024;

export class FailedWriter {
  readonly file: string;
  readonly #durable: boolean;
  #fd: number | undefined;
  #pending = '';
  #count = 0;

  constructor(file: string, options: { append: boolean; durable?: boolean }) {
    this.file = file;
    this.#durable = options.durable ?? false;
    try {
      this.#fd = openSync(file, options.append ? 'a' : 'w');
    } catch (err) {
      throw new InputError(file, `cannot write the failed-records file (${describeError(err)})`);
    }
  }

  get count(): number {
    return this.#count;
  }

  /** An invalid record: its errors in `_error`. */
  writeInvalid(origin: Origin, form: JsonObject | undefined, findings: readonly Finding[]): Promise<void> {
    const errors = findings.filter((f) => f.severity === 'error');
    const text = errors.map((f) => `${f.rule}${f.path ? ` at ${f.path}` : ''}: ${f.message}`).join('; ');
    this.#write({ ...(form ?? {}), _error: text, _source: `${origin.file}:${origin.line}` });
    return Promise.resolve();
  }

  /** A valid record whose delivery failed after its retries. */
  writeUndelivered(record: ValidRecord, cause: string): Promise<void> {
    this.#write({ ...record.meta, _api: record.endpoint, ...record.value, _error: cause, _source: `${record.origin.file}:${record.origin.line}` });
    return Promise.resolve();
  }

  #write(line: JsonObject): void {
    this.#count++;
    this.#pending += stringifyExact(line) + '\n';
    if (this.#durable || this.#pending.length >= GATHER_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#fd === undefined || this.#pending === '') return;
    try {
      writeSync(this.#fd, maskSecrets(this.#pending));
    } catch (err) {
      throw new InputError(this.file, `cannot write the failed-records file (${describeError(err)})`);
    }
    this.#pending = '';
  }

  async close(): Promise<void> {
    this.#flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
