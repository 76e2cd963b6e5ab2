/**
 * Where a run's built requests go: the dispatcher, which sends them (DispatchSink), or a dry
 * run, which counts and prints them (dry-run.ts). The engine drives either the same way:
 * it submits, waits for room and for the end, closes. Stopping is the run's state
 * (signals.ts), which the dispatcher follows; a dry run sends nothing, so has nothing to stop.
 */
import type { Endpoint, PendingRequest } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import type { Dispatcher } from './delivery/dispatcher.js';
import type { Transport } from './transport/contract.js';

export interface RunSink {
  /** A request built and signed, due at `dueAt` (performance.now() ms); a promise asks the builder to wait. */
  submit(request: PendingRequest, wire: WireRequest, endpoint: Endpoint, dueAt: number): void | Promise<void>;
  /** The reader's backpressure: undefined while there is room, else a promise of it. */
  room(limit: number, retryLimit: number): Promise<void> | undefined;
  /** Resolves when everything submitted has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
  readonly inFlight: number;
  readonly waitingRetries: number;
  /** First attempts sent so far. */
  readonly sent: number;
}

/** Sending for real: the dispatcher over its transport. */
export class DispatchSink implements RunSink {
  readonly #dispatcher: Dispatcher;
  readonly #transport: Transport;

  constructor(dispatcher: Dispatcher, transport: Transport) {
    this.#dispatcher = dispatcher;
    this.#transport = transport;
  }

  submit(request: PendingRequest, wire: WireRequest, endpoint: Endpoint, dueAt: number): void {
    this.#dispatcher.submit(request, wire, endpoint, dueAt);
  }

  room(limit: number, retryLimit: number): Promise<void> | undefined {
    return this.#dispatcher.room(limit, retryLimit);
  }

  idle(): Promise<void> {
    return this.#dispatcher.idle();
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  get inFlight(): number {
    return this.#dispatcher.inFlight;
  }

  get waitingRetries(): number {
    return this.#dispatcher.waitingRetries;
  }

  get sent(): number {
    return this.#dispatcher.sent;
  }
}
