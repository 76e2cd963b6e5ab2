/**
 * Reading one unit (units.ts) where it runs — a worker thread, or the main thread's share —
 * as the single-thread reader reads it: batches of raw records, line numbers relative to the
 * unit's first line (the merge adds the lines of the file's earlier ranges, ordered-merge.ts).
 */
import { open } from 'node:fs/promises';
import { readNdjson, NdjsonBatch } from '../input/ndjson.js';
import { LineSplitter, type LineProblem, type LineSink } from '../input/lines.js';
import { readChunks } from '../input/chunks.js';
import { fsProblem } from '../input/sources.js';
import type { ReadOptions } from '../input/read.js';
import { InputError } from '../errors.js';
import type { RawRecord } from '../records.js';
import type { InputUnit } from './units.js';

const CHUNK_BYTES = 64 * 1024;

export interface RawBatch {
  readonly records: RawRecord[];
  /** Bytes consumed so far in the unit. */
  readonly bytes: number;
}

/**
 * Sees every NDJSON line on its way to be parsed (replay-worker.ts keeps each line's text):
 * given the sink that parses, returns the sink the lines go to.
 */
export type LineTap = (parser: LineSink) => LineSink;

/**
 * The unit's raw records in batches; returns the lines it holds (0 for a whole input: no
 * later range needs them) and its bytes. With `tap`, an NDJSON unit's lines pass through it
 * (a CSV unit's rows do not).
 */
export function readUnit(unit: InputUnit, options: ReadOptions, tap?: LineTap): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  if (unit.range) return readRange(unit, options, tap);
  return tap && unit.source.format === 'ndjson' ? readWholeNdjson(unit, options, tap) : readWhole(unit, options);
}

/** A whole input, read as `validate --workers 0` reads it. */
async function* readWhole(unit: InputUnit, options: ReadOptions): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  const progress = { bytesRead: 0 };
  const opts: ReadOptions = { ...options, progress };
  // csv-parse loads only when a CSV unit comes (input/read.ts).
  const reader = unit.source.format === 'csv' ? (await import('../input/csv.js')).readCsv(unit.source, unit.input, opts) : readNdjson(unit.source, unit.input, opts);
  for await (const records of reader) yield { records, bytes: progress.bytesRead };
  // A whole input has no later range whose lines would need this count.
  return { lines: 0, bytes: progress.bytesRead };
}

/** A whole NDJSON input (plain or `.gz`), its lines through `tap`, as readNdjson reads it. */
async function* readWholeNdjson(unit: InputUnit, options: ReadOptions, tap: LineTap): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  const progress = { bytesRead: 0 };
  const batch = new NdjsonBatch(unit.source.name, unit.input);
  const splitter = new LineSplitter(tap(batch), { maxLineBytes: options.maxLineBytes });
  for await (const chunk of readChunks(unit.source, { ...options, progress })) {
    splitter.push(chunk);
    while (batch.size > 0) yield { records: batch.take(), bytes: progress.bytesRead };
  }
  splitter.end();
  while (batch.size > 0) yield { records: batch.take(), bytes: progress.bytesRead };
  return { lines: 0, bytes: progress.bytesRead };
}

/**
 * An NDJSON byte range. Its first line is line 1 of the range; a byte order mark is stripped
 * only from the file's first line (LineSplitter strips it from the range's first line, so
 * it is put back on ranges that do not start the file).
 */
async function* readRange(unit: InputUnit, options: ReadOptions, tap: LineTap | undefined): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  const { start, end } = unit.range!;
  const batch = new NdjsonBatch(unit.source.name, unit.input);
  let sink: LineSink = tap ? tap(batch) : batch;
  let handle;
  try {
    handle = await open(unit.source.path, 'r');
  } catch (err) {
    throw new InputError(unit.source.name, fsProblem(err), err);
  }
  try {
    let pos = start;
    let splitter: LineSplitter | undefined;
    while (pos < end) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, end - pos));
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(chunk, 0, chunk.length, pos));
      } catch (err) {
        throw new InputError(unit.source.name, fsProblem(err), err);
      }
      if (n === 0) break; // the file shrank since it was cut
      if (splitter === undefined) {
        if (start > 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) sink = new BomKeeper(sink);
        splitter = new LineSplitter(sink, { maxLineBytes: options.maxLineBytes });
      }
      splitter.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      pos += n;
      while (batch.size > 0) yield { records: batch.take(), bytes: pos - start };
    }
    splitter?.end();
    while (batch.size > 0) yield { records: batch.take(), bytes: pos - start };
    return { lines: splitter?.lineNo ?? 0, bytes: pos - start };
  } finally {
    await handle.close();
  }
}

/** Puts back the byte order mark LineSplitter takes off a range's first line: mid-file, it is data. */
class BomKeeper implements LineSink {
  readonly #sink: LineSink;
  constructor(sink: LineSink) {
    this.#sink = sink;
  }
  line(text: string, lineNo: number): void {
    this.#sink.line(lineNo === 1 ? '\uFEFF' + text : text, lineNo);
  }
  problem(rule: LineProblem, message: string, text: string, lineNo: number): void {
    this.#sink.problem(rule, message, text, lineNo);
  }
}
