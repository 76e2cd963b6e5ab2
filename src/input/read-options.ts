/** How inputs are read (read.ts), in a leaf file so that each format's reader can name it without an import circle. */
import type { Readable } from 'node:stream';

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
