/**
 * NDJSON records: one per non-blank line, parsed with `parseExact` so int64 values (SUD
 * `mg_id`) keep every digit. A line that is not a JSON object becomes an invalid record
 * carrying the parser's message and the line's text; reading never stops for one bad line.
 */
import { JsonDepthError, JsonUnicodeError, parseExact } from '../json/exact.js';
import type { JsonObject, RawRecord } from '../records.js';
import { captureRecord, isCaptureLine } from './capture.js';
import { readChunks } from './chunks.js';
import { LineSplitter, type LineProblem, type LineSink } from './lines.js';
import type { ReadOptions } from './read-options.js';
import type { InputSource } from './sources.js';

/** Error records keep at most this much of the line (enough to show and to replay by hand). */
const KEPT_TEXT = 1000;

/**
 * Records per batch at most. A chunk holds hundreds of lines; parsed all at once, their
 * objects all wait while the first ones are sent, and are copied by every young-generation
 * collection meanwhile. Lines are cut at once (cheap slices of the chunk's text) but
 * parsed only a batch at a time.
 */
const BATCH_RECORDS = 256;

/**
 * Collects the lines pushed (still text) and turns them into records a batch at a time.
 * Problem lines are records already; they keep their place among the lines.
 */
export class NdjsonBatch implements LineSink {
  readonly #file: string;
  readonly #input: number;
  /** Pending lines: text to parse, or a record made already (a problem line). */
  #lines: (string | RawRecord)[] = [];
  #lineNos: number[] = [];
  #next = 0;

  constructor(file: string, input: number) {
    this.#file = file;
    this.#input = input;
  }

  get size(): number {
    return this.#lines.length - this.#next;
  }

  /** The next batch of up to BATCH_RECORDS records, in line order. */
  take(): RawRecord[] {
    const lines = this.#lines;
    const end = Math.min(lines.length, this.#next + BATCH_RECORDS);
    const records: RawRecord[] = [];
    for (let i = this.#next; i < end; i++) {
      const line = lines[i]!;
      records.push(typeof line === 'string' ? this.#record(line, this.#lineNos[i]!) : line);
    }
    if (end === lines.length) {
      this.#lines = [];
      this.#lineNos = [];
      this.#next = 0;
    } else {
      this.#next = end;
    }
    return records;
  }

  line(text: string, lineNo: number): void {
    this.#lines.push(text);
    this.#lineNos.push(lineNo);
  }

  problem(rule: LineProblem, message: string, text: string, lineNo: number): void {
    const origin = { file: this.#file, line: lineNo, input: this.#input };
    this.#lines.push({ origin, format: 'ndjson', error: { rule, message }, text });
    this.#lineNos.push(lineNo);
  }

  #record(text: string, lineNo: number): RawRecord {
    const origin = { file: this.#file, line: lineNo, input: this.#input };
    let value: unknown;
    try {
      value = parseExact(text);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const rule = err instanceof JsonDepthError ? 'input.too_deep' : err instanceof JsonUnicodeError ? 'input.encoding' : 'json.syntax';
      return { origin, format: 'ndjson', error: { rule, message }, text: text.slice(0, KEPT_TEXT) };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const message = `expected a JSON object, got ${jsonKind(value)}`;
      return { origin, format: 'ndjson', error: { rule: 'json.not_object', message }, text: text.slice(0, KEPT_TEXT) };
    }
    // A line `serve --record` wrote carries a request: its endpoint turns it back into a record.
    if (isCaptureLine(value as JsonObject)) return captureRecord(value as JsonObject, origin, text);
    return { origin, format: 'ndjson', value: value as JsonObject };
  }
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return 'a number';
}

/** The records of one NDJSON input, one batch per chunk read; `input` is the source's index in the run. */
export async function* readNdjson(source: InputSource, input: number, options: ReadOptions = {}): AsyncGenerator<RawRecord[]> {
  const batch = new NdjsonBatch(source.name, input);
  const splitter = new LineSplitter(batch, { maxLineBytes: options.maxLineBytes, skipThrough: options.skipThrough?.(input) ?? 0 });
  for await (const chunk of readChunks(source, options)) {
    splitter.push(chunk);
    while (batch.size > 0) yield batch.take();
  }
  splitter.end();
  while (batch.size > 0) yield batch.take();
}
