/**
 * Requests in flight, as both transports keep them: each ends exactly once, with its
 * answer, a failure, `timeout` when the whole exchange outlasts its timeout (got's
 * `timeout.request` semantics), or `aborted` when the caller's signal fires.
 *
 * At tens of thousands of requests a second the per-request way of doing this — a timer,
 * an AbortController and an abort listener each — costs more than the exchange itself. So
 * one timer, armed for the earliest deadline, fails the overdue requests (it fires about
 * once per timeout while all goes well), and each caller's signal gets one listener,
 * whatever the number of requests under it. The open exchanges form a list linked
 * through themselves: a Set that every request enters and leaves costs ~5 µs a request
 * and gets each request's objects promoted to V8's old generation (measured).
 */
import type { TransportResult } from './types.js';
import { errorCode, errorMessage, failure } from './normalize.js';

export type CancelReason = 'timeout' | 'aborted';

export abstract class Exchange {
  /** Neighbours in the list of open exchanges. */
  prev: Exchange | undefined = undefined;
  next: Exchange | undefined = undefined;
  readonly url: string;
  readonly timeoutMs: number;
  /** performance.now() by which the whole exchange must be over. */
  readonly deadline: number;
  readonly signal: AbortSignal | undefined;
  /** The one result, for the caller of send(). */
  readonly result: Promise<TransportResult>;
  #settle: ((result: TransportResult) => void) | undefined;
  #open: OpenExchanges | undefined;

  constructor(open: OpenExchanges, url: string, timeoutMs: number, signal: AbortSignal | undefined) {
    this.url = url;
    this.timeoutMs = timeoutMs;
    this.deadline = performance.now() + timeoutMs;
    this.signal = signal;
    this.result = new Promise<TransportResult>((resolve) => {
      this.#settle = resolve;
    });
    this.#open = open;
    open.add(this);
  }

  /** Ends the exchange now, as `timeout` or `aborted`, and has the library drop the request. */
  cancel(reason: CancelReason): void {
    if (this.end(failure(reason, this.url, this.timeoutMs, reason, this.written))) this.drop(reason);
  }

  /** Stop the request in the library: for the caller it has ended already. */
  protected abstract drop(reason: CancelReason): void;

  /** Whether the request has been written to the connection: a failure from now on is uncertain. */
  protected abstract get written(): boolean;

  /** Ends the exchange with the library's error (after `signal` fired: `aborted`). */
  protected fail(err: unknown): void {
    const code = this.signal?.aborted ? 'aborted' : errorCode(err);
    this.end(failure(code, this.url, this.timeoutMs, errorMessage(err), this.written));
  }

  /** Ends the exchange with `result`, unless it has ended already; true when this call ended it. */
  protected end(result: TransportResult): boolean {
    const settle = this.#settle;
    if (settle === undefined) return false;
    this.#settle = undefined;
    this.#open!.remove(this);
    this.#open = undefined;
    settle(result);
    return true;
  }
}

export class OpenExchanges {
  #first: Exchange | undefined;
  #last: Exchange | undefined;
  /** Signals listened to: one listener each. */
  readonly #watched = new WeakSet<AbortSignal>();
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;

  add(exchange: Exchange): void {
    const last = this.#last;
    if (last) {
      last.next = exchange;
      exchange.prev = last;
    } else {
      this.#first = exchange;
    }
    this.#last = exchange;
    const { signal } = exchange;
    if (signal && !this.#watched.has(signal)) this.#watch(signal);
    if (exchange.deadline < this.#timerAt) this.#arm(exchange.deadline);
  }

  remove(exchange: Exchange): void {
    const { prev, next } = exchange;
    if (prev) prev.next = next;
    else this.#first = next;
    if (next) next.prev = prev;
    else this.#last = prev;
    exchange.prev = exchange.next = undefined;
  }

  /** Stops the timer; exchanges still open stay as they are. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** A copy: cancelling an exchange unlinks it. */
  #snapshot(): Exchange[] {
    const open: Exchange[] = [];
    for (let exchange = this.#first; exchange; exchange = exchange.next) open.push(exchange);
    return open;
  }

  /** When the signal fires, every open exchange under it ends `aborted`. */
  #watch(signal: AbortSignal): void {
    this.#watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const exchange of this.#snapshot()) if (exchange.signal === signal) exchange.cancel('aborted');
      },
      { once: true },
    );
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(at - performance.now())));
    // The sockets of requests in flight keep the process alive; this timer alone must not.
    this.#timer.unref();
  }

  /** Fails the overdue exchanges and re-arms for the earliest deadline left. */
  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const exchange of this.#snapshot()) {
      if (exchange.deadline <= now) exchange.cancel('timeout');
      else if (exchange.deadline < next) next = exchange.deadline;
    }
    if (next !== Infinity) this.#arm(next);
  };
}
