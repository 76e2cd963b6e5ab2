/**
 * One line of a results file (`replay --results FILE`, README "Results"): one HTTP attempt,
 * as NDJSON. The fields are a contract (added to, never renamed). Times are epoch ms as
 * measured; latencies in ms, rounded to µs. `settled` is on the line of the attempt that ended its
 * request (delivered, failed for good, or aborted by the run's stop); an attempt followed
 * by a retry has none.
 */
import type { Attempt, Settlement } from '../replay/delivery/attempt.js';
import type { ValidRecord } from '../records.js';

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

/** `a.ndjson:3`, `a.ndjson:4`, `a.ndjson:5` → `a.ndjson:3-5`: every record named, compactly. */
function recordKeys(records: readonly ValidRecord[]): string[] {
  const keys: string[] = [];
  let file: string | undefined;
  let first = 0;
  let last = 0;
  const flush = (): void => {
    if (file !== undefined) keys.push(first === last ? `${file}:${first}` : `${file}:${first}-${last}`);
  };
  for (const { origin } of records) {
    if (origin.file === file && origin.line === last + 1) {
      last = origin.line;
      continue;
    }
    flush();
    file = origin.file;
    first = last = origin.line;
  }
  flush();
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
