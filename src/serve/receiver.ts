/**
 * The embedded receiver (README § serve): a real HTTP server on node:http that behaves like the
 * three reporting APIs — and misbehaves on purpose when asked. It is the target of the
 * quick start, the end-to-end tests and the throughput benchmarks, so the request path
 * does little besides reading the body, one validation and one answer.
 */
import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { textAnswer, type Answer, type Answerer, type ReceiverContext } from '../apis/answer.js';
import type { Credentials, EndpointId } from '../apis/api.js';
import { allEndpoints, credentialSpecs } from '../apis/registry.js';
import { ReceiverCounts, type ReceiverStats } from './counts.js';
import { FaultInjector, type FaultOptions, type TransportFault } from './faults.js';
import { RequestRecorder, type UpstreamRecord } from './recorder.js';
import { Upstream, relay } from './upstream.js';

/** A request forwarded by --upstream: the upstream's answer, and when the request arrived. */
interface Proxied {
  readonly answer: UpstreamRecord;
  readonly arrivedMs: number;
}

export interface ReceiverOptions extends FaultOptions {
  /** Port to listen on; 0 picks a free one. @default 8000 */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * The credentials signatures are verified with, by key (each API declares its own):
   * with `statSecret`, stat requests must carry a matching `__md5`, else 403; with
   * `sudAppId` and `sudAppSecret`, SUD requests must carry valid Sud-* headers, else
   * ret_code 1002. Secret ones are never written to the --record file.
   */
  readonly credentials?: Credentials;
  /** Append every request to this file as NDJSON, a capture `replay` reads (src/input/capture.ts). */
  readonly record?: string;
  /** Keep the client's session_key, ss_token and secret headers in the --record file (never the receiver's own secrets). @default false */
  readonly recordSecrets?: boolean;
  /** Forward every endpoint request to this base URL and relay its answers (a recording proxy). */
  readonly upstream?: string;
  /** With `upstream`: an endpoint's requests go to its URL here instead (SUD's, `serve --upstream-sud-url`). */
  readonly upstreamUrls?: Readonly<Record<EndpointId, string>>;
  /** Keep the arrival time of every endpoint request in `Receiver.arrivals`. */
  readonly trackArrivals?: boolean;
  /** Count accepted records by content key in `stats().keys` (for exactly-once tests). */
  readonly trackKeys?: boolean;
  /** Stat aids outside the feature table are accepted. */
  readonly allowUnknownAid?: boolean;
}

export interface Receiver {
  /** `http://HOST:PORT` (IPv6 hosts in brackets), no trailing slash: a replay --target. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The fault seed in use (given, or drawn at random): a run with it fails the same requests. */
  readonly seed: number;
  stats(): ReceiverStats;
  /** With trackArrivals: `performance.timeOrigin + performance.now()` (ms) per endpoint request. */
  readonly arrivals: number[];
  /** The first error writing --record (the receiver keeps answering; the CLI reports it). */
  readonly recordError: Error | undefined;
  /** Stop listening, let in-flight answers finish (bounded), flush --record. Idempotent. */
  close(): Promise<void>;
}

/** Bodies over this are answered 413. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** How long close() lets delayed or in-flight answers finish before dropping connections. */
const CLOSE_GRACE_MS = 5000;

const KEEP_ALIVE_MS = 65_000;

const TEXT = 'text/plain; charset=utf-8';

/** An endpoint's route: its id and the answerer of this receiver. */
interface Route {
  readonly endpoint: EndpointId;
  readonly answer: Answerer;
}

/** Every registered endpoint at its default path and its other paths (docs/API.md). */
function buildRoutes(context: ReceiverContext): Map<string, Route> {
  const routes = new Map<string, Route>();
  for (const endpoint of allEndpoints()) {
    const route: Route = { endpoint: endpoint.id, answer: endpoint.createAnswerer(context) };
    for (const path of [endpoint.defaultPath, ...(endpoint.otherPaths ?? [])]) routes.set(path, route);
  }
  return routes;
}

function faultAnswer(fault: TransportFault): Answer {
  if (fault.kind === 'fail') return textAnswer(503, 'service unavailable (injected fault)', 'fault');
  return textAnswer(429, 'too many requests (injected fault)', 'fault', { 'retry-after': String(fault.retryAfterSeconds) });
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const headers: OutgoingHttpHeaders = { 'content-length': Buffer.byteLength(answer.body) };
  if (answer.contentType) headers['content-type'] = answer.contentType;
  if (answer.headers) Object.assign(headers, answer.headers);
  res.writeHead(answer.status, headers);
  res.end(answer.body);
}

/** No answer at all: the connection closes as if the server's reply was lost on the way. */
function dropConnection(res: ServerResponse, _judgement: Answer): void {
  res.socket?.destroy();
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const faults = new FaultInjector(options);
  const counts = new ReceiverCounts(options.trackKeys === true);
  const arrivals: number[] = [];
  const trackArrivals = options.trackArrivals === true;
  const credentials = options.credentials ?? {};
  const routes = buildRoutes({
    credentials,
    allowUnknownAid: options.allowUnknownAid === true,
    trackKeys: options.trackKeys === true,
    apiFaults: { failFirst: options.sudFailFirst === true, nextError: () => faults.nextSudError() },
  });
  const secrets = credentialSpecs()
    .filter((spec) => spec.secret)
    .map((spec) => credentials[spec.key]);
  const upstream = options.upstream === undefined ? undefined : new Upstream({ url: options.upstream, ...(options.upstreamUrls !== undefined && { urls: options.upstreamUrls }) });
  const recorder =
    options.record === undefined ? undefined : await RequestRecorder.open(options.record, { keepSecrets: options.recordSecrets ?? false, secrets });

  let inflight = 0;
  /** Answers waiting out their latency (--latency), cleared on close. */
  const delayed = new Set<NodeJS.Timeout>();
  let onIdle: (() => void) | undefined;
  const settle = (): void => {
    inflight--;
    if (inflight === 0 && onIdle) onIdle();
  };

  /** Count, record, wait (latency, record backpressure), answer. */
  const finish = (req: IncomingMessage, res: ServerResponse, endpoint: EndpointId | null, body: string | Buffer, answer: Answer, proxied?: Proxied): void => {
    const nowMs = proxied?.arrivedMs ?? Date.now();
    if (endpoint === null) counts.countUnrouted();
    else {
      counts.count(endpoint, answer.verdict, answer.records, nowMs);
      if (answer.keys && answer.verdict === 'accepted') counts.addKeys(endpoint, answer.keys);
    }
    const recorded = recorder?.append({
      time: new Date(nowMs).toISOString(),
      endpoint,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      status: answer.status,
      verdict: answer.verdict,
      ...(answer.reason !== undefined && { reason: answer.reason }),
      ...(proxied !== undefined && { upstream: proxied.answer }),
    });
    const delayMs = endpoint === null ? 0 : faults.nextDelayMs();
    // Processed and counted, then the answer is lost: the connection closes instead.
    const dropped = endpoint !== null && faults.nextDropAfter();
    if (dropped) counts.countDropped(endpoint);
    const reply = dropped ? dropConnection : proxied !== undefined ? (r: ServerResponse) => relay(r, proxied.answer) : send;
    if (delayMs === 0 && recorded === undefined) return reply(res, answer);
    const respond = (): void => {
      if (delayMs === 0) return reply(res, answer);
      const timer = setTimeout(() => {
        delayed.delete(timer);
        reply(res, answer);
      }, delayMs);
      delayed.add(timer);
    };
    if (recorded) void recorded.then(respond);
    else respond();
  };

  const onEndpointRequest = (req: IncomingMessage, res: ServerResponse, route: Route): void => {
    if (trackArrivals) arrivals.push(performance.timeOrigin + performance.now());
    const { endpoint } = route;
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) return refuseTooLarge(req, res, endpoint);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else {
        tooLarge = true;
        chunks.length = 0;
        refuseTooLarge(req, res, endpoint);
      }
    });
    req.on('end', () => {
      if (tooLarge) return;
      const bytes = chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      const body = bytes === undefined ? '' : bytes.toString('utf8');
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const fault = faults.nextTransportFault();
      let answer: Answer;
      if (fault) answer = faultAnswer(fault);
      else {
        try {
          answer = route.answer({ query: q < 0 ? '' : url.slice(q + 1), headers: req.headers, body, bodyUtf8: bytes === undefined || isUtf8(bytes) });
        } catch (err) {
          // A validator bug must not take the receiver down with it; say so in the answer.
          answer = textAnswer(500, `internal error while judging the request: ${(err as Error).message}`, 'rejected');
        }
      }
      // --upstream: what the receiver did not fail on purpose goes on to the real server.
      if (upstream !== undefined && answer.verdict !== 'fault') {
        const arrivedMs = Date.now();
        void upstream.forward(endpoint, req, bytes).then((relayed) => finish(req, res, endpoint, bytes ?? '', answer, { answer: relayed, arrivedMs }));
        return;
      }
      finish(req, res, endpoint, bytes ?? '', answer);
    });
  };

  const refuseTooLarge = (req: IncomingMessage, res: ServerResponse, endpoint: EndpointId): void => {
    // Close the connection after answering: the rest of the body is not worth reading.
    req.resume();
    const answer = textAnswer(413, `request body over ${MAX_BODY_BYTES} bytes`, 'rejected', { connection: 'close' });
    finish(req, res, endpoint, '', answer);
  };

  const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    inflight++;
    res.once('close', settle);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const route = routes.get(path);
    if (route !== undefined && req.method === 'POST') return onEndpointRequest(req, res, route);
    req.resume();
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/stats') {
        const json = JSON.stringify(counts.snapshot());
        return send(res, { status: 200, body: json, contentType: 'application/json', headers: { 'cache-control': 'no-store' }, verdict: 'accepted', records: 0 });
      }
      if (path === '/healthz') return send(res, { status: 200, body: 'ok\n', contentType: TEXT, verdict: 'accepted', records: 0 });
    }
    if (route !== undefined) {
      const answer = textAnswer(405, `method ${req.method} not allowed: use POST`, 'rejected', { allow: 'POST' });
      req.on('end', () => finish(req, res, null, '', answer));
      return;
    }
    req.on('end', () => finish(req, res, null, '', textAnswer(404, `no endpoint at ${path}`, 'rejected')));
  });

  // Idle keep-alive sockets live longer than any client's pool timeout, so a slowly paced
  // replay never reuses a socket at the moment the server drops it (a spurious ECONNRESET).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8000, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await recorder?.close();
    throw err;
  }
  const address = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inflight > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, CLOSE_GRACE_MS);
          onIdle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server.closeAllConnections();
      // Answers still waiting out their --latency have no connection left to go to.
      for (const timer of delayed) clearTimeout(timer);
      delayed.clear();
      await closed;
      upstream?.close();
      await recorder?.close();
    })();
    return closing;
  };

  return {
    url: formatUrl(options.host ?? '127.0.0.1', address.port),
    host: options.host ?? '127.0.0.1',
    port: address.port,
    seed: faults.seed,
    stats: () => counts.snapshot(),
    arrivals,
    get recordError() {
      return recorder?.error;
    },
    close,
  };
}
