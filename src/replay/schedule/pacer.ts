/**
 * When each request is due (vegeta's Pacer). A pacer is a pure function of elapsed time and
 * requests sent: it holds no clock, so it is tested without one. Due times are computed from
 * the start of the run (request i is due at start + f(i)), never by adding intervals, so the
 * schedule cannot drift however long the run is.
 */
import { UsageError } from '../../errors.js';
import type { Ramp } from '../options.js';

export interface Pacer {
  /** Given time since start and requests already sent, how long until the next is due; stop when the pacer is done (duration over). */
  pace(elapsedMs: number, sent: number): { waitMs: number; stop: boolean };
  /** Due time (ms from start) of request i (0-based); Infinity when it is never due (after the duration). */
  dueMs(i: number): number;
  /** Target rate at this moment (req/s), for reports; undefined for unlimited. */
  rateAt(elapsedMs: number): number | undefined;
}

const STOP = { waitMs: 0, stop: true } as const;

/** Shared by every pacer: stop at the end of the run or when nothing more is ever due. */
function paceByDue(pacer: Pacer, runDurationMs: number | undefined, elapsedMs: number, sent: number) {
  if (runDurationMs !== undefined && elapsedMs >= runDurationMs) return STOP;
  const due = pacer.dueMs(sent);
  if (due === Infinity) return STOP;
  return { waitMs: Math.max(0, due - elapsedMs), stop: false };
}

function checkRate(name: string, rate: number, allowZero: boolean): void {
  if (!Number.isFinite(rate) || rate < 0 || (!allowZero && rate === 0)) {
    throw new UsageError(`the ${name} must be a number ${allowZero ? 'of at least 0' : 'more than 0'} requests per second, not ${rate}`);
  }
}

function checkDuration(name: string, ms: number | undefined): void {
  if (ms !== undefined && !(Number.isFinite(ms) && ms > 0)) {
    throw new UsageError(`the ${name} must be more than 0 ms, not ${ms}`);
  }
}

/** A steady rate: request i is due at i/rate seconds. */
export class ConstantPacer implements Pacer {
  readonly #intervalMs: number;
  readonly #rate: number;
  readonly #durationMs: number | undefined;

  /** @param durationMs the run's length (--duration): nothing is due at or after it. */
  constructor(rate: number, durationMs?: number) {
    checkRate('rate', rate, false);
    checkDuration('duration', durationMs);
    this.#rate = rate;
    this.#intervalMs = 1000 / rate;
    this.#durationMs = durationMs;
  }

  dueMs(i: number): number {
    const due = i * this.#intervalMs;
    return this.#durationMs !== undefined && due >= this.#durationMs ? Infinity : due;
  }

  pace(elapsedMs: number, sent: number): { waitMs: number; stop: boolean } {
    return paceByDue(this, this.#durationMs, elapsedMs, sent);
  }

  rateAt(_elapsedMs: number): number {
    return this.#rate;
  }
}

/**
 * A linear ramp (--ramp FROM:TO:DURATION): the rate moves from `from` to `to` over the ramp,
 * then holds `to`. Requests sent by time t are the integral of the rate,
 * N(t) = from·t + (to−from)·t²/(2D); request i is due where N(t) = i, solved exactly.
 */
export class LinearPacer implements Pacer {
  readonly #from: number;
  readonly #to: number;
  readonly #rampS: number;
  readonly #rampMs: number;
  /** Half the rate's slope, in req/s²: the quadratic's leading coefficient. */
  readonly #a: number;
  /** Requests due within the ramp: N(D). */
  readonly #rampRequests: number;
  readonly #runDurationMs: number | undefined;

  /**
   * @param durationMs the ramp's length.
   * @param runDurationMs the run's length (--duration), if any: nothing is due at or after it.
   */
  constructor(from: number, to: number, durationMs: number, runDurationMs?: number) {
    checkRate('ramp start rate', from, true);
    checkRate('ramp end rate', to, true);
    if (from === 0 && to === 0) throw new UsageError('a ramp from 0 to 0 requests per second never sends anything');
    checkDuration('ramp duration', durationMs);
    checkDuration('duration', runDurationMs);
    this.#from = from;
    this.#to = to;
    this.#rampMs = durationMs;
    this.#rampS = durationMs / 1000;
    this.#a = (to - from) / (2 * this.#rampS);
    this.#rampRequests = ((from + to) / 2) * this.#rampS;
    this.#runDurationMs = runDurationMs;
  }

  dueMs(i: number): number {
    const due = this.#dueWithoutStop(i);
    return this.#runDurationMs !== undefined && due >= this.#runDurationMs ? Infinity : due;
  }

  #dueWithoutStop(i: number): number {
    if (i < this.#rampRequests) {
      // Root of a·t² + from·t − i = 0 in the form 2i / (b + √(b² + 4ai)): no cancellation when
      // a is tiny, and valid for ramps down (a < 0) because i < N(D) keeps the root in the ramp.
      const b = this.#from;
      const root = Math.sqrt(Math.max(0, b * b + 4 * this.#a * i));
      const seconds = i === 0 ? 0 : (2 * i) / (b + root);
      return Math.min(seconds * 1000, this.#rampMs);
    }
    // A ramp down to 0 ends like a duration: nothing is due at or after its end.
    if (this.#to === 0) return Infinity;
    return this.#rampMs + ((i - this.#rampRequests) / this.#to) * 1000;
  }

  pace(elapsedMs: number, sent: number): { waitMs: number; stop: boolean } {
    return paceByDue(this, this.#runDurationMs, elapsedMs, sent);
  }

  rateAt(elapsedMs: number): number {
    if (elapsedMs >= this.#rampMs) return this.#to;
    return this.#from + ((this.#to - this.#from) * Math.max(0, elapsedMs)) / this.#rampMs;
  }
}

/** No rate: every request is due at once; the concurrency bound alone limits the pace. */
export class UnlimitedPacer implements Pacer {
  readonly #durationMs: number | undefined;

  /** @param durationMs the run's length (--duration), if any. */
  constructor(durationMs?: number) {
    checkDuration('duration', durationMs);
    this.#durationMs = durationMs;
  }

  dueMs(_i: number): number {
    return 0;
  }

  pace(elapsedMs: number, _sent: number): { waitMs: number; stop: boolean } {
    if (this.#durationMs !== undefined && elapsedMs >= this.#durationMs) return STOP;
    return { waitMs: 0, stop: false };
  }

  rateAt(_elapsedMs: number): undefined {
    return undefined;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;
const PLAIN_SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * '10s' | '2m' | '500ms' | '1h' | '1m30s' | a plain number of seconds → milliseconds.
 * Zero is accepted (`--retry-delay 0`); callers that need more than zero check it.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (PLAIN_SECONDS.test(trimmed)) return Number(trimmed) * 1000;
  let ms = 0;
  let at = 0;
  DURATION_PART.lastIndex = 0;
  while (at < trimmed.length) {
    DURATION_PART.lastIndex = at;
    const part = DURATION_PART.exec(trimmed);
    if (!part) break;
    ms += Number(part[1]) * UNIT_MS[part[2]!]!;
    at = DURATION_PART.lastIndex;
  }
  if (trimmed === '' || at !== trimmed.length) {
    throw new UsageError(
      `"${text}" is not a duration: use a number of seconds, or numbers with units such as 500ms, 30s, 2m, 1h or 1m30s`,
    );
  }
  return ms;
}

function parseRampRate(text: string, which: string, whole: string): number {
  const rate = PLAIN_SECONDS.test(text.trim()) ? Number(text.trim()) : NaN;
  if (Number.isNaN(rate)) {
    throw new UsageError(`--ramp "${whole}": the ${which} rate "${text}" is not a number of requests per second`);
  }
  return rate;
}

/** --ramp FROM:TO:DURATION, e.g. `0:200:30s` (rates in requests per second). */
export function parseRamp(text: string): Ramp {
  const parts = text.split(':');
  if (parts.length !== 3) {
    throw new UsageError(`--ramp "${text}" must be FROM:TO:DURATION, for example 0:200:30s`);
  }
  const from = parseRampRate(parts[0]!, 'start', text);
  const to = parseRampRate(parts[1]!, 'end', text);
  if (from === 0 && to === 0) throw new UsageError(`--ramp "${text}" goes from 0 to 0 requests per second and would send nothing`);
  let durationMs: number;
  try {
    durationMs = parseDuration(parts[2]!);
  } catch {
    throw new UsageError(`--ramp "${text}": "${parts[2]}" is not a duration (use 500ms, 30s, 2m, 1h)`);
  }
  if (durationMs <= 0) throw new UsageError(`--ramp "${text}": the ramp must last more than 0 s`);
  return { from, to, durationMs };
}
