/**
 * The undici transport (`--transport undici`): a `Pool` per origin with one connection per
 * unit of concurrency, about 12× cheaper per request than got (docs/BENCHMARKS.md § Measured before building).
 *
 * Requests go through `pool.dispatch` with the exchange itself as the handler, not
 * `pool.request`: that one builds an AsyncResource, a Readable body stream and an abort
 * listener per request, which at tens of thousands of requests a second cost more CPU than
 * the exchange itself. The timeout covers the whole exchange, like got's `timeout.request`
 * (undici's own headers/body timeouts measure inactivity only, so a slow trickle would
 * never end); it and the caller's signal are handled once for all requests
 * (exchanges.ts).
 */
import { Pool, type Dispatcher } from 'undici';
import type { WireRequest } from '../../apis/encode.js';
import { hasHeader } from '../../headers.js';
import type { SendOptions, Transport, TransportOptions, TransportResult } from './types.js';
import { Exchange, OpenExchanges, type CancelReason } from './exchanges.js';
import { USER_AGENT, failure, foldHeaders } from './normalize.js';

/** `http://h:1/p?q` → [`http://h:1`, `/p?q`], without building a URL object per request. */
export function splitUrl(url: string): [origin: string, path: string] {
  const hostStart = url.indexOf('//') + 2;
  let end = hostStart;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end++;
  const rest = url.slice(end);
  return [url.slice(0, end), rest === '' ? '/' : rest[0] === '?' ? '/' + rest : rest];
}

/** What goes with a request that has no headers of its own (stat's): one object for all of them. */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'user-agent': USER_AGENT });

/** The request's headers with our user-agent, unless it names one itself. */
function withUserAgent(headers: Record<string, string>): Record<string, string> {
  if (hasHeader(headers, 'user-agent')) return headers;
  return Object.keys(headers).length === 0 ? DEFAULT_HEADERS : { 'user-agent': USER_AGENT, ...headers };
}

const EMPTY = '';

/**
 * One request on its way, as undici's handler. Whatever undici reports after the exchange
 * has ended (the error of an abort it was told of) is ignored.
 *
 * Written or not: undici calls `onRequestStart` once the request has a connected socket,
 * and then writes a string or Buffer body (ours) in the same synchronous step
 * (client-h1 `writeH1` → `writeBuffer`). So from that call on the request has gone out,
 * and a failure is uncertain; a request that never got that far (refused, DNS, a timeout
 * waiting for a connection) certainly did not arrive. undici's own "request sent" callback
 * belongs to its deprecated handler API and is not passed to handlers of this one.
 */
class UndiciExchange extends Exchange implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  /** Ended before undici handed over its controller: abort as soon as it does. */
  #dropped = false;
  #written = false;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> | undefined;
  #chunk: Buffer | undefined;
  #chunks: Buffer[] | undefined;

  protected drop(reason: CancelReason): void {
    const controller = this.#controller;
    if (controller) controller.abort(new Error(reason));
    else this.#dropped = true;
  }

  protected get written(): boolean {
    return this.#written;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#dropped) controller.abort(new Error('request cancelled'));
    else this.#written = true;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#chunk === undefined) this.#chunk = chunk;
    else (this.#chunks ??= [this.#chunk]).push(chunk);
  }

  onResponseEnd(): void {
    // Decoded once, whole: a UTF-8 character may be split between two chunks.
    const body = this.#chunks ? Buffer.concat(this.#chunks).toString('utf8') : this.#chunk ? this.#chunk.toString('utf8') : EMPTY;
    this.#chunk = this.#chunks = undefined;
    this.end({ ok: true, status: this.#status, headers: foldHeaders(this.#headers ?? {}), body });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.fail(err);
  }
}

export class UndiciTransport implements Transport {
  readonly name = 'undici' as const;
  readonly #concurrency: number;
  readonly #pools = new Map<string, Pool>();
  /** The origin of the last request and its pool: a run sends almost everything to one. */
  #lastOrigin = '';
  #lastPool: Pool | undefined;
  readonly #open = new OpenExchanges();

  constructor(options: TransportOptions) {
    this.#concurrency = options.concurrency;
    if (options.origin) this.#pool(splitUrl(options.origin)[0]);
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.#concurrency, pipelining: 1 });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  send(request: WireRequest, options: SendOptions): Promise<TransportResult> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) return Promise.resolve(failure('aborted', request.url, timeoutMs, 'request aborted', false));
    const { url } = request;
    let pool = this.#lastPool;
    let path: string;
    const after = url.charCodeAt(this.#lastOrigin.length);
    // Same origin as last time when the URL starts with it and the host ends there (`/`, `?` or the end).
    if (pool !== undefined && url.startsWith(this.#lastOrigin) && (after === 47 || after === 63 || Number.isNaN(after))) {
      path = url.length === this.#lastOrigin.length ? '/' : after === 63 ? '/' + url.slice(this.#lastOrigin.length) : url.slice(this.#lastOrigin.length);
    } else {
      const split = splitUrl(url);
      pool = this.#lastPool = this.#pool(split[0]);
      this.#lastOrigin = split[0];
      path = split[1];
    }
    const exchange = new UndiciExchange(this.#open, url, timeoutMs, signal);
    try {
      // undici's own timeouts (inactivity while waiting for headers, between body chunks)
      // are off: the whole-exchange deadline always ends a request sooner, and each costs
      // undici a timer object per request.
      pool.dispatch({ method: request.method, path, headers: withUserAgent(request.headers), body: request.body ?? null, headersTimeout: 0, bodyTimeout: 0 }, exchange);
    } catch (err) {
      exchange.onResponseError(undefined, err as Error);
    }
    return exchange.result;
  }

  async close(): Promise<void> {
    this.#open.close();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#lastOrigin = '';
    this.#lastPool = undefined;
    await Promise.all(pools.map((pool) => pool.close()));
  }
}
