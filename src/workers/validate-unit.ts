/**
 * One unit of `validate --workers` (README "validate"): a byte range of an NDJSON file cut at
 * line boundaries, or a whole file (CSV, `.gz`), read and judged where it runs (a worker
 * thread, or the main thread's share). Verdicts come out as compact batches: a run of valid
 * records without findings is three numbers; only a record with findings carries its
 * findings and --failed form. Line numbers are relative to the unit's first line; the merge
 * adds the lines of the file's earlier ranges (validate-merge.ts).
 */
import { open } from 'node:fs/promises';
import { readCsv } from '../input/csv.js';
import { readNdjson, NdjsonBatch } from '../input/ndjson.js';
import { LineSplitter, type LineProblem, type LineSink } from '../input/lines.js';
import { fsProblem, type InputSource } from '../input/sources.js';
import type { ReadOptions } from '../input/read.js';
import { InputError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { JsonObject, RawRecord } from '../records.js';
import { UNKNOWN_ENDPOINT } from '../report/stats.js';
import type { RecordJudge } from '../validate/judge.js';

export interface ValidateUnit {
  /** Position among all units of the run: the merge applies units in this order. */
  readonly index: number;
  /** The source's index among the run's inputs. */
  readonly input: number;
  readonly source: InputSource;
  /** Byte range [start, end) of an NDJSON file, cut right after a newline; absent: the whole input. */
  readonly range?: { readonly start: number; readonly end: number };
}

/** A record with findings (or not counted as valid), as the merge needs it. */
export interface UnitVerdict {
  /** 1-based line within the unit. */
  readonly line: number;
  readonly endpoint: string;
  readonly records: number;
  readonly valid: boolean;
  readonly findings: readonly Finding[];
  readonly failedForm: JsonObject | undefined;
}

/**
 * Verdicts in input order. `codes` holds triples: `[endpointIndex, lines, records]` for a run
 * of valid records without findings, or `[VERDICT, 0, 0]` for the next of `verdicts`.
 */
export interface UnitBatch {
  readonly codes: Uint32Array;
  readonly verdicts: UnitVerdict[];
  /** Records (lines, rows) judged in this batch, for the progress line. */
  readonly judged: number;
  /** Input bytes consumed by this batch, for the progress line. */
  readonly bytes: number;
}

export const VERDICT = 0xffffffff;

/** Records per batch handed to the merge: messages stay few, and a batch stays small. */
const BATCH_RECORDS = 4096;
const CHUNK_BYTES = 64 * 1024;

/** Endpoint labels by index, so a run is numbers only. */
export class EndpointLabels {
  readonly #ids: string[] = [UNKNOWN_ENDPOINT];
  readonly #index = new Map<string, number>([[UNKNOWN_ENDPOINT, 0]]);

  constructor(ids: readonly string[]) {
    for (const id of ids) this.indexOf(id);
  }

  indexOf(id: string): number {
    let i = this.#index.get(id);
    if (i === undefined) {
      i = this.#ids.length;
      this.#ids.push(id);
      this.#index.set(id, i);
    }
    return i;
  }

  label(index: number): string {
    return this.#ids[index]!;
  }
}

/** Judge one unit; yields its batches in order and returns the number of lines it holds. */
export async function* judgeUnit(unit: ValidateUnit, judge: RecordJudge, labels: EndpointLabels, options: ReadOptions): AsyncGenerator<UnitBatch, number> {
  const builder = new BatchBuilder(judge, labels);
  const raws = unit.range ? readRange(unit, options) : readWhole(unit, options);
  let bytesBefore = 0;
  for (;;) {
    const next = await raws.next();
    if (next.done) {
      if (builder.judged > 0) yield builder.take(next.value.bytes - bytesBefore);
      return next.value.lines;
    }
    for (const raw of next.value.records) builder.add(raw);
    if (builder.judged >= BATCH_RECORDS) {
      yield builder.take(next.value.bytes - bytesBefore);
      bytesBefore = next.value.bytes;
    }
  }
}

interface RawBatch {
  readonly records: RawRecord[];
  /** Bytes consumed so far in the unit. */
  readonly bytes: number;
}

class BatchBuilder {
  readonly #judge: RecordJudge;
  readonly #labels: EndpointLabels;
  #codes: number[] = [];
  #verdicts: UnitVerdict[] = [];
  #judged = 0;
  /** Index in #codes of the open run, or -1. */
  #run = -1;

  constructor(judge: RecordJudge, labels: EndpointLabels) {
    this.#judge = judge;
    this.#labels = labels;
  }

  get judged(): number {
    return this.#judged;
  }

  add(raw: RawRecord): void {
    const j = this.#judge.judge(raw);
    this.#judged++;
    const endpoint = j.endpoint?.id ?? UNKNOWN_ENDPOINT;
    if (j.record !== undefined && j.findings.length === 0) {
      const index = this.#labels.indexOf(endpoint);
      const codes = this.#codes;
      if (this.#run >= 0 && codes[this.#run] === index) {
        codes[this.#run + 1]!++;
        codes[this.#run + 2]! += j.records;
      } else {
        this.#run = codes.length;
        codes.push(index, 1, j.records);
      }
      return;
    }
    this.#run = -1;
    this.#codes.push(VERDICT, 0, 0);
    this.#verdicts.push({ line: j.origin.line, endpoint, records: j.records, valid: j.record !== undefined, findings: j.findings, failedForm: j.failedForm });
  }

  take(bytes: number): UnitBatch {
    const batch: UnitBatch = { codes: Uint32Array.from(this.#codes), verdicts: this.#verdicts, judged: this.#judged, bytes };
    this.#codes = [];
    this.#verdicts = [];
    this.#judged = 0;
    this.#run = -1;
    return batch;
  }
}

/** A whole input, read as `validate --workers 0` reads it. */
async function* readWhole(unit: ValidateUnit, options: ReadOptions): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  const progress = { bytesRead: 0 };
  const opts: ReadOptions = { ...options, progress };
  const reader = unit.source.format === 'csv' ? readCsv(unit.source, unit.input, opts) : readNdjson(unit.source, unit.input, opts);
  for await (const records of reader) yield { records, bytes: progress.bytesRead };
  // A whole input has no later range whose lines would need this count.
  return { lines: 0, bytes: progress.bytesRead };
}

/**
 * An NDJSON byte range. Its first line is line 1 of the range; a byte order mark is stripped
 * only from the file's first line (LineSplitter strips it from the range's first line, so
 * it is put back on ranges that do not start the file).
 */
async function* readRange(unit: ValidateUnit, options: ReadOptions): AsyncGenerator<RawBatch, { lines: number; bytes: number }> {
  const { start, end } = unit.range!;
  const batch = new NdjsonBatch(unit.source.name, unit.input);
  let sink: LineSink = batch;
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
        if (start > 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) sink = new BomKeeper(batch);
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
