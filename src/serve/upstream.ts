/**
 * `serve --upstream URL`: the receiver as a recording proxy (README, "Capture a client,
 * replay it later"). Each endpoint request is forwarded to the real server (or to the
 * endpoint's own URL when given: SUD's `--upstream-sud-url`) with its method, path, query, headers and body bytes as
 * they came; the answer is read whole, relayed to the client unchanged (status, headers,
 * body) and recorded beside the receiver's own verdict. Only hop-by-hop headers (RFC 9110
 * §7.6.1) are not passed on, and `host` names the upstream.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { EndpointId } from '../apis/api.js';
import type { UpstreamRecord } from './recorder.js';

export interface UpstreamOptions {
  /** Base URL of the real server: every endpoint's path (and query) is appended to it. */
  readonly url: string;
  /** Endpoints' own URLs, used as they are (the request's query appended): SUD's. */
  readonly urls?: Readonly<Record<EndpointId, string>>;
  /** Give up on an upstream answer after this long (the client is answered 502). @default 60000 */
  readonly timeoutMs?: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Bound on sockets per upstream: the proxy never opens more than its clients could use. */
const MAX_SOCKETS = 256;

/** `URL` for a base that must be http(s); throws a one-line message otherwise. */
export function parseUpstreamUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${flag} must be an http:// or https:// URL, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${flag} must be an http:// or https:// URL, not "${text}"`);
  return url;
}

function withoutHopByHop(headers: IncomingMessage['headers']): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  for (const name in headers) if (!HOP_BY_HOP.has(name) && !named.includes(name)) out[name] = headers[name];
  return out;
}

export class Upstream {
  readonly #base: string;
  readonly #urls = new Map<EndpointId, string>();
  readonly #timeoutMs: number;
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS });

  constructor(options: UpstreamOptions) {
    this.#base = parseUpstreamUrl(options.url, '--upstream').href.replace(/\/$/, '');
    for (const [endpoint, url] of Object.entries(options.urls ?? {})) this.#urls.set(endpoint, parseUpstreamUrl(url, `the upstream URL of ${endpoint}`).href);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Where a request to `path?query` on the receiver goes. */
  targetOf(endpoint: EndpointId, requestUrl: string): URL {
    const own = this.#urls.get(endpoint);
    if (own !== undefined) {
      const q = requestUrl.indexOf('?');
      const target = new URL(own);
      if (q >= 0) target.search = target.search ? `${target.search}&${requestUrl.slice(q + 1)}` : requestUrl.slice(q);
      return target;
    }
    return new URL(this.#base + requestUrl);
  }

  /** Forward one request whose body has been read; never rejects (a failure is an `error` record). */
  forward(endpoint: EndpointId, req: IncomingMessage, body: Buffer | undefined): Promise<UpstreamRecord> {
    const target = this.targetOf(endpoint, req.url ?? '/');
    const headers = withoutHopByHop(req.headers);
    headers.host = target.host;
    if (body !== undefined || headers['content-length'] !== undefined) headers['content-length'] = body?.length ?? 0;
    const https = target.protocol === 'https:';
    const started = performance.now();
    return new Promise<UpstreamRecord>((resolve) => {
      const fail = (err: Error): void => resolve({ error: err.message.replace(/[\r\n]+/g, ' '), latencyMs: performance.now() - started });
      const sent = (https ? httpsRequest : httpRequest)(target, { method: req.method ?? 'POST', headers, agent: https ? this.#https : this.#http }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', fail);
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks), latencyMs: performance.now() - started }));
      });
      sent.setTimeout(this.#timeoutMs, () => sent.destroy(new Error(`no answer in ${this.#timeoutMs} ms`)));
      sent.on('error', fail);
      sent.end(body);
    });
  }

  /** Drop the kept-alive sockets. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Answer the client with what the upstream answered (or 502 when it did not), unchanged but for hop-by-hop headers. */
export function relay(res: ServerResponse, answer: UpstreamRecord): void {
  if (res.destroyed) return;
  if ('error' in answer) {
    const text = `bad gateway: the upstream did not answer (${answer.error})\n`;
    res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const headers = withoutHopByHop(answer.headers);
  headers['content-length'] = answer.body.length;
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}
