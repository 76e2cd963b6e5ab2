/**
 * When each request is due (vegeta's Pacer). A pacer is a pure function of the request's
 * index: it holds no clock, so it is tested without one. Due times are computed from the
 * start of the run (request i is due at start + f(i)), never by adding intervals, so the
 * schedule cannot drift however long the run is. The run's --duration is applied by the
 * request flow (requests.ts), not here.
 */
import { checkRate } from '../../rate.js';

export interface Pacer {
  /** Due time (ms from start) of request i (0-based); Infinity when it is never due (a ramp down to 0 is over). */
  dueMs(i: number): number;
}

/** A steady rate: request i is due at i/rate seconds. */
export class ConstantPacer implements Pacer {
  readonly #intervalMs: number;

  constructor(rate: number) {
    // The flags were checked (commands/replay-options.ts); this guards code that builds a pacer itself.
    checkRate('the rate', rate, 'per second');
    this.#intervalMs = 1000 / rate;
  }

  dueMs(i: number): number {
    return i * this.#intervalMs;
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
  readonly #rampMs: number;
  /** Half the rate's slope, in req/s²: the quadratic's leading coefficient. */
  readonly #a: number;
  /** Requests due within the ramp: N(D). */
  readonly #rampRequests: number;

  /** @param durationMs the ramp's length. */
  constructor(from: number, to: number, durationMs: number) {
    checkRate('the ramp start rate', from, 'per second or 0');
    checkRate('the ramp end rate', to, 'per second or 0');
    if (from === 0 && to === 0) throw new RangeError('a ramp from 0 to 0 requests per second never sends anything');
    if (!(Number.isFinite(durationMs) && durationMs > 0)) throw new RangeError(`the ramp duration must be more than 0 ms, not ${durationMs}`);
    const rampS = durationMs / 1000;
    this.#from = from;
    this.#to = to;
    this.#rampMs = durationMs;
    this.#a = (to - from) / (2 * rampS);
    this.#rampRequests = ((from + to) / 2) * rampS;
  }

  dueMs(i: number): number {
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
}
