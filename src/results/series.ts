/**
 * The HTML report's time series (README "Results"): result lines added up per time bucket —
 * one second, widened (doubled) whenever the run spans more than MAX_BUCKETS of them, so a
 * run of ten million attempts or of ten hours is a thousand points per line, never one per
 * attempt, and memory stays flat. Buckets go by send time; the target rate by due time.
 */
import { addBins, binOf, binPercentile, newBins } from './log-histogram.js';
import type { ResultLine } from './line.js';

export const MAX_BUCKETS = 1000;

export interface Bucket {
  /** Per endpoint: first attempts sent, and first attempts due, in this bucket. */
  readonly sent: Map<string, number>;
  readonly due: Map<string, number>;
  attempts: number;
  retries: number;
  late: number;
  /** Failed attempts by cause. */
  readonly failures: Map<string, number>;
  /** Answered attempts (an aborted one has no latency). */
  answered: number;
  readonly latency: Uint32Array;
  readonly latencyFromDue: Uint32Array;
}

function newBucket(): Bucket {
  return { sent: new Map(), due: new Map(), attempts: 0, retries: 0, late: 0, failures: new Map(), answered: 0, latency: newBins(), latencyFromDue: newBins() };
}

function addTo(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function mergeBucket(into: Bucket, from: Bucket): void {
  for (const [k, n] of from.sent) addTo(into.sent, k, n);
  for (const [k, n] of from.due) addTo(into.due, k, n);
  for (const [k, n] of from.failures) addTo(into.failures, k, n);
  into.attempts += from.attempts;
  into.retries += from.retries;
  into.late += from.late;
  into.answered += from.answered;
  addBins(into.latency, from.latency);
  addBins(into.latencyFromDue, from.latencyFromDue);
}

export interface Point {
  /** Start of the bucket, seconds since the run's first bucket. */
  readonly t: number;
  readonly value: number;
}

export class TimeSeries {
  /** Bucket width in seconds. */
  #width = 1;
  readonly #buckets = new Map<number, Bucket>();
  #min = Infinity;
  #max = -Infinity;
  readonly endpoints = new Set<string>();
  readonly causes = new Set<string>();
  /** Every answered attempt's latency, for the histogram. */
  readonly latency = newBins();
  answered = 0;
  lines = 0;
  /** Some first attempt went at another time than it was due: the run was paced. */
  paced = false;
  firstMs = Infinity;

  get widthSeconds(): number {
    return this.#width;
  }

  readonly add = (line: ResultLine): void => {
    this.lines++;
    const sent = this.#bucket(line.sentMs);
    sent.attempts++;
    if (line.attempt === 0) {
      this.endpoints.add(line.endpoint);
      addTo(sent.sent, line.endpoint, 1);
      addTo(this.#bucket(line.dueMs).due, line.endpoint, 1);
      if (line.dueMs !== line.sentMs) this.paced = true;
      if (line.late) sent.late++;
    } else sent.retries++;
    if (line.cause !== undefined) {
      this.causes.add(line.cause);
      addTo(sent.failures, line.cause, 1);
    }
    if (line.cause !== 'aborted') {
      sent.answered++;
      this.answered++;
      const bin = binOf(line.latencyMs);
      sent.latency[bin]!++;
      this.latency[bin]!++;
      sent.latencyFromDue[binOf(line.latencyFromDueMs)]!++;
    }
  };

  #bucket(ms: number): Bucket {
    if (ms < this.firstMs) this.firstMs = ms;
    const key = Math.floor(ms / 1000 / this.#width);
    let bucket = this.#buckets.get(key);
    if (bucket) return bucket;
    if (Math.max(this.#max, key) - Math.min(this.#min, key) + 1 > MAX_BUCKETS) {
      this.#widen();
      return this.#bucket(ms);
    }
    bucket = newBucket();
    this.#buckets.set(key, bucket);
    if (key < this.#min) this.#min = key;
    if (key > this.#max) this.#max = key;
    return bucket;
  }

  /** Twice as wide: bucket k of the old width is bucket ⌊k/2⌋ of the new. */
  #widen(): void {
    const old = [...this.#buckets];
    this.#buckets.clear();
    this.#width *= 2;
    this.#min = Infinity;
    this.#max = -Infinity;
    for (const [key, bucket] of old) {
      const k = Math.floor(key / 2);
      const into = this.#buckets.get(k);
      if (into) mergeBucket(into, bucket);
      else this.#buckets.set(k, bucket);
      if (k < this.#min) this.#min = k;
      if (k > this.#max) this.#max = k;
    }
  }

  /** Every bucket from the first to the last, empty ones included, with its start in seconds from the first. */
  buckets(): { t: number; bucket: Bucket }[] {
    const out: { t: number; bucket: Bucket }[] = [];
    if (this.#buckets.size === 0) return out;
    for (let k = this.#min; k <= this.#max; k++) out.push({ t: (k - this.#min) * this.#width, bucket: this.#buckets.get(k) ?? newBucket() });
    return out;
  }

  /** Epoch ms of the first bucket's start. */
  get startMs(): number {
    return this.#buckets.size === 0 ? 0 : this.#min * this.#width * 1000;
  }

  /** A per-bucket figure as a rate per second. */
  perSecond(pick: (bucket: Bucket) => number): Point[] {
    return this.buckets().map(({ t, bucket }) => ({ t, value: pick(bucket) / this.#width }));
  }

  /** A latency percentile per bucket (buckets without answers have no point). */
  percentile(which: 'latency' | 'latencyFromDue', percentile: number): Point[] {
    const out: Point[] = [];
    for (const { t, bucket } of this.buckets()) {
      const value = binPercentile(bucket[which], bucket.answered, percentile);
      if (value !== undefined) out.push({ t, value });
    }
    return out;
  }
}
