/**
 * NDJSON records: one per non-blank line, parsed with `parseExact` so int64 values (SUD
 * `mg_id`) keep every digit. A line that is not a JSON object becomes an invalid record
 * carrying the parser's message and the line's text; reading never stops for one bad line.
 */
import { parseExact } from '../json/exact.js';
import type { JsonObject, RawRecord } from '../records.js';
import { readChunks } from './chunks.js';
import { LineSplitter, type LineProblem, type LineSink } from './lines.js';
import type { ReadOptions } from './read.js';
import type { InputSource } from './sources.js';

/** Error records keep at most this much of the line (SPEC: enough to show and to replay by hand). */
const KEPT_TEXT = 1000;

/** Collects the records of the lines pushed since the last `take()`. */
class NdjsonBatch implements LineSink {
  readonly #file: string;
  readonly #input: number;
  #records: RawRecord[] = [];

  constructor(file: string, input: number) {
    this.#file = file;
    this.#input = input;
  }

  get size(): number {
    return this.#records.length;
  }

  take(): RawRecord[] {
    const records = this.#records;
    this.#records = [];
    return records;
  }

  line(text: string, lineNo: number): void {
    const origin = { file: this.#file, line: lineNo, input: this.#input };
    let value: unknown;
    try {
      value = parseExact(text);
    } catch (err) {
      // RangeError too (a lossless parse of absurdly deep nesting): never a crash.
      const message = err instanceof Error ? err.message : String(err);
      this.#records.push({ origin, format: 'ndjson', error: { rule: 'json.syntax', message }, text: text.slice(0, KEPT_TEXT) });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const message = `expected a JSON object, got ${jsonKind(value)}`;
      this.#records.push({ origin, format: 'ndjson', error: { rule: 'json.not_object', message }, text: text.slice(0, KEPT_TEXT) });
      return;
    }
    this.#records.push({ origin, format: 'ndjson', value: value as JsonObject });
  }

  problem(rule: LineProblem, message: string, text: string, lineNo: number): void {
    const origin = { file: this.#file, line: lineNo, input: this.#input };
    this.#records.push({ origin, format: 'ndjson', error: { rule, message }, text });
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
    if (batch.size > 0) yield batch.take();
  }
  splitter.end();
  if (batch.size > 0) yield batch.take();
}
