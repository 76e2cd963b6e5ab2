/**
 * The transport contract's types, a leaf that imports nothing of ours but the wire request:
 * the two clients implement it and contract.ts builds them, so the types live apart from
 * the factory and no import goes in a circle (`npm run lint` checks).
 */
import type { WireRequest } from '../../apis/encode.js';

interface TransportResponse {
  readonly ok: true;
  readonly status: number;
  /** Lower-case names; repeated headers folded as node:http folds them (`set-cookie` an array). */
  readonly headers: Record<string, string | string[] | undefined>;
  /** The whole body, decoded as UTF-8. */
  readonly body: string;
}

export interface TransportFailure {
  readonly ok: false;
  /** `timeout` | `ECONNREFUSED` | `ECONNRESET` | `aborted` | another socket code (`ENOTFOUND`, …). */
  readonly error: string;
  /** One line for a person; the same words from either client for the codes above. */
  readonly message: string;
  /**
   * The request had been written when the exchange failed (a reset, a timeout or an abort
   * after the request went out): the server may have processed it. False when it certainly
   * never left (connection refused, a DNS failure, a timeout while waiting for a connection).
   */
  readonly uncertain: boolean;
}

export type TransportResult = TransportResponse | TransportFailure;

export interface SendOptions {
  /** The whole exchange, connect to last body byte, must finish within this. */
  readonly timeoutMs: number;
  /** Aborts the request (Ctrl-C after the grace period): the result is `error: 'aborted'`. */
  readonly signal?: AbortSignal;
}

export interface Transport {
  readonly name: 'got' | 'undici';
  /** Never throws for a failed request: a failure is a value. */
  send(request: WireRequest, options: SendOptions): Promise<TransportResult>;
  /** Closes idle and pooled connections; in-flight requests are not waited for beyond their timeout. */
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Requests in flight at most (--concurrency): connections are sized to it. */
  readonly concurrency: number;
  /** The target's origin (`http://host:port`), when known up front: undici opens its pool early. */
  readonly origin?: string;
}
