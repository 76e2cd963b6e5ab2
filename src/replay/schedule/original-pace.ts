/**
 * `--pace original --speed X` (README § replay): each request is due when its first record
 * happened, relative to the run's first record, X times faster. The time is the
 * endpoint's own (stat `ts`, SUD battle times, download `begintime`), else the record's
 * `_time` metadata.
 */
import assert from 'node:assert/strict';
import type { Endpoint, PendingRequest } from '../../apis/api.js';
import { JsonNumberText } from '../../json/exact.js';
import type { ValidRecord } from '../../records.js';

/** Epoch values above this are milliseconds (10^11 s is the year 5138; 10^11 ms is 1973). */
const MS_EPOCH_ABOVE = 1e11;

/** `_time` as epoch ms: epoch seconds or ms (a number or digits), or a date text `Date.parse` reads (ISO 8601). */
export function parseRecordTime(value: unknown): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint' || value instanceof JsonNumberText) n = Number(String(value));
  else if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return undefined;
    if (/^-?\d+(\.\d+)?$/.test(text)) n = Number(text);
    else {
      const ms = Date.parse(text);
      return Number.isNaN(ms) ? undefined : ms;
    }
  }
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.abs(n) > MS_EPOCH_ABOVE ? n : n * 1000;
}

/**
 * The record's original time in epoch ms: its endpoint's own, else `_time`; undefined when it
 * has neither. A captured request's `_time` (when it arrived, to the ms) comes first: its
 * endpoint's own times are seconds at best, and the session's timing is what is replayed.
 */
export function recordTimeMs(endpoint: Endpoint, record: ValidRecord): number | undefined {
  if (record.meta._capture !== undefined) {
    const arrived = parseRecordTime(record.meta._time);
    if (arrived !== undefined) return arrived;
  }
  return endpoint.timeOf(record.value) ?? parseRecordTime(record.meta._time);
}

export class OriginalPace {
  readonly #speed: number;
  #firstMs: number | undefined;
  #lastDueMs = 0;

  constructor(speed: number) {
    // --speed is checked by the options schema (commands/replay-options.ts); this is an invariant.
    assert.ok(speed > 0 && Number.isFinite(speed), `internal: a speed must be a finite number more than 0, not ${speed}`);
    this.#speed = speed;
  }

  /**
   * Due time (ms from the start) of a request: its first record's time minus the run's
   * first time, divided by the speed. A record earlier than the first (an out-of-order
   * log) is due at once; a request with no time keeps its place: due with the one before.
   */
  dueMs(request: PendingRequest, endpoint: Endpoint): number {
    const first = request.records[0];
    const time = first === undefined ? undefined : recordTimeMs(endpoint, first);
    if (time === undefined) return this.#lastDueMs;
    this.#firstMs ??= time;
    const due = Math.max(0, (time - this.#firstMs) / this.#speed);
    this.#lastDueMs = due;
    return due;
  }
}
