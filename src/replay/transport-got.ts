/**
 * The got transport (the default): one shared `got.extend` instance, so options are merged
 * once rather than per request, over keep-alive agents sized to the concurrency. Everything
 * got would do on its own is switched off so that the engine alone decides: no retries, no
 * redirects, no HTTP-error throws, no decompression (the same bytes as undici, which does
 * none).
 */
import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import type { WireRequest } from '../apis/encode.js';
import type { SendOptions, Transport, TransportOptions, TransportResult } from './transport.js';
import { USER_AGENT, errorCode, errorMessage, failure } from './transport-normalize.js';

export class GotTransport implements Transport {
  readonly name = 'got' as const;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #client: Got;

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
      agent: { http: this.#httpAgent, https: this.#httpsAgent },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      decompress: false,
      responseType: 'text',
      headers: { 'user-agent': USER_AGENT },
    });
  }

  async send(request: WireRequest, options: SendOptions): Promise<TransportResult> {
    const signal = options.signal;
    if (signal?.aborted) return failure('aborted', request.url, options.timeoutMs, 'request aborted');
    try {
      const response = await this.#client(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeout: { request: options.timeoutMs },
        signal,
      });
      return { ok: true, status: response.statusCode, headers: { ...response.headers }, body: response.body };
    } catch (err) {
      const code = signal?.aborted ? 'aborted' : errorCode(err);
      return failure(code, request.url, options.timeoutMs, errorMessage(err));
    }
  }

  async close(): Promise<void> {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }
}
