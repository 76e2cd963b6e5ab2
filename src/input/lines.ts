/**
 * Splitting a byte stream into numbered text lines, for NDJSON. Measured (docs/BENCHMARKS.md § Measured before building, and
 * bench/read.ts): decoding each chunk's run of whole lines with one `toString` and cutting the
 * string is faster than `readline` and than decoding line by line, so that is the fast path.
 *
 * Invariants:
 * - Only `\n` ends a line; a `\r` before it is dropped (CRLF and LF files read the same).
 * - Every line counts for numbering (1-based), including blank and skipped ones; blank
 *   (whitespace-only) lines are not emitted.
 * - Memory is bounded by the chunk size plus `maxLineBytes`: a longer line is discarded up to
 *   its newline and reported, never buffered whole.
 * - Invalid UTF-8 is reported per line. Decoding replaces bad bytes with U+FFFD, so only text
 *   that contains U+FFFD is checked again against its bytes (a real U+FFFD is legal text).
 */
import { isUtf8 } from 'node:buffer';

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Bytes kept of a rejected line's start, for its `text` (error records keep at most 1000 chars). */
const KEPT_TEXT = 1000;
const NEWLINE = 0x0a;

export type LineProblem = 'input.encoding' | 'input.line_too_long';

/** Receives the lines in order. Called synchronously from `push`/`end`. */
export interface LineSink {
  /** A non-blank line: `\r\n`/`\n` and a leading BOM (line 1) removed. */
  line(text: string, lineNo: number): void;
  /** A line that cannot be turned into text: `text` is its start, for the error record. */
  problem(rule: LineProblem, message: string, text: string, lineNo: number): void;
}

export class LineSplitter {
  readonly #sink: LineSink;
  readonly #maxLineBytes: number;
  /** Lines up to and including this number are counted but not emitted (--resume). */
  readonly #skipThrough: number;
  #lineNo = 0;
  /** The unfinished last line so far, as slices of the chunks it spans. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Set while dropping the rest of an over-long line; holds the start of its text. */
  #discardedHead: string | undefined;

  constructor(sink: LineSink, options: { maxLineBytes?: number; skipThrough?: number } = {}) {
    this.#sink = sink;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#skipThrough = options.skipThrough ?? 0;
  }

  /** Number of the last line started so far (all lines, blank ones included). */
  get lineNo(): number {
    return this.#lineNo;
  }

  push(chunk: Buffer): void {
    const firstNl = chunk.indexOf(NEWLINE);
    if (firstNl === -1) {
      this.#appendPending(chunk);
      return;
    }
    let start = 0;
    if (this.#pendingBytes > 0 || this.#discardedHead !== undefined) {
      this.#appendPending(chunk.subarray(0, firstNl));
      this.#finishPending();
      start = firstNl + 1;
    }
    const lastNl = chunk.lastIndexOf(NEWLINE);
    if (lastNl >= start) this.#wholeLines(chunk, start, lastNl);
    if (lastNl + 1 < chunk.length) this.#appendPending(chunk.subarray(lastNl + 1));
  }

  /** The input ended: a last line without a newline is still a line. */
  end(): void {
    if (this.#pendingBytes > 0 || this.#discardedHead !== undefined) this.#finishPending();
  }

  /** Lines that lie whole inside `chunk[start, end)`, `end` being the last newline's index. */
  #wholeLines(chunk: Buffer, start: number, end: number): void {
    const text = chunk.toString('utf8', start, end);
    if (text.includes('\uFFFD') && !isUtf8(chunk.subarray(start, end))) {
      this.#wholeLinesAsBytes(chunk, start, end);
      return;
    }
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      const line = nl === -1 ? text.slice(pos) : text.slice(pos, nl);
      this.#lineNo++;
      if (this.#lineNo > this.#skipThrough) {
        // UTF-8 needs at most 3 bytes per UTF-16 unit: the byte count is needed only near the limit.
        if (line.length * 3 > this.#maxLineBytes && Buffer.byteLength(line) > this.#maxLineBytes) {
          this.#tooLong(line.slice(0, KEPT_TEXT));
        } else {
          this.#emit(line);
        }
      }
      if (nl === -1) return;
      pos = nl + 1;
    }
  }

  /** The slow path for a run of lines holding invalid UTF-8: each line is checked on its own bytes. */
  #wholeLinesAsBytes(chunk: Buffer, start: number, end: number): void {
    let pos = start;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const lineEnd = nl === -1 || nl > end ? end : nl;
      this.#lineNo++;
      if (this.#lineNo > this.#skipThrough) this.#bytesLine(chunk.subarray(pos, lineEnd));
      if (lineEnd === end) return;
      pos = lineEnd + 1;
    }
  }

  #appendPending(part: Buffer): void {
    if (this.#discardedHead !== undefined) return;
    if (this.#pendingBytes + part.length > this.#maxLineBytes) {
      // concat stops at its length argument: only the kept head is copied, never the whole line.
      const head = Buffer.concat([...this.#pending, part], Math.min(KEPT_TEXT, this.#pendingBytes + part.length));
      this.#discardedHead = head.toString('utf8');
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    if (part.length === 0) return;
    this.#pending.push(part);
    this.#pendingBytes += part.length;
  }

  #finishPending(): void {
    this.#lineNo++;
    const discardedHead = this.#discardedHead;
    const bytes = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#discardedHead = undefined;
    if (this.#lineNo <= this.#skipThrough) return;
    if (discardedHead !== undefined) this.#tooLong(discardedHead);
    else this.#bytesLine(bytes);
  }

  #bytesLine(bytes: Buffer): void {
    if (bytes.length > this.#maxLineBytes) {
      this.#tooLong(bytes.toString('utf8', 0, KEPT_TEXT));
      return;
    }
    const text = bytes.toString('utf8');
    if (text.includes('\uFFFD') && !isUtf8(bytes)) {
      this.#sink.problem('input.encoding', 'the line is not valid UTF-8', text.slice(0, KEPT_TEXT), this.#lineNo);
      return;
    }
    this.#emit(text);
  }

  #tooLong(head: string): void {
    this.#sink.problem('input.line_too_long', `the line is longer than ${this.#maxLineBytes} bytes, the most one record may take`, head, this.#lineNo);
  }

  #emit(line: string): void {
    let text = line;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
    if (this.#lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // A record line starts with `{`; anything else is checked for being blank.
    if (text.length === 0 || (text.charCodeAt(0) !== 0x7b && text.trim() === '')) return;
    this.#sink.line(text, this.#lineNo);
  }
}
