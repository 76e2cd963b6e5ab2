/**
 * Misbehaving on purpose, reproducibly. Every kind of fault draws from its own seeded
 * stream, so turning on --latency does not change which requests get a 503, and the same
 * seed with the same request order fails the same requests.
 */
import { Prng } from '../prng.js';
import { checkRate } from '../rate.js';

/** What can go wrong before an endpoint even looks at the request. */
export type TransportFault =
  | { readonly kind: 'fail' }
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number };

export interface FaultOptions {
  /** Share of endpoint requests answered 503 before validation (0..1). */
  readonly failRate?: number;
  /** Share of endpoint requests answered 429 with Retry-After (0..1). */
  readonly throttleRate?: number;
  /** Retry-After seconds on a 429. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Delay before every endpoint answer: fixed ms, or uniform in [min, max]. */
  readonly latencyMs?: number | readonly [number, number];
  /** Share of valid SUD reports answered ret_code 5000 (0..1). */
  readonly sudErrorRate?: number;
  /** The first delivery of each SUD duplicate key is answered ret_code 5000. */
  readonly sudFailFirst?: boolean;
  /**
   * Share of endpoint requests processed as usual (judged, counted, their records kept) and
   * then answered by closing the connection: the answer is lost after the server acted,
   * what a client must treat as uncertain (0..1).
   */
  readonly dropAfterRate?: number;
  /** PRNG seed; a random one when absent (see `FaultInjector.seed`). */
  readonly seed?: number;
}

/** Distinct streams per fault kind, derived from one seed (odd constants keep them apart). */
const STREAM_FAIL = 0;
const STREAM_THROTTLE = 0x9e3779b9;
const STREAM_LATENCY = 0x85ebca6b;
const STREAM_SUD = 0xc2b2ae35;
const STREAM_DROP = 0x27d4eb2f;

export class FaultInjector {
  readonly seed: number;
  readonly #failRate: number;
  readonly #throttleRate: number;
  readonly #retryAfterSeconds: number;
  readonly #latency: readonly [number, number] | undefined;
  readonly #sudErrorRate: number;
  readonly #dropAfterRate: number;
  readonly #failRng: Prng;
  readonly #throttleRng: Prng;
  readonly #latencyRng: Prng;
  readonly #sudRng: Prng;
  readonly #dropRng: Prng;

  constructor(options: FaultOptions) {
    this.seed = options.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : options.seed >>> 0;
    this.#failRate = checkRate('failRate', options.failRate ?? 0, 'share');
    this.#throttleRate = checkRate('throttleRate', options.throttleRate ?? 0, 'share');
    this.#sudErrorRate = checkRate('sudErrorRate', options.sudErrorRate ?? 0, 'share');
    this.#dropAfterRate = checkRate('dropAfterRate', options.dropAfterRate ?? 0, 'share');
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 1;
    if (!Number.isInteger(this.#retryAfterSeconds) || this.#retryAfterSeconds < 0) {
      throw new RangeError(`retryAfterSeconds must be a whole number of seconds ≥ 0, not ${options.retryAfterSeconds}`);
    }
    this.#latency = checkLatency(options.latencyMs);
    this.#failRng = new Prng(this.seed ^ STREAM_FAIL);
    this.#throttleRng = new Prng(this.seed ^ STREAM_THROTTLE);
    this.#latencyRng = new Prng(this.seed ^ STREAM_LATENCY);
    this.#sudRng = new Prng(this.seed ^ STREAM_SUD);
    this.#dropRng = new Prng(this.seed ^ STREAM_DROP);
  }

  /** True when any fault or delay is configured (the CLI then prints the seed). */
  get active(): boolean {
    return this.#failRate > 0 || this.#throttleRate > 0 || this.#sudErrorRate > 0 || this.#dropAfterRate > 0 || this.#latency !== undefined;
  }

  /** A transport fault for the next endpoint request, or undefined. One draw per enabled kind. */
  nextTransportFault(): TransportFault | undefined {
    if (this.#failRate > 0 && this.#failRng.next() < this.#failRate) return { kind: 'fail' };
    if (this.#throttleRate > 0 && this.#throttleRng.next() < this.#throttleRate) {
      return { kind: 'throttle', retryAfterSeconds: this.#retryAfterSeconds };
    }
    return undefined;
  }

  /** Should this valid SUD report get an injected ret_code 5000? */
  nextSudError(): boolean {
    return this.#sudErrorRate > 0 && this.#sudRng.next() < this.#sudErrorRate;
  }

  /** Should this processed endpoint request lose its answer (the connection closed instead)? */
  nextDropAfter(): boolean {
    return this.#dropAfterRate > 0 && this.#dropRng.next() < this.#dropAfterRate;
  }

  /** Delay before answering, in ms (0 when no latency is configured). */
  nextDelayMs(): number {
    const latency = this.#latency;
    if (!latency) return 0;
    const [min, max] = latency;
    return min === max ? min : min + this.#latencyRng.next() * (max - min);
  }
}

function checkLatency(latency: number | readonly [number, number] | undefined): readonly [number, number] | undefined {
  if (latency === undefined) return undefined;
  const [min, max] = typeof latency === 'number' ? [latency, latency] : latency;
  if (!(min >= 0 && max >= min && Number.isFinite(max))) {
    throw new RangeError(`latencyMs must be ms ≥ 0, or [min, max] with min ≤ max, not ${String(latency)}`);
  }
  return max === 0 ? undefined : [min, max];
}

/**
 * Parse a --latency value: `50` (fixed ms) or `10-100` (uniform range). Undefined when it
 * is not one of those forms.
 */
export function parseLatency(text: string): number | [number, number] | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(text);
  if (!match) return undefined;
  const min = Number(match[1]);
  if (match[2] === undefined) return min;
  const max = Number(match[2]);
  return max >= min ? [min, max] : undefined;
}
