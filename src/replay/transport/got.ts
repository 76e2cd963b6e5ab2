/**
 * The got transport (the default): one shared `got.extend` instance over keep-alive agents
 * sized to the concurrency. Everything got would do on its own is switched off so that the
 * engine alone decides: no retries, no redirects, no HTTP-error throws, no decompression
 * (the same bytes as undici, which does none).
 *
 * got merges the options of every call into a new options object, so whatever does not
 * change from one request to the next (the method, the client settings) is in the instance,
 * and a request without headers or body of its own (stat's) passes none. The whole-exchange
 * timeout and the caller's signal are handled once for all requests, as for undici
 * (exchanges.ts), instead of by got per request (its `timeout` and `signal`
 * options cost ~25 µs of CPU a request, measured against a bare loop of got calls).
 */
import http from 'node:http';
import https from 'node:https';
import got, { type CancelableRequest, type Got, type Response } from 'got';
import type { WireRequest } from '../../apis/encode.js';
import type { SendOptions, Transport, TransportOptions, TransportResult } from './types.js';
import { Exchange, OpenExchanges } from './exchanges.js';
import { USER_AGENT, failure } from './normalize.js';

function isEmpty(headers: Record<string, string>): boolean {
  for (const _name in headers) return false;
  return true;
}

/** got's timings of the node:http request under a call: `upload` is set once the request is flushed to the socket. */
interface RequestWithTimings {
  readonly timings?: { readonly upload?: number };
}

interface RequestEvents {
  on(event: 'request', listener: (request: RequestWithTimings) => void): unknown;
}

/**
 * One got call on its way; cancelling it destroys got's request.
 *
 * Written or not: got times every node:http request it makes, and sets `timings.upload`
 * when the request emits 'finish' — its last byte handed to the operating system. Before
 * that (refused, DNS, a timeout waiting for a socket) the request certainly did not arrive.
 */
class GotExchange extends Exchange {
  #call: CancelableRequest<Response<string>> | undefined;
  #request: RequestWithTimings | undefined;

  /** Makes the call; a synchronous throw (an option got rejects) is a failure too. */
  start(call: () => CancelableRequest<Response<string>>): void {
    try {
      this.#call = call();
    } catch (err) {
      this.fail(err);
      return;
    }
    // got's typings name only the progress events, but its promise re-emits 'request' too.
    (this.#call as unknown as RequestEvents).on('request', this.#onRequest);
    this.#call.then(
      (response) => void this.end({ ok: true, status: response.statusCode, headers: { ...response.headers }, body: response.body }),
      (err: unknown) => this.fail(err),
    );
  }

  readonly #onRequest = (request: RequestWithTimings): void => {
    this.#request = request;
  };

  protected get written(): boolean {
    return this.#request?.timings?.upload !== undefined;
  }

  protected drop(): void {
    this.#call?.cancel();
  }
}

export class GotTransport implements Transport {
  readonly name = 'got' as const;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #client: Got;
  readonly #open = new OpenExchanges();

  constructor(options: TransportOptions) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.concurrency,
      maxFreeSockets: options.concurrency,
      // Reuse the most recently used socket first: fewer sockets stay warm, fewer hit the server's idle timeout.
      scheduling: 'lifo' as const,
    };
    this.#httpAgent = new http.Agent(agentOptions);
    this.#httpsAgent = new https.Agent(agentOptions);
    this.#client = got.extend({
      method: 'POST',
      agent: { http: this.#httpAgent, https: this.#httpsAgent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: false,
      responseType: 'text',
      headers: { 'user-agent': USER_AGENT },
    });
  }

  send(request: WireRequest, options: SendOptions): Promise<TransportResult> {
    const { timeoutMs, signal } = options;
    if (signal?.aborted) return Promise.resolve(failure('aborted', request.url, timeoutMs, 'request aborted', false));
    const exchange = new GotExchange(this.#open, request.url, timeoutMs, signal);
    const { url, headers, body } = request;
    exchange.start(body === undefined && isEmpty(headers) ? () => this.#client(url) : () => this.#client(url, { method: request.method, headers, body }));
    return exchange.result;
  }

  async close(): Promise<void> {
    this.#open.close();
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}
