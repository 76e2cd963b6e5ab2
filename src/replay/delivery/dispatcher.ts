/**
 * Sends requests at their due times (open model), at most `concurrency` at once, and
 * retries what may be retried. Due times come from the pacer and never move: a request the
 * concurrency bound holds back past its due time goes as soon as a slot frees, is counted
 * late, and its latency is also measured from the due time, so a slow server shows as
 * latency instead of hiding in a lower rate (wrk2's coordinated omission, k6's dropped
 * iterations). A retry waits on its own timer without holding a slot.
 *
 * It counts nothing itself: every attempt, once ended, is an `Attempt` for `onAttempt`;
 * every request, once ended, a `Settlement` for `onSettled`, which hears exactly once about
 * every request submitted.
 *
 * A request written whose answer was lost is uncertain (the server may have processed it):
 * the endpoint's `--uncertain` policy decides whether it is sent again (`resend`: its
 * records count as possibly duplicated once delivered) or fails with cause `uncertain`.
 */
import { setMaxListeners } from 'node:events';
import { recordsInAll, type Endpoint, type Outcome, type PendingRequest, type UncertainPolicy } from '../../apis/api.js';
import type { WireRequest } from '../../apis/encode.js';
import { ABORTED_CAUSE, DELIVERED, DELIVERED_POSSIBLY_TWICE, UNCERTAIN_CAUSE, UNSENT, type Attempt, type Settlement } from './attempt.js';
import { DueQueue } from './due-queue.js';
import { retryDelay, type Backoff } from './retry.js';
import type { SendOptions, Transport, TransportResult } from '../transport/contract.js';
import type { RunState } from '../signals.js';

/** One request on its way: its first attempt's due time, then each retry's. */
export interface Delivery {
  readonly request: PendingRequest;
  readonly wire: WireRequest;
  readonly endpoint: Endpoint;
  /** Records the request carries, counted the report's way. */
  readonly recordCount: number;
  /** When the next attempt is due, on the dispatcher's clock (ms). */
  dueAt: number;
  /** The request's number in the run: submission order. */
  readonly order: number;
  /** Attempts started so far. */
  attempts: number;
  transportRetries: number;
  apiRetries: number;
  /** What happened to the first attempt whose answer was lost after it was written; undefined while none was. */
  uncertain: string | undefined;
}

export interface DispatcherOptions {
  /**
   * The run's state, which the dispatcher follows and keeps no stop flags beside: once it no
   * longer sends what is queued (`sendsQueued`), queued requests end unsent and no first
   * attempt starts; once it aborts, in-flight requests are aborted and waiting retries end
   * unsent. In-flight requests and retries otherwise go on.
   */
  readonly run: RunState;
  readonly transport: Transport;
  readonly concurrency: number;
  readonly timeoutMs: number;
  /** Paced runs measure lateness; unpaced ones send each request when a slot frees. */
  readonly paced: boolean;
  /** The backoff for an endpoint's `transport` (network, 429, 5xx) or `api` failures. */
  readonly policy: (endpoint: Endpoint, kind: 'transport' | 'api') => Backoff;
  /** The endpoint's `--uncertain` policy: whether a written request whose answer was lost is sent again. */
  readonly uncertain: (endpoint: Endpoint) => UncertainPolicy;
  /** A failed attempt's answer, or the transport's words, as one short secret-free line (see excerpt.ts). */
  readonly excerpt: (text: string) => string | undefined;
  /**
   * With a checkpoint: journals these requests' records as in flight, in one synchronous
   * write, before any of them is handed to the transport (intent.ts); false when that cannot
   * be written, and then none of them goes (they end unsent). The first attempts started in
   * one turn of the event loop are held until its end and journaled together.
   */
  readonly journal?: (deliveries: readonly Delivery[]) => boolean;
  /** Told of every attempt once it has ended. */
  readonly onAttempt: (attempt: Attempt) => void;
  /** Told once per request. A returned promise is waited for before the dispatcher is idle. */
  readonly onSettled: (delivery: Delivery, settlement: Settlement) => void | Promise<void>;
  readonly random?: () => number;
  /** Monotonic clock in ms (performance.now), injectable for tests. */
  readonly now?: () => number;
}

/**
 * A first attempt that goes this long after its due time is late even when no slot was
 * missing: the client itself fell behind (a busy event loop). Timer jitter alone stays
 * well under it (docs/BENCHMARKS.md § Measured before building: setTimeout lateness p99 5 ms at 2000 req/s).
 */
const CLIENT_LAG_MS = 10;
/** Timers fire on a whole-millisecond clock; a request due within this is sent now rather than re-timed. */
const EARLY_MS = 0.5;
/** Epoch ms of the dispatcher clock's zero (performance.now), for the times of attempts. */
const EPOCH_OF_ZERO = performance.timeOrigin;
/** A first attempt whose records the journal could not take: it does not go, and ends unsent. */
const NOT_JOURNALED: TransportResult = { ok: false, error: 'aborted', message: 'not sent: the checkpoint cannot be written', uncertain: false };

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #queue = new DueQueue<Delivery>();
  /** Retries whose delay is over, waiting only for a slot; served before first attempts. */
  #retryReady: Delivery[] = [];
  readonly #waiting = new Map<NodeJS.Timeout, Delivery>();
  readonly #abort = new AbortController();
  /** The same for every attempt: built once rather than per request. */
  readonly #sendOptions: SendOptions;
  #inFlight = 0;
  #settling = 0;
  #order = 0;
  #sent = 0;
  readonly #run: RunState;
  /**
   * Since when every slot has been busy without a break (undefined while one is free). A
   * request due inside such a stretch was held back by the bound: it is late.
   */
  #fullSince: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #roomWaiter: { limit: number; retryLimit: number; resolve: () => void } | undefined;
  #idleWaiters: (() => void)[] = [];
  #failure: unknown;
  /** First attempts started this turn, waiting for the journal (`options.journal`): when each started, and whether late. */
  #held: Delivery[] = [];
  #heldAt: number[] = [];
  #heldLate: boolean[] = [];
  // eslint-disable-next-line no-unused-private-class-members -- read by `??=`: one release per turn
  #release: NodeJS.Immediate | undefined;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
    // Every request in flight is under the one signal: a transport that listens per request
    // (ours listen once per signal) goes past Node's default of 10 by design.
    setMaxListeners(options.concurrency + 16, this.#abort.signal);
    this.#sendOptions = { timeoutMs: options.timeoutMs, signal: this.#abort.signal };
    this.#run = options.run;
    this.#run.onChange(() => this.#follow());
  }

  /** Requests queued or in flight (retries waiting on their timers not included). */
  get backlog(): number {
    return this.#queue.size + this.#retryReady.length + this.#inFlight;
  }

  /** Retries waiting for their delay to pass. */
  get waitingRetries(): number {
    return this.#waiting.size;
  }

  /** First attempts sent so far. */
  get sent(): number {
    return this.#sent;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Queue a request whose first attempt is due at `dueAt` (dispatcher clock, ms). */
  submit(request: PendingRequest, wire: WireRequest, endpoint: Endpoint, dueAt: number): void {
    const delivery: Delivery = {
      request,
      wire,
      endpoint,
      recordCount: recordsInAll(endpoint, request.records),
      dueAt,
      order: this.#order++,
      attempts: 0,
      transportRetries: 0,
      apiRetries: 0,
      uncertain: undefined,
    };
    if (!this.#run.sendsQueued) {
      this.#settle(delivery, UNSENT);
      return;
    }
    this.#queue.push(delivery);
    this.#pump();
  }

  /**
   * The reader's backpressure: undefined while fewer than `limit` requests are queued or
   * in flight and fewer than `retryLimit` retries wait; else a promise that resolves once
   * the backlog is down to half the limit (waking per freed slot would cost a wake-up,
   * and a few records of reading, per request).
   */
  room(limit: number, retryLimit: number): Promise<void> | undefined {
    if (!this.#run.sendsQueued || this.#hasRoom(limit, retryLimit)) return undefined;
    return new Promise((resolve) => (this.#roomWaiter = { limit: Math.max(1, Math.ceil(limit / 2)), retryLimit: Math.ceil(retryLimit / 2), resolve }));
  }

  /** Resolves when nothing is queued, in flight, waiting to retry or being settled. Rejects if settling failed. */
  idle(): Promise<void> {
    if (this.#isIdle()) return this.#failure === undefined ? Promise.resolve() : Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#idleWaiters.push(() => (this.#failure === undefined ? resolve() : reject(this.#failure))));
  }

  /**
   * The run's state changed (`DispatcherOptions.run`). Stopped: queued requests end `unsent`.
   * Aborting: in-flight requests are aborted and waiting retries end `unsent` too. Each step
   * is idempotent (an emptied queue, an aborted signal), so no flag remembers it was done.
   */
  #follow(): void {
    if (this.#run.sendsQueued) return;
    this.#clearTimer();
    for (const delivery of this.#queue.drain()) this.#settle(delivery, UNSENT);
    if (this.#run.aborting) {
      for (const [timer, delivery] of this.#waiting) {
        clearTimeout(timer);
        this.#settle(delivery, UNSENT);
      }
      this.#waiting.clear();
      const ready = this.#retryReady;
      this.#retryReady = [];
      for (const delivery of ready) this.#settle(delivery, UNSENT);
      this.#abort.abort();
    }
    this.#wake();
  }

  #hasRoom(limit: number, retryLimit: number): boolean {
    return this.backlog < limit && this.#waiting.size < retryLimit;
  }

  #isIdle(): boolean {
    return this.backlog === 0 && this.#waiting.size === 0 && this.#settling === 0;
  }

  #pump(): void {
    const { concurrency } = this.#options;
    while (this.#inFlight < concurrency) {
      const retry = this.#retryReady.shift();
      if (retry) {
        this.#start(retry, false);
        continue;
      }
      if (!this.#run.sendsQueued) break;
      const next = this.#queue.peek();
      if (!next) break;
      const now = this.#now();
      if (next.dueAt > now + EARLY_MS) {
        this.#armTimer(next.dueAt, now);
        break;
      }
      this.#queue.pop();
      this.#start(next, true);
    }
  }

  #armTimer(at: number, now: number): void {
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(this.#onTimer, Math.max(1, Math.ceil(at - now)));
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#pump();
  };

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #start(delivery: Delivery, first: boolean): void {
    const sentAt = this.#now();
    let late = false;
    if (first) {
      this.#sent++;
      if (this.#options.paced && sentAt > delivery.dueAt + EARLY_MS) {
        const heldBack = this.#fullSince !== undefined && delivery.dueAt >= this.#fullSince;
        late = heldBack || sentAt - delivery.dueAt > CLIENT_LAG_MS;
      }
    }
    const attempt = delivery.attempts++;
    this.#inFlight++;
    if (this.#inFlight >= this.#options.concurrency) this.#fullSince ??= sentAt;
    if (first && this.#options.journal) {
      this.#held.push(delivery);
      this.#heldAt.push(sentAt);
      this.#heldLate.push(late);
      this.#release ??= setImmediate(this.#journalHeld);
      return;
    }
    this.#send(delivery, attempt, sentAt, late);
  }

  /** The end of the turn: the held first attempts are journaled in one write, then go. */
  readonly #journalHeld = (): void => {
    this.#release = undefined;
    const held = this.#held;
    const at = this.#heldAt;
    const late = this.#heldLate;
    this.#held = [];
    this.#heldAt = [];
    this.#heldLate = [];
    const journaled = !this.#run.aborting && this.#options.journal!(held);
    for (let i = 0; i < held.length; i++) {
      if (journaled) this.#send(held[i]!, 0, at[i]!, late[i]!);
      else this.#answered(held[i]!, NOT_JOURNALED, 0, at[i]!, late[i]!);
    }
  };

  #send(delivery: Delivery, attempt: number, sentAt: number, late: boolean): void {
    let sending: Promise<TransportResult>;
    try {
      sending = this.#options.transport.send(delivery.wire, this.#sendOptions);
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.then(
      (result) => this.#answered(delivery, result, attempt, sentAt, late),
      (err: unknown) => this.#answered(delivery, { ok: false, error: 'internal', message: String(err), uncertain: false }, attempt, sentAt, late),
    );
  }

  #answered(delivery: Delivery, result: TransportResult, attempt: number, sentAt: number, late: boolean): void {
    this.#inFlight--;
    const end = this.#now();
    // Unpaced runs have no intended send time: each request was due when it could go.
    const dueAt = this.#options.paced || attempt > 0 ? Math.min(delivery.dueAt, sentAt) : sentAt;
    if (!result.ok && result.error === 'aborted') {
      this.#emit(delivery, attempt, dueAt, sentAt, end, 0, ABORTED_CAUSE, undefined, result.uncertain, late);
      this.#settle(delivery, UNSENT);
      this.#afterAnswer();
      return;
    }
    const outcome = this.#outcomeOf(delivery, result);
    if (outcome.ok) {
      this.#emit(delivery, attempt, dueAt, sentAt, end, result.ok ? result.status : 0, undefined, undefined, false, late);
      this.#settle(delivery, delivery.uncertain === undefined ? DELIVERED : DELIVERED_POSSIBLY_TWICE);
      this.#afterAnswer();
      return;
    }
    const status = result.ok ? result.status : 0;
    const uncertain = !result.ok && result.uncertain;
    // The server's own words when it answered; the transport's when it did not.
    const excerpt = this.#options.excerpt(result.ok ? result.body || (outcome.message ?? '') : result.message);
    this.#emit(delivery, attempt, dueAt, sentAt, end, status, outcome.cause, excerpt, uncertain, late);
    if (uncertain) delivery.uncertain ??= excerpt ?? outcome.cause;
    const resend = !uncertain || this.#options.uncertain(delivery.endpoint) === 'resend';
    if (!resend || !this.#retry(delivery, outcome)) this.#settle(delivery, this.#failed(delivery, outcome.cause, excerpt));
    this.#afterAnswer();
  }

  /**
   * A request that failed for good. Once any attempt of it was uncertain, so is the request
   * (the server may hold its records), whatever the last attempt's cause.
   */
  #failed(delivery: Delivery, cause: string, excerpt: string | undefined): Settlement {
    const lost = delivery.uncertain;
    if (lost === undefined) return { kind: 'failed', cause, excerpt, uncertain: false };
    const last = excerpt === lost ? '' : `; last attempt: ${cause}`;
    return { kind: 'failed', cause: UNCERTAIN_CAUSE, excerpt: lost + last, uncertain: true };
  }

  #emit(
    delivery: Delivery,
    attempt: number,
    dueAt: number,
    sentAt: number,
    endAt: number,
    status: number,
    cause: string | undefined,
    excerpt: string | undefined,
    uncertain: boolean,
    late: boolean,
  ): void {
    const { request, wire } = delivery;
    this.#options.onAttempt({
      endpoint: request.endpoint,
      seq: delivery.order,
      attempt,
      dueMs: EPOCH_OF_ZERO + dueAt,
      sentMs: EPOCH_OF_ZERO + sentAt,
      endMs: EPOCH_OF_ZERO + endAt,
      status,
      cause,
      excerpt,
      uncertain,
      late,
      bytes: wire.url.length + (wire.body === undefined ? 0 : Buffer.byteLength(wire.body)),
      records: request.records,
      recordCount: delivery.recordCount,
    });
  }

  #afterAnswer(): void {
    this.#pump();
    // A slot freed and refilled in the same turn does not end a busy stretch.
    if (this.#inFlight < this.#options.concurrency) this.#fullSince = undefined;
    this.#wake();
  }

  #outcomeOf(delivery: Delivery, result: TransportResult): Outcome {
    if (!result.ok) {
      const cause = result.error === 'timeout' ? 'timeout' : `network ${result.error}`;
      return { ok: false, cause, retry: 'transport', message: result.message };
    }
    try {
      return delivery.endpoint.interpret(result);
    } catch (err) {
      // An interpreter bug is the answer's problem to report, not a crash of the run.
      return { ok: false, cause: 'bad response', retry: 'none', message: String(err) };
    }
  }

  /** Schedule a retry when the policy has one left; false when the request has failed for good. */
  #retry(delivery: Delivery, outcome: Extract<Outcome, { ok: false }>): boolean {
    if (outcome.retry === 'none' || this.#run.aborting) return false;
    const policy = this.#options.policy(delivery.endpoint, outcome.retry);
    const used = outcome.retry === 'api' ? delivery.apiRetries : delivery.transportRetries;
    if (used >= policy.retries) return false;
    if (outcome.retry === 'api') delivery.apiRetries++;
    else delivery.transportRetries++;
    const delayMs = retryDelay(used + 1, policy, outcome.retryAfterMs, this.#random);
    delivery.dueAt = this.#now() + delayMs;
    const timer = setTimeout(() => {
      this.#waiting.delete(timer);
      this.#retryReady.push(delivery);
      this.#pump();
      this.#wake();
    }, delayMs);
    this.#waiting.set(timer, delivery);
    return true;
  }

  #settle(delivery: Delivery, settlement: Settlement): void {
    let pending: void | Promise<void>;
    try {
      pending = this.#options.onSettled(delivery, settlement);
    } catch (err) {
      this.#failure ??= err;
      return;
    }
    if (pending === undefined) return;
    this.#settling++;
    pending.then(
      () => {
        this.#settling--;
        this.#wake();
      },
      (err: unknown) => {
        this.#failure ??= err;
        this.#settling--;
        this.#wake();
      },
    );
  }

  /** Tell whoever waits for room or for idleness that things moved. */
  #wake(): void {
    const waiter = this.#roomWaiter;
    if (waiter && (this.#hasRoom(waiter.limit, waiter.retryLimit) || !this.#run.sendsQueued)) {
      this.#roomWaiter = undefined;
      waiter.resolve();
    }
    if (this.#idleWaiters.length > 0 && this.#isIdle()) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
