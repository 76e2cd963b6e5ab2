/**
 * A batch of `replay --workers` records as it crosses from a worker thread (README "replay"):
 * two transferred buffers — a compact header of numbers per record, and UTF-8 text — never
 * a message per record. A record is either
 * - built: judged valid, its request built, signed and encoded ahead; the text holds its wire
 *   request (URL, headers, body), its SUD duplicate key, its builder group, and its line (so
 *   the main thread can make the record again should it need its fields: --failed);
 * - passed: the line's text, parsed and judged on the main thread as with `--workers 0`
 *   (records the builders must see in turn: stat events; and records with findings);
 * - a problem: a line the reader refused before parsing (too long, not UTF-8).
 */
import type { WireRequest } from '../apis/encode.js';

export const KIND_PASSED = 0;
const KIND_PROBLEM = 1;
export const KIND_BUILT = 2;

/** Numbers per record in the header. */
const FIELDS = 11;
const F_KIND = 0;
const F_LINE = 1;
const F_ENDPOINT = 2;
const F_RECORDS = 3;
const F_FLAGS = 4;
/** Byte lengths of the texts, in this order: the line, URL, headers, body, duplicate key, group. */
const F_TEXTS = 5;

const HAS_BODY = 1;
const HAS_KEY = 2;

/** A line the reader refused (LineSplitter's problem), rare: it crosses as a plain object. */
export interface LineProblemText {
  readonly rule: string;
  readonly message: string;
  readonly text: string;
}

export interface ReplayPayload {
  readonly head: ArrayBuffer;
  readonly text: ArrayBuffer;
  readonly count: number;
  readonly problems: LineProblemText[];
  /** Input bytes the batch consumed, for the progress line. */
  readonly bytes: number;
}

/** Builds one payload at a time in a worker. */
export class ReplayBatchWriter {
  #head: number[] = [];
  #text = Buffer.from(new ArrayBuffer(1 << 16));
  #used = 0;
  #problems: LineProblemText[] = [];
  #count = 0;

  get count(): number {
    return this.#count;
  }

  /** The payload's bytes, for backpressure: what its buffers hold, not only what they use (the text buffer grows by doubling). */
  get size(): number {
    return this.#head.length * 4 + this.#text.length;
  }

  passed(line: number, text: string): void {
    this.#record(KIND_PASSED, line, 0, 0, 0);
    this.#texts(text, '', '', '', '', '');
  }

  problem(line: number, problem: LineProblemText): void {
    this.#record(KIND_PROBLEM, line, this.#problems.length, 0, 0);
    this.#problems.push(problem);
    this.#texts('', '', '', '', '', '');
  }

  built(line: number, endpoint: number, records: number, text: string, wire: WireRequest, duplicateKey: string | undefined, group: string): void {
    let headers = '';
    for (const name in wire.headers) headers += `${name}\n${wire.headers[name]!}\n`;
    this.#record(KIND_BUILT, line, endpoint, records, (wire.body === undefined ? 0 : HAS_BODY) | (duplicateKey === undefined ? 0 : HAS_KEY));
    this.#texts(text, wire.url, headers, wire.body ?? '', duplicateKey ?? '', group);
  }

  /** The payload so far (its buffers to transfer), and a fresh start. */
  take(bytes: number): ReplayPayload {
    const payload: ReplayPayload = { head: Uint32Array.from(this.#head).buffer, text: this.#text.buffer, count: this.#count, problems: this.#problems, bytes };
    this.#head = [];
    this.#text = Buffer.from(new ArrayBuffer(Math.max(1 << 16, this.#used)));
    this.#used = 0;
    this.#problems = [];
    this.#count = 0;
    return payload;
  }

  #record(kind: number, line: number, endpoint: number, records: number, flags: number): void {
    this.#head.push(kind, line, endpoint, records, flags);
    this.#count++;
  }

  #texts(...texts: string[]): void {
    for (const text of texts) {
      if (text === '') {
        this.#head.push(0);
        continue;
      }
      const need = this.#used + text.length * 3;
      if (need > this.#text.length) {
        const grown = Buffer.from(new ArrayBuffer(Math.max(need, this.#text.length * 2)));
        this.#text.copy(grown, 0, 0, this.#used);
        this.#text = grown;
      }
      const written = this.#text.write(text, this.#used, 'utf8');
      this.#used += written;
      this.#head.push(written);
    }
  }
}

/** One record of a payload, as the main thread reads it. */
export type ReplayEntry =
  | { readonly kind: typeof KIND_PASSED; readonly line: number; readonly text: string }
  | { readonly kind: typeof KIND_PROBLEM; readonly line: number; readonly problem: LineProblemText }
  | {
      readonly kind: typeof KIND_BUILT;
      readonly line: number;
      readonly endpoint: number;
      readonly records: number;
      readonly text: string;
      readonly wire: WireRequest;
      readonly duplicateKey: string | undefined;
      readonly group: string;
    };

/** The records of a payload, in input order. */
export function* readPayload(payload: ReplayPayload): Generator<ReplayEntry> {
  const head = new Uint32Array(payload.head);
  const bytes = Buffer.from(payload.text);
  let at = 0;
  const next = (length: number): string => {
    const text = length === 0 ? '' : bytes.toString('utf8', at, at + length);
    at += length;
    return text;
  };
  for (let i = 0; i < payload.count; i++) {
    const h = i * FIELDS;
    const kind = head[h + F_KIND]!;
    const line = head[h + F_LINE]!;
    const t = h + F_TEXTS;
    const text = next(head[t]!);
    // A passed record's or a problem's other texts are empty.
    if (kind === KIND_PASSED) {
      yield { kind, line, text };
    } else if (kind === KIND_PROBLEM) {
      yield { kind, line, problem: payload.problems[head[h + F_ENDPOINT]!]! };
    } else {
      const flags = head[h + F_FLAGS]!;
      const url = next(head[t + 1]!);
      const headerText = next(head[t + 2]!);
      const body = next(head[t + 3]!);
      const key = next(head[t + 4]!);
      const group = next(head[t + 5]!);
      const headers: Record<string, string> = {};
      for (let from = 0; from < headerText.length; ) {
        const nameEnd = headerText.indexOf('\n', from);
        const valueEnd = headerText.indexOf('\n', nameEnd + 1);
        headers[headerText.slice(from, nameEnd)] = headerText.slice(nameEnd + 1, valueEnd);
        from = valueEnd + 1;
      }
      const wire: WireRequest = (flags & HAS_BODY) !== 0 ? { method: 'POST', url, headers, body } : { method: 'POST', url, headers };
      yield { kind: KIND_BUILT, line, endpoint: head[h + F_ENDPOINT]!, records: head[h + F_RECORDS]!, text, wire, duplicateKey: (flags & HAS_KEY) !== 0 ? key : undefined, group };
    }
  }
}
