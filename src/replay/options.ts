/**
 * Everything a replay run is told, already resolved from flags, config and environment
 * (the command does that; the engine only runs). Durations are milliseconds.
 */
import type { BuildOptions, Credentials, Endpoint, UncertainPolicy } from '../apis/api.js';
import type { Target } from '../apis/encode.js';
import type { InputSource } from '../input/sources.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { Threshold } from '../report/thresholds.js';

export interface Ramp {
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
}

export interface ReplayOptions {
  readonly inputs: readonly InputSource[];
  readonly read: { readonly delimiter?: string };
  readonly judge: JudgeOptions;
  readonly target: Target;
  /** Request building (BuildOptions without what the engine supplies: base URL length, clock). */
  readonly build: Omit<BuildOptions, 'baseUrlBytes' | 'nowSeconds' | 'credentials' | 'timeOf'>;
  readonly credentials: Credentials;
  /** --signer: a built-in name or a module path; undefined: each endpoint's default. */
  readonly signer: string | undefined;
  readonly transport: 'got' | 'undici';
  /** --rate (requests/s, open model); undefined with no ramp: as fast as the concurrency allows. */
  readonly rate: number | undefined;
  readonly ramp: Ramp | undefined;
  readonly concurrency: number;
  /** --pace original: the log's own timing, `speed` times faster. */
  readonly pace: 'rate' | 'original';
  readonly speed: number;
  /** --duration: stop taking records after this long (with --loop: the run's length). */
  readonly durationMs: number | undefined;
  /** --loop: read the inputs again and again (until --duration, or `loops` times when a number). */
  readonly loop: boolean;
  /** --unique: rewrite duplicate keys per loop so a receiver does not drop them. */
  readonly unique: boolean;
  /**
   * --uncertain: what to do with a request written whose answer was lost, for every
   * endpoint; undefined: each endpoint's own default (see `uncertainPolicyFor`).
   * @default undefined
   */
  readonly uncertain: UncertainPolicy | undefined;
  /** --retries / --retry-delay: override every policy's count and base delay. */
  readonly retries: number | undefined;
  readonly retryDelayMs: number | undefined;
  readonly timeoutMs: number;
  /** --batch-linger: how long a stat batch may wait for more events in paced replays. */
  readonly batchLingerMs: number;
  readonly failedFile: string | undefined;
  readonly checkpointFile: string | undefined;
  readonly resume: boolean;
  /** --restart: without --resume, replace an unfinished checkpoint (else refused). */
  readonly restart: boolean;
  readonly graceMs: number;
  readonly dryRun: boolean;
  readonly printRequests: boolean;
  /** --threshold conditions (`p99<200`, `failed<1%`), judged on the finished run's report. */
  readonly thresholds: readonly Threshold[];
  /** --shard K/N (K 0-based, already resolved from auto). */
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly maxExamples: number;
  /** Show the live progress line (stdout is a TTY and not --quiet). */
  readonly progress: boolean;
}

/** The defaults `replay` documents (and its flags use): one place for both. */
export const REPLAY_DEFAULTS = {
  concurrency: 64,
  batchSize: 50,
  maxUrlBytes: 8000,
  timeoutMs: 10_000,
  batchLingerMs: 200,
  graceMs: 5000,
  maxExamples: 5,
} as const;

/**
 * Options for a replay built in code (the demo, tests, benchmarks): the CLI's defaults for
 * every field, over already-resolved inputs, to `baseUrl`, with `overrides` on top.
 */

export function replayDefaults(inputs: readonly InputSource[], baseUrl: string, overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  const d = REPLAY_DEFAULTS;
  return {
    inputs,
    read: {},
    judge: { api: 'auto', strict: false, allowUnknownAid: false, nowMs: Date.now() },
    target: { baseUrl },
    build: { batchSize: d.batchSize, maxUrlBytes: d.maxUrlBytes, statParams: 'query', ts: 'keep', keepAuth: false, downloadOpenidField: 'oepnid' },
    credentials: {},
    signer: undefined,
    transport: 'got',
    rate: undefined,
    ramp: undefined,
    concurrency: d.concurrency,
    pace: 'rate',
    speed: 1,
    durationMs: undefined,
    loop: false,
    unique: false,
    uncertain: undefined,
    retries: undefined,
    retryDelayMs: undefined,
    timeoutMs: d.timeoutMs,
    batchLingerMs: d.batchLingerMs,
    failedFile: undefined,
    checkpointFile: undefined,
    resume: false,
    restart: false,
    graceMs: d.graceMs,
    dryRun: false,
    printRequests: false,
    thresholds: [],
    shard: undefined,
    maxExamples: d.maxExamples,
    progress: false,
    ...overrides,
  };
}

/**
 * The `--uncertain` policy for an endpoint: the flag's, else the endpoint's own default
 * (`resend` where the server de-duplicates, as SUD's does; `skip` elsewhere: never double
 * count silently). The one place it is decided, for delivery and for a resumed run alike.
 */
export function uncertainPolicyFor(options: Pick<ReplayOptions, 'uncertain'>, endpoint: Endpoint): UncertainPolicy {
  return options.uncertain ?? endpoint.uncertainPolicy ?? 'skip';
}
