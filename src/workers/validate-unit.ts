/**
 * One unit of `validate --workers` (README "validate"): a byte range of an NDJSON file cut at
 * line boundaries, or a whole file (CSV, `.gz`), read and judged where it runs (a worker
 * thread, or the main thread's share). Verdicts come out as compact batches: a run of valid
 * records without findings is three numbers; only a record with findings carries its
 * findings and --failed form. Line numbers are relative to the unit's first line; the merge
 * adds the lines of the file's earlier ranges (ordered-merge.ts).
 */
import type { ReadOptions } from '../input/read.js';
import type { Finding } from '../findings.js';
import type { JsonObject, RawRecord } from '../records.js';
import { readUnit } from './unit-read.js';
import type { InputUnit } from './units.js';
import { UNKNOWN_ENDPOINT } from '../apis/api.js';
import type { RecordJudge } from '../validate/judge.js';


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
export async function* judgeUnit(unit: InputUnit, judge: RecordJudge, labels: EndpointLabels, options: ReadOptions): AsyncGenerator<UnitBatch, number> {
  const builder = new BatchBuilder(judge, labels);
  const raws = readUnit(unit, options);
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

