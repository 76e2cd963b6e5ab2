/**
 * One line of a results file (`replay --results FILE`, README "Results"): one HTTP attempt,
 * as NDJSON. The fields are a contract (added to, never renamed). Times are epoch ms as
 * measured; latencies in ms, rounded to µs. `settled` is on the line of the attempt that ended its
 * request (delivered, failed for good, or aborted by the run's stop); an attempt followed
 * by a retry has none.
 */
import type { Attempt, Settlement } from '../replay/delivery/attempt.js';
import type { ValidRecord } from '../records.js';
import { maskSecrets } from '../redact.js';

export interface ResultLine {
  endpoint: string;
  /** The request's number in the run (0-based); its retries share it. */
  seq: number;
  /** 0 for the first attempt, 1 for the first retry, … */
  attempt: number;
  dueMs: number;
  sentMs: number;
  endMs: number;
  /** From the send to the answer. */
  latencyMs: number;
  /** From the due time to the answer (open model: includes the time held back). */
  latencyFromDueMs: number;
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** Why the attempt did not deliver (`http 503`, `timeout`, …); absent when it did. */
  cause?: string;
  /** A failed attempt's answer: one line, secrets masked. */
  excerpt?: string;
  late?: true;
  uncertain?: true;
  bytes: number;
  /** Records the request carried, counted the report's way (a stat envelope: one per event). */
  records: number;
  /** `file:line` of every record the request carried; consecutive lines of a file as `file:first-last`. */
  keys: string[];
  /** How the request ended, on its last attempt's line. */
  settled?: 'delivered' | 'failed' | 'unsent';
  /** A failed request's cause as the report counts it (`uncertain` when an attempt's answer was lost). */
  failedAs?: string;
  /** Delivered after an attempt whose answer was lost: the server may hold its records twice. */
  possiblyDuplicated?: true;
}

const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Calls `run` for each run of consecutive lines of one file among `records`, in order:
 * `a.ndjson:3`, `a.ndjson:4`, `a.ndjson:5` is one run, (a.ndjson, 3, 5). No array or closure
 * per record: it is on the path of every result line.
 */
function forEachLineRun(records: readonly ValidRecord[], run: (file: string, first: number, last: number) => void): void {
  let file: string | undefined;
  let first = 0;
  let last = 0;
  for (const { origin } of records) {
    if (origin.file === file && origin.line === last + 1) {
      last = origin.line;
      continue;
    }
    if (file !== undefined) run(file, first, last);
    file = origin.file;
    first = last = origin.line;
  }
  if (file !== undefined) run(file, first, last);
}

/** `a.ndjson:3`, `a.ndjson:4`, `a.ndjson:5` → `a.ndjson:3-5`: every record named, compactly. */
function recordKeys(records: readonly ValidRecord[]): string[] {
  const keys: string[] = [];
  forEachLineRun(records, (file, first, last) => keys.push(first === last ? `${file}:${first}` : `${file}:${first}-${last}`));
  return keys;
}

export function resultLine(attempt: Attempt, settlement: Settlement | undefined): ResultLine {
  const line: ResultLine = {
    endpoint: attempt.endpoint,
    seq: attempt.seq,
    attempt: attempt.attempt,
    // Times as measured (not rounded): read back, they give the run's own figures exactly.
    dueMs: attempt.dueMs,
    sentMs: attempt.sentMs,
    endMs: attempt.endMs,
    latencyMs: us(attempt.endMs - attempt.sentMs),
    latencyFromDueMs: us(attempt.endMs - attempt.dueMs),
    status: attempt.status,
    bytes: attempt.bytes,
    records: attempt.recordCount,
    keys: recordKeys(attempt.records),
  };
  if (attempt.cause !== undefined) line.cause = attempt.cause;
  if (attempt.excerpt !== undefined) line.excerpt = attempt.excerpt;
  if (attempt.late) line.late = true;
  if (attempt.uncertain) line.uncertain = true;
  if (settlement) {
    line.settled = settlement.kind;
    if (settlement.kind === 'failed') line.failedAs = settlement.cause;
    if (settlement.kind === 'delivered' && settlement.possiblyDuplicated) line.possiblyDuplicated = true;
  }
  return line;
}

/** Distinct strings kept quoted at the most (endpoints, file names and causes are few; excerpts are not kept). */
const MAX_QUOTED = 4096;

/**
 * A result line's NDJSON text, written field by field: exactly `JSON.stringify(resultLine(…))`
 * (a test holds the two equal), at a third of its cost, because `--results` writes one per
 * attempt flat out (docs/BENCHMARKS.md, "--results"). String fields have registered secrets
 * masked here — numbers are never touched, so a numeric secret cannot corrupt a time. Make one
 * per run, once its secrets are registered: it keeps the few distinct strings quoted.
 */
export class ResultText {
  readonly #quoted = new Map<string, string>();
  readonly #fileOpen = new Map<string, string>();

  text(attempt: Attempt, settlement: Settlement | undefined): string {
    const { dueMs, sentMs, endMs } = attempt;
    const sent = `${sentMs}`;
    // Unpaced first attempts were due when sent: one number to print, not two.
    const due = dueMs === sentMs ? sent : `${dueMs}`;
    let text = `{"endpoint":${this.#quote(attempt.endpoint)},"seq":${attempt.seq},"attempt":${attempt.attempt},"dueMs":${due},"sentMs":${sent},"endMs":${endMs},"latencyMs":${us(endMs - sentMs)},"latencyFromDueMs":${us(endMs - dueMs)},"status":${attempt.status},"bytes":${attempt.bytes},"records":${attempt.recordCount},"keys":[${this.#keys(attempt.records)}]`;
    if (attempt.cause !== undefined) text += `,"cause":${this.#quote(attempt.cause)}`;
    if (attempt.excerpt !== undefined) text += `,"excerpt":${JSON.stringify(maskSecrets(attempt.excerpt))}`;
    if (attempt.late) text += ',"late":true';
    if (attempt.uncertain) text += ',"uncertain":true';
    if (settlement) {
      text += `,"settled":"${settlement.kind}"`;
      if (settlement.kind === 'failed') text += `,"failedAs":${this.#quote(settlement.cause)}`;
      if (settlement.kind === 'delivered' && settlement.possiblyDuplicated) text += ',"possiblyDuplicated":true';
    }
    return text + '}';
  }

  /** `recordKeys` as JSON array items. */
  #keys(records: readonly ValidRecord[]): string {
    let text = '';
    forEachLineRun(records, (file, first, last) => (text += (text === '' ? '' : ',') + this.#key(file, first, last)));
    return text;
  }

  #key(file: string, first: number, last: number): string {
    // The file's quoted form without its closing quote, then the lines.
    let open = this.#fileOpen.get(file);
    if (open === undefined) {
      open = this.#quote(file).slice(0, -1);
      if (this.#fileOpen.size < MAX_QUOTED) this.#fileOpen.set(file, open);
    }
    return first === last ? `${open}:${first}"` : `${open}:${first}-${last}"`;
  }

  #quote(value: string): string {
    let quoted = this.#quoted.get(value);
    if (quoted === undefined) {
      quoted = JSON.stringify(maskSecrets(value));
      if (this.#quoted.size < MAX_QUOTED) this.#quoted.set(value, quoted);
    }
    return quoted;
  }
}
