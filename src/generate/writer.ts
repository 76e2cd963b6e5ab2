/**
 * Streams generated records out as NDJSON or CSV with backpressure: lines are gathered
 * into chunks of about 64 KiB (one write call per line would cost more than generating
 * the line), and when the stream says it is full the loop waits for 'drain', so ten
 * million records go through in flat memory whatever reads them.
 *
 * A reader that goes away (`generate … | head`, EPIPE) ends the output quietly, as
 * command-line tools do; any other write error is an I/O error for the user.
 */
import { stringifyExact } from '../json/exact.js';
import type { JsonObject } from '../records.js';
import { UserError, describeError } from '../errors.js';

export type OutputFormat = 'ndjson' | 'csv';

/** Characters gathered before a write: large enough to amortize the call, small enough to stay flat. */
const CHUNK_CHARS = 64 * 1024;

/** One CSV cell: quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? stringifyExact(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Turns records into CSV lines for a fixed header; dotted columns read nested fields. */
export class CsvRows {
  readonly #paths: readonly (readonly string[])[];
  readonly header: string;

  constructor(columns: readonly string[]) {
    this.#paths = columns.map((column) => column.split('.'));
    this.header = columns.map(csvCell).join(',');
  }

  /** A record's row; a field the record lacks is an empty cell; arrays and objects are JSON cells. */
  row(record: JsonObject): string {
    let line = '';
    for (let i = 0; i < this.#paths.length; i++) {
      let value: unknown = record;
      for (const segment of this.#paths[i]!) {
        value = value !== null && typeof value === 'object' ? (value as JsonObject)[segment] : undefined;
      }
      line += i === 0 ? csvCell(value) : ',' + csvCell(value);
    }
    return line;
  }
}

export interface WriteOptions {
  readonly format: OutputFormat;
  /** CSV header columns (dotted names nest). Ignored for NDJSON. */
  readonly columns: readonly string[];
}

export interface WriteSummary {
  /** Records handed to the stream (all of them unless the reader went away). */
  readonly records: number;
  /** False when the reader closed the stream before the end (EPIPE). */
  readonly complete: boolean;
}

/** Watches one stream while we write to it: errors, drains, the reader going away. */
class StreamGate {
  readonly #out: NodeJS.WritableStream;
  #closed = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  /** Settles when the last chunk written has been handed to the OS (or failed). */
  #lastWritten: Promise<void> = Promise.resolve();
  readonly #onError = (err: Error) => {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') this.#closed = true;
    else this.#error = err;
    this.#release();
  };
  readonly #onClose = () => {
    this.#closed = true;
    this.#release();
  };
  readonly #onDrain = () => this.#release();

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    out.on('error', this.#onError);
    out.on('close', this.#onClose);
    out.on('drain', this.#onDrain);
  }

  /** True when writing should stop (reader gone); throws on a real write error. */
  get closed(): boolean {
    if (this.#error) throw new UserError(`cannot write the output: ${describeError(this.#error)}`);
    return this.#closed;
  }

  #release(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Write a chunk; wait for 'drain' when the stream asks for it. */
  async write(chunk: string): Promise<void> {
    if (this.closed) return;
    let written!: () => void;
    this.#lastWritten = new Promise<void>((resolve) => (written = resolve));
    if (this.#out.write(chunk, () => written())) return;
    await new Promise<void>((resolve) => {
      if (this.#closed || this.#error) resolve();
      else this.#wake = resolve;
    });
  }

  /** Wait until everything written has been handed to the OS, then stop listening. */
  async finish(): Promise<void> {
    if (!this.closed) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        void this.#lastWritten.then(() => this.#release());
      });
    }
    this.#out.off('drain', this.#onDrain);
    this.#out.off('close', this.#onClose);
    this.#out.off('error', this.#onError);
    void this.closed; // a write error seen while finishing is still reported
  }
}

export async function writeRecords(records: Iterable<JsonObject>, options: WriteOptions, out: NodeJS.WritableStream): Promise<WriteSummary> {
  const gate = new StreamGate(out);
  const csv = options.format === 'csv' ? new CsvRows(options.columns) : undefined;
  let chunk = csv ? csv.header + '\n' : '';
  let written = 0;
  try {
    for (const record of records) {
      chunk += (csv ? csv.row(record) : stringifyExact(record)) + '\n';
      written++;
      if (chunk.length >= CHUNK_CHARS) {
        await gate.write(chunk);
        chunk = '';
        if (gate.closed) return { records: written, complete: false };
      }
    }
    if (chunk) await gate.write(chunk);
  } finally {
    await gate.finish();
  }
  return { records: written, complete: !gate.closed };
}
