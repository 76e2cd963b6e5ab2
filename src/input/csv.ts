/**
 * CSV records (docs/API.md § Records) through csv-parse, streamed: the first row is the header, dotted
 * header names nest (`report_msg.mg_id`), every cell stays a string (the API modules'
 * `typeTextFields` converts types), and each record's origin is the line on which its row STARTS.
 *
 * csv-parse is driven synchronously: each chunk is written to the parser, whose `push` hands
 * every row to the current batch at once, so no promise is spent per row and nothing waits in
 * the parser's readable buffer. Reading the parser's live `info` there costs nothing, where
 * `on_record`/`info: true` copy it per row and halve the throughput (measured, bench/read.ts).
 *
 * Line numbers: csv-parse reports the line a row ENDS on, and inside quoted cells it counts
 * `\r` and `\n` each as a line, so a quoted CRLF counts twice. The start line is therefore
 * rebuilt from the previous row's end, the blank lines since, and the row's own line breaks.
 */
import { isUtf8 } from 'node:buffer';
import { Parser, type CsvError } from 'csv-parse';
import { InputError, UsageError, UserError } from '../errors.js';
import { MAX_DEPTH } from '../json/exact.js';
import type { JsonObject, RawRecord } from '../records.js';
import { readChunks } from './chunks.js';
import { DEFAULT_MAX_LINE_BYTES } from './lines.js';
import type { ReadOptions } from './read-options.js';
import type { InputSource } from './sources.js';
import { Utf8StreamCheck } from './utf8.js';

/** A header column: `key` for a flat name, or the nested path of a dotted one. */
interface Column {
  readonly key: string;
  readonly path: readonly string[] | undefined;
}

/** The header row as columns; throws InputError for a header no record could be built from. */
function parseHeader(file: string, cells: readonly string[], line: number): Column[] {
  const problem = (message: string): InputError => new InputError(file, `line ${line}: the header ${message}`);
  const names = cells.map((cell) => cell.trim());
  const leaves = new Set<string>();
  names.forEach((name, i) => {
    if (name === '') throw problem(`has no name for column ${i + 1}`);
    if (leaves.has(name)) throw problem(`names the column "${name}" twice`);
    leaves.add(name);
  });
  return names.map((name) => {
    const path = name.split('.');
    if (path.length === 1) {
      if (name === '__proto__') throw problem(`column "${name}" cannot be a field name`);
      return { key: name, path: undefined };
    }
    if (path.some((part) => part === '')) throw problem(`column "${name}" has an empty part between its dots`);
    // Each dot nests an object: a record may not nest deeper than any record may (input.too_deep).
    if (path.length > MAX_DEPTH) throw problem(`column "${name.slice(0, 60)}…" nests deeper than ${MAX_DEPTH} levels`);
    if (path.includes('__proto__')) throw problem(`column "${name}" cannot be a field name`);
    for (let end = 1; end < path.length; end++) {
      const prefix = path.slice(0, end).join('.');
      if (leaves.has(prefix)) throw problem(`has both "${prefix}" and "${name}": a field cannot be a value and an object`);
    }
    return { key: name, path };
  });
}

/** The row as an object, dotted columns nested: the header check guarantees no clash and no `__proto__`. */
function rowValue(columns: readonly Column[], cells: readonly string[]): JsonObject {
  const value: JsonObject = {};
  for (let i = 0; i < columns.length; i++) {
    const { key, path } = columns[i]!;
    if (path === undefined) {
      value[key] = cells[i];
      continue;
    }
    let target = value;
    for (let j = 0; j < path.length - 1; j++) {
      const part = path[j]!;
      // hasOwn, not `??=`: a part like "constructor" must not reach into the prototype.
      if (!Object.hasOwn(target, part)) target[part] = {};
      target = target[part] as JsonObject;
    }
    target[path[path.length - 1]!] = cells[i];
  }
  return value;
}

/** The row written back as CSV, for the `text` of a row that could not be read. */
function rowText(cells: readonly string[], delimiter: string): string {
  return cells.map((cell) => (/["\r\n]/.test(cell) || cell.includes(delimiter) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(delimiter);
}

function countCrlf(cells: readonly string[]): number {
  let count = 0;
  for (const cell of cells) {
    for (let at = cell.indexOf('\r\n'); at !== -1; at = cell.indexOf('\r\n', at + 2)) count++;
  }
  return count;
}

const KEPT_TEXT = 1000;
/** `write` result: the input is read no further (its last record says why). */
const STOP = Symbol('stop');

/** csv-parse's Parser handing each row to `onRow` the moment it is complete, instead of buffering it. */
class RowParser extends Parser {
  onRow: (cells: string[]) => void = () => {};

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) return super.push(null, encoding);
    this.onRow(chunk as string[]);
    return true;
  }
}

/** One CSV input being parsed: write chunks, take the records they completed. */
class CsvRows {
  readonly #file: string;
  readonly #input: number;
  readonly #delimiter: string;
  readonly #maxLineBytes: number;
  readonly #skipThrough: number;
  readonly #parser: RowParser;
  readonly #utf8 = new Utf8StreamCheck();
  #columns: Column[] | undefined;
  #records: RawRecord[] = [];
  /** Line accounting: the previous row's real end line, csv-parse's count for it, blank lines so far. */
  #endLine = 0;
  #parserEndLine = 0;
  #blankLines = 0;
  /**
   * UTF-8 errors: the parser decodes bad bytes to U+FFFD, which is also a legal character. A row
   * is checked against its own bytes only when it has U+FFFD and a chunk it spans held bad bytes.
   */
  #chunkIndex = 0;
  #lastBadChunk = -1;
  #rowStartChunk = 0;
  /** Bytes written to the parser, and the offset where the last row ended: the open row's size. */
  #bytesWritten = 0;
  #rowEndByte = 0;
  /** The chunks from the one holding `#rowEndByte` on, and the offset of the first: the open row's bytes. */
  #recent: Buffer[] = [];
  #recentStart = 0;

  constructor(source: InputSource, input: number, options: ReadOptions) {
    this.#file = source.name;
    this.#input = input;
    this.#delimiter = options.delimiter ?? ',';
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#skipThrough = options.skipThrough?.(input) ?? 0;
    try {
      this.#parser = new RowParser({
        delimiter: this.#delimiter,
        bom: true,
        record_delimiter: ['\r\n', '\n'],
        skip_empty_lines: true,
        // Ragged rows are reported per row below; a stray quote inside a cell is kept as text
        // (as spreadsheets do). Only an unclosed quote is fatal: everything after it is one cell.
        relax_column_count: true,
        relax_quotes: true,
      });
      this.#parser.onRow = (cells) => this.#onRow(cells);
    } catch (err) {
      throw new UsageError(`--delimiter ${JSON.stringify(this.#delimiter)}: ${(err as Error).message}`);
    }
    // Failures are read from `errored` right after each write; the event itself is not needed.
    this.#parser.on('error', () => {});
  }

  get size(): number {
    return this.#records.length;
  }

  take(): RawRecord[] {
    const records = this.#records;
    this.#records = [];
    return records;
  }

  /**
   * Parse one chunk. Returns the fatal error, if any, after the rows before it were collected;
   * `STOP` when the open row is over the size limit: it is an invalid record, and the input
   * is read no further.
   */
  write(chunk: Buffer): InputError | typeof STOP | undefined {
    this.#chunkIndex++;
    if (!this.#utf8.check(chunk)) this.#lastBadChunk = this.#chunkIndex;
    this.#recent.push(chunk);
    this.#parser.write(chunk);
    this.#bytesWritten += chunk.length;
    if (this.#parser.errored) return this.#fatal(this.#parser.errored);
    while (this.#recent.length > 0 && this.#recentStart + this.#recent[0]!.length <= this.#rowEndByte) {
      this.#recentStart += this.#recent.shift()!.length;
    }
    // csv-parse's own max_record_size check runs per byte and costs 15%; per chunk is enough
    // to bound memory when a quote is left open in a large file. Nothing after such a row can
    // be told apart from it (its quote may be open), so reading stops there.
    if (this.#bytesWritten - this.#rowEndByte > this.#maxLineBytes) {
      this.#badOpenRow(`the row is longer than ${this.#maxLineBytes} bytes, the most one record may take (is a quote left open?); the rest of the input is not read`);
      return STOP;
    }
    return undefined;
  }

  async end(): Promise<InputError | undefined> {
    if (!this.#utf8.end()) this.#lastBadChunk = this.#chunkIndex;
    await new Promise<void>((resolve) => this.#parser.end(() => resolve()));
    return this.#parser.errored ? this.#fatal(this.#parser.errored) : undefined;
  }

  /** The row being parsed, which can never be complete, as an invalid record (`csv.row`) at the line it starts on. */
  #badOpenRow(message: string): void {
    const line = this.#openRowLine();
    if (this.#columns === undefined || line <= this.#skipThrough) return;
    const bytes = this.#bytesBetween(this.#rowEndByte, Math.min(this.#bytesWritten, this.#rowEndByte + KEPT_TEXT * 4));
    const text = bytes.toString('utf8').replace(/^[\r\n]+/, '').slice(0, KEPT_TEXT);
    this.#records.push({ origin: { file: this.#file, line, input: this.#input }, format: 'csv', error: { rule: 'csv.row', message }, text });
  }

  #onRow(cells: string[]): void {
    const info = this.#parser.info;
    const rowStartByte = this.#rowEndByte;
    this.#rowEndByte = info.bytes;
    const blanks = info.empty_lines - this.#blankLines;
    const breaksCounted = info.lines - this.#parserEndLine - blanks - 1;
    const line = this.#endLine + blanks + 1;
    this.#endLine = line + breaksCounted - (breaksCounted > 0 ? countCrlf(cells) : 0);
    this.#parserEndLine = info.lines;
    this.#blankLines = info.empty_lines;
    const rowStartChunk = this.#rowStartChunk;
    this.#rowStartChunk = this.#chunkIndex;

    if (this.#columns === undefined) {
      this.#columns = parseHeader(this.#file, cells, line); // a throw here becomes the parser's error
      return;
    }
    if (cells.length === 1 && cells[0]!.trim() === '') return; // a whitespace-only line is blank
    if (line <= this.#skipThrough) return;

    const origin = { file: this.#file, line, input: this.#input };
    if (this.#lastBadChunk >= rowStartChunk && cells.some((cell) => cell.includes('\uFFFD')) && !isUtf8(this.#bytesBetween(rowStartByte, info.bytes))) {
      const text = rowText(cells, this.#delimiter).slice(0, KEPT_TEXT);
      this.#records.push({ origin, format: 'csv', error: { rule: 'input.encoding', message: 'the row is not valid UTF-8' }, text });
    } else if (cells.length !== this.#columns.length) {
      const message = `row has ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}, the header has ${this.#columns.length}`;
      this.#records.push({ origin, format: 'csv', error: { rule: 'csv.row', message }, text: rowText(cells, this.#delimiter).slice(0, KEPT_TEXT) });
    } else {
      this.#records.push({ origin, format: 'csv', value: rowValue(this.#columns, cells) });
    }
  }

  /** Bytes `[from, to)` of the input, from the chunks kept since the last row that ended before `from`. */
  #bytesBetween(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    let start = this.#recentStart;
    for (const chunk of this.#recent) {
      const end = start + chunk.length;
      if (end > from && start < to) parts.push(chunk.subarray(Math.max(from - start, 0), Math.min(to - start, chunk.length)));
      start = end;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The line on which the row being parsed starts: after the last row read and the blank lines since. */
  #openRowLine(): number {
    return this.#endLine + (this.#parser.info.empty_lines - this.#blankLines) + 1;
  }

  /** What a parser error means: an error for the input, or (an open quote at the end) undefined with the row made an invalid record. */
  #fatal(err: Error): InputError | undefined {
    if (err instanceof InputError) return err;
    if (err instanceof UserError) return new InputError(this.#file, err.message, err);
    const rowLine = this.#openRowLine();
    if ((err as CsvError).code === 'CSV_QUOTE_NOT_CLOSED') {
      if (this.#columns === undefined) return new InputError(this.#file, `line ${rowLine}: a quoted cell in the header is never closed`, err);
      // Everything after the open quote is inside that cell: the row is bad, the rows before it are not.
      this.#badOpenRow('a quoted cell in this row is never closed: the rest of the input is inside it');
      return undefined;
    }
    const reported = (err as CsvError).lines;
    const line = typeof reported === 'number' ? reported - (this.#parserEndLine - this.#endLine) : rowLine;
    return new InputError(this.#file, `line ${line}: ${err.message.replace(/ at line \d+/, '')}`, err);
  }
}

/** The records of one CSV input, one batch per chunk read; `input` is the source's index in the run. */
export async function* readCsv(source: InputSource, input: number, options: ReadOptions = {}): AsyncGenerator<RawRecord[]> {
  const rows = new CsvRows(source, input, options);
  for await (const chunk of readChunks(source, options)) {
    const fatal = rows.write(chunk);
    if (rows.size > 0) yield rows.take();
    if (fatal === STOP) return;
    if (fatal) throw fatal;
  }
  const fatal = await rows.end();
  if (rows.size > 0) yield rows.take();
  if (fatal) throw fatal;
}
