/**
 * From admitted records to signed wire requests with due times: one RequestBuilder per
 * endpoint (stat batches, the others one request per record), one signer per endpoint
 * (chosen before its first request), a due time from the run's timing, then
 * the sink — the dispatcher, or the dry-run printer.
 */
import type { BuildOptions, Credentials, Endpoint, EndpointId, PendingRequest, RequestBuilder } from '../../apis/api.js';
import { encodeRequest, type Target, type WireRequest } from '../../apis/encode.js';
import type { Signer } from '../../sign/signer.js';
import { resolveSigner, signRequest } from '../../sign/index.js';
import type { Admitted } from '../intake/intake.js';
import type { OriginalPace } from './original-pace.js';
import type { Pacer } from './pacer.js';

/** When requests are due: as fast as the concurrency allows, by a pacer, or by the log's own clock. */
export type Timing =
  | { readonly kind: 'unlimited' }
  | { readonly kind: 'pacer'; readonly pacer: Pacer; readonly durationMs: number | undefined }
  | { readonly kind: 'original'; readonly pace: OriginalPace; readonly durationMs: number | undefined };

/** Receives each request once signed and encoded; may return a promise for its own backpressure. */
type RequestSink = (request: PendingRequest, wire: WireRequest, endpoint: Endpoint, dueAt: number) => void | Promise<void>;

export interface RequestFlowOptions {
  readonly build: Omit<BuildOptions, 'baseUrlBytes' | 'nowSeconds' | 'credentials'>;
  readonly target: Target;
  readonly credentials: Credentials;
  /** --signer, or undefined for each endpoint's default. */
  readonly signer: string | undefined;
  /** Where a --signer module path is resolved from. */
  readonly cwd: string;
  readonly timing: Timing;
  readonly sink: RequestSink;
  /** The pacer is done (past --duration): requests from now on are not sent. */
  readonly onPacedOut: () => void;
  /** A request that will never be sent: built past the schedule's end, or held back when the run stopped (see `discardHeld`). */
  readonly onUnsent: (request: PendingRequest, endpoint: Endpoint) => void;
  /** Monotonic ms (performance.now), the dispatcher's clock. */
  readonly now: () => number;
  /** Unix seconds for `ts` and signatures; wall clock unless fixed (see `unixClock`). */
  readonly nowSeconds?: () => number;
}

/**
 * Unix seconds for request building. `SOURCE_DATE_EPOCH` (the reproducible-builds
 * convention) fixes it, so a dry run prints the same bytes every time.
 */
export function unixClock(env: NodeJS.ProcessEnv): () => number {
  const fixed = env.SOURCE_DATE_EPOCH;
  if (fixed !== undefined && /^\d+$/.test(fixed)) {
    const seconds = Number(fixed);
    return () => seconds;
  }
  return () => Math.floor(Date.now() / 1000);
}

export class RequestFlow {
  readonly #options: RequestFlowOptions;
  readonly #buildOptions: BuildOptions;
  readonly #builders = new Map<EndpointId, RequestBuilder>();
  readonly #signers = new Map<EndpointId, Signer>();
  readonly #endpoints = new Map<EndpointId, Endpoint>();
  readonly #pending = new Set<Promise<void>>();
  #startAt: number | undefined;
  #index = 0;
  #pacedOut = false;
  #failure: unknown;

  constructor(options: RequestFlowOptions) {
    this.#options = options;
    this.#buildOptions = {
      ...options.build,
      baseUrlBytes: Buffer.byteLength(options.target.baseUrl ?? ''),
      nowSeconds: options.nowSeconds ?? unixClock({}),
      credentials: options.credentials,
    };
  }

  /** What the builders are told: the judge checks records against the same (credentials, URL limit). */
  get buildOptions(): BuildOptions {
    return this.#buildOptions;
  }

  /** Monotonic ms of the first request's due time: the run's t0 (undefined before any). */
  get startAt(): number | undefined {
    return this.#startAt;
  }

  /**
   * Choose the signers of endpoints not seen yet, before any request of theirs is built.
   * Their credentials were checked by the pre-flight (../intake/preflight.ts).
   */
  async prepare(endpoints: Iterable<Endpoint>): Promise<void> {
    const { credentials, signer: spec, cwd } = this.#options;
    for (const endpoint of endpoints) {
      if (!this.#signers.has(endpoint.id)) this.#signers.set(endpoint.id, await resolveSigner(spec, endpoint, credentials, cwd));
    }
  }

  /** One admitted record into its builder; the requests it completes go on. */
  add({ record, endpoint }: Admitted): Promise<void> | undefined {
    this.#throwIfFailed();
    const requests = this.#builder(endpoint).add(record);
    return requests.length === 0 ? undefined : this.#submitAll(requests, endpoint);
  }

  /**
   * A request a worker thread built and signed ahead (src/workers/replay-pool.ts): its
   * group's held records leave first, as the builder would have sent them, then it goes on
   * with its due time, in turn.
   */
  addBuilt(endpoint: Endpoint, group: string, request: PendingRequest, wire: WireRequest): Promise<void> | undefined {
    this.#throwIfFailed();
    const held = group === '' ? [] : (this.#builder(endpoint).release?.(group) ?? []);
    if (held.length > 0) return this.#submitAll(held, endpoint).then(() => this.#submitBuilt(endpoint, request, wire));
    const submitted = this.#submitBuilt(endpoint, request, wire);
    return submitted instanceof Promise ? submitted : undefined;
  }

  #submitBuilt(endpoint: Endpoint, request: PendingRequest, wire: WireRequest): void | Promise<void> {
    const dueAt = this.#dueAt(request, endpoint);
    if (dueAt === undefined) return this.#options.onUnsent(request, endpoint);
    return this.#options.sink(request, wire, endpoint, dueAt);
  }

  /** Batches that have lingered long enough (paced replays), sent from a timer. */
  poll(lingerMs: number): void {
    const nowMs = this.#options.now();
    for (const [id, builder] of this.#builders) {
      const requests = builder.due(nowMs, lingerMs);
      if (requests.length > 0) this.#track(this.#submitAll(requests, this.#endpointOf(id)));
    }
  }

  /** End of input: every held record into a request. */
  async flush(): Promise<void> {
    for (const [id, builder] of this.#builders) {
      const requests = builder.flush();
      if (requests.length > 0) await this.#submitAll(requests, this.#endpointOf(id));
    }
    await this.settled();
  }

  /**
   * The run stopped (or its schedule is over) with records still held in builders (stat
   * events waiting for their batch): they will not be sent; each goes to `onUnsent`.
   */
  discardHeld(): void {
    for (const [id, builder] of this.#builders) {
      for (const request of builder.flush()) this.#options.onUnsent(request, this.#endpointOf(id));
    }
  }

  /** Waits for requests being signed from timers; throws what went wrong there. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    this.#throwIfFailed();
  }

  #builder(endpoint: Endpoint): RequestBuilder {
    let builder = this.#builders.get(endpoint.id);
    if (!builder) {
      builder = endpoint.createBuilder(this.#buildOptions);
      this.#builders.set(endpoint.id, builder);
      this.#endpoints.set(endpoint.id, endpoint);
    }
    return builder;
  }

  #endpointOf(id: EndpointId): Endpoint {
    return this.#endpoints.get(id)!;
  }

  async #submitAll(requests: readonly PendingRequest[], endpoint: Endpoint): Promise<void> {
    for (const request of requests) {
      // The due time is taken before signing: request i of the run is due at t0 + due(i)
      // whatever order concurrent signings finish in.
      const dueAt = this.#dueAt(request, endpoint);
      if (dueAt === undefined) {
        this.#options.onUnsent(request, endpoint);
        continue;
      }
      const signer = this.#signers.get(endpoint.id);
      if (!signer) throw new Error(`internal: no signer prepared for ${endpoint.id}`);
      await signRequest(request, signer, this.#options.credentials, this.#buildOptions.nowSeconds(), this.#buildOptions.keepAuth);
      const wire = encodeRequest(request, this.#options.target);
      const waiting = this.#options.sink(request, wire, endpoint, dueAt);
      if (waiting) await waiting;
    }
  }

  /** The request's due time on the monotonic clock; undefined when the timing is over. */
  #dueAt(request: PendingRequest, endpoint: Endpoint): number | undefined {
    if (this.#pacedOut) return undefined;
    const now = this.#options.now();
    this.#startAt ??= now;
    const { timing } = this.#options;
    let offset: number;
    if (timing.kind === 'unlimited') return now;
    if (timing.kind === 'pacer') offset = timing.pacer.dueMs(this.#index++);
    else offset = timing.pace.dueMs(request, endpoint);
    // --duration ends paced runs by due time, not by the wall clock: every request due
    // inside it still goes, even one the concurrency bound holds back past the end.
    if (timing.durationMs !== undefined && offset >= timing.durationMs) offset = Infinity;
    if (offset === Infinity) {
      this.#pacedOut = true;
      this.#options.onPacedOut();
      return undefined;
    }
    return this.#startAt + offset;
  }

  #track(promise: Promise<void>): void {
    this.#pending.add(promise);
    promise.then(
      () => this.#pending.delete(promise),
      (err: unknown) => {
        this.#failure ??= err;
        this.#pending.delete(promise);
      },
    );
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
