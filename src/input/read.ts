/**
 * Reading a run's inputs (README § validate): every source in order, as batches of raw records.
 * A batch is records of one chunk read (NDJSON: at most a few hundred of them), so the
 * consumer pays one await per batch, not one per record, and pulling the next batch is
 * the backpressure that keeps memory flat.
 */
import type { Readable } from 'node:stream';
import type { RawRecord } from '../records.js';
import { readCsv } from './csv.js';
import { readNdjson } from './ndjson.js';
import type { InputSource } from './sources.js';

export interface ReadOptions {
  /** CSV cell separator (`--delimiter`). @default ',' */
  readonly delimiter?: string;
  /**
   * The longest line (NDJSON) or row (CSV) accepted, in bytes. A longer NDJSON line becomes an
   * `input.line_too_long` record; a longer CSV row a `csv.row` record, and the input is read no
   * further (it usually means an open quote, and nothing after it can be told apart from it).
   * @default 64 MiB
   */
  readonly maxLineBytes?: number;
  /** For --resume: lines (CSV: rows starting on lines) up to and including this number are skipped, per input index. */
  readonly skipThrough?: (input: number) => number;
  /** Incremented by every raw byte consumed (compressed bytes for `.gz`), for the ETA against `InputSource.size`. */
  readonly progress?: { bytesRead: number };
  /** The stream read for `-`. @default process.stdin */
  readonly stdin?: Readable;
}

/**
 * The records of `sources`, in order; `origin.input` is the source's index. Bad lines and rows
 * are records with `error` (a CSV row whose quote is never closed too); an input that cannot be
 * read (missing, truncated `.gz`, a bad CSV header) throws an InputError after the batches read
 * before the failure.
 */
export async function* readRecords(sources: readonly InputSource[], options: ReadOptions = {}): AsyncGenerator<RawRecord[]> {
  for (let input = 0; input < sources.length; input++) {
    const source = sources[input]!;
    if (source.format === 'csv') yield* readCsv(source, input, options);
    else yield* readNdjson(source, input, options);
  }
}
