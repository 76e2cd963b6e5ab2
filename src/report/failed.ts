/**
 * `--failed FILE`: every record that was invalid or could not be delivered, as NDJSON with
 * `_error`, in a form this tool replays directly (typed values, `_api` set, metadata kept;
 * `_` fields are never sent). Appends on --resume so earlier failures are not lost.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Finding } from '../findings.js';
import type { JsonObject, Origin, ValidRecord } from '../records.js';
import { stringifyExact } from '../json/exact.js';
import { InputError } from '../errors.js';

export class FailedWriter {
  readonly #stream: WriteStream;
  #count = 0;
  #error: Error | undefined;

  constructor(readonly file: string, options: { append: boolean }) {
    this.#stream = createWriteStream(file, { flags: options.append ? 'a' : 'w' });
    this.#stream.on('error', (err) => (this.#error = err));
  }

  get count(): number {
    return this.#count;
  }

  /** An invalid record: its findings (errors, then warnings) in `_error`. */
  writeInvalid(origin: Origin, form: JsonObject | undefined, findings: readonly Finding[]): Promise<void> {
    const errors = findings.filter((f) => f.severity === 'error');
    const text = errors.map((f) => `${f.rule}${f.path ? ` at ${f.path}` : ''}: ${f.message}`).join('; ');
    return this.#write({ ...(form ?? {}), _error: text, _source: `${origin.file}:${origin.line}` });
  }

  /** A valid record whose delivery failed after its retries. */
  writeUndelivered(record: ValidRecord, cause: string): Promise<void> {
    return this.#write({ ...record.meta, _api: record.endpoint, ...record.value, _error: cause, _source: `${record.origin.file}:${record.origin.line}` });
  }

  async #write(line: JsonObject): Promise<void> {
    if (this.#error) throw new InputError(this.file, `cannot write: ${this.#error.message}`);
    this.#count++;
    if (!this.#stream.write(stringifyExact(line) + '\n')) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#stream.end(resolve));
    if (this.#error) throw new InputError(this.file, `cannot write: ${this.#error.message}`);
  }
}
