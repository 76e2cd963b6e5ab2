/**
 * Everything a replay run is told, already resolved from flags, config and environment
 * (the command does that; the engine only runs). Durations are milliseconds.
 */
import type { BuildOptions, Credentials, Endpoint, UncertainPolicy } from '../apis/api.js';
import type { Target } from '../apis/encode.js';
import type { InputSource } from '../input/sources.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { Threshold } from '../report/thresholds.js';
import { STAT_REQUEST_DEFAULTS } from '../apis/stat/defaults.js';

export interface Ramp {
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
}

/**
 * The `@default`s are what `replayDefaults` (and the CLI, commands/replay-options.ts) use
 * when a field is not given.
 */
export interface ReplayOptions {
  readonly inputs: readonly InputSource[];
  /** How inputs are read: --delimiter for CSV. @default {} */
  readonly read: { readonly delimiter?: string };
  /** How records are judged: --api, --strict, --allow-unknown-aid. @default { api: 'auto', strict: false, allowUnknownAid: false } */
  readonly judge: JudgeOptions;
  /** --target and --sud-url (config `target`, `sudUrl`). */
  readonly target: Target;
  /**
   * Request building (BuildOptions without what the engine supplies: base URL length, clock):
   * --batch-size, --max-url-bytes, --stat-params, --ts, --keep-auth, --download-openid-field.
   * @default { batchSize: 50, maxUrlBytes: 8000, statParams: 'query', ts: 'keep', keepAuth: false, downloadOpenidField: 'oepnid' }
   */
  readonly build: Omit<BuildOptions, 'baseUrlBytes' | 'nowSeconds' | 'credentials' | 'timeOf'>;
  /** Flags over REPLAY_* variables over the config. @default {} */
  readonly credentials: Credentials;
  /** --signer: a built-in name or a module path; undefined: each endpoint's default. @default undefined */
  readonly signer: string | undefined;
  /** --transport: the HTTP client. @default 'got' */
  readonly transport: 'got' | 'undici';
  /** --rate (requests/s, open model); undefined with no ramp: as fast as the concurrency allows. @default undefined */
  readonly rate: number | undefined;
  /** --ramp FROM:TO:DURATION. @default undefined */
  readonly ramp: Ramp | undefined;
  /** --concurrency: requests in flight at most. @default 64 */
  readonly concurrency: number;
  /** --pace original: the log's own timing, `speed` times faster. @default 'rate' */
  readonly pace: 'rate' | 'original';
  /** --speed. @default 1 */
  readonly speed: number;
  /** --duration: stop taking records after this long (with --loop: the run's length). @default undefined */
  readonly durationMs: number | undefined;
  /** --loop: read the inputs again and again until --duration. @default false */
  readonly loop: boolean;
  /** --unique: rewrite duplicate keys per loop so a receiver does not drop them. @default false */
  readonly unique: boolean;
  /**
   * --uncertain: what to do with a request written whose answer was lost, for every
   * endpoint; undefined: each endpoint's own default (see `uncertainPolicyFor`).
   * @default undefined
   */
  readonly uncertain: UncertainPolicy | undefined;
  /** --retries: overrides every policy's count; undefined: each policy's own. @default undefined */
  readonly retries: number | undefined;
  /** --retry-delay: overrides every policy's base delay; undefined: each policy's own. @default undefined */
  readonly retryDelayMs: number | undefined;
  /** --timeout: per request. @default 10000 */
  readonly timeoutMs: number;
  /** --batch-linger: how long a stat batch may wait for more events in paced replays. @default 200 */
  readonly batchLingerMs: number;
  /** --failed FILE. @default undefined */
  readonly failedFile: string | undefined;
  /** --checkpoint FILE. @default undefined */
  readonly checkpointFile: string | undefined;
  /** --resume (the CLI turns it off when the checkpoint does not exist yet). @default false */
  readonly resume: boolean;
  /** --restart: without --resume, replace an unfinished checkpoint (else refused). @default false */
  readonly restart: boolean;
  /** --grace: on Ctrl-C, how long in-flight requests may finish. @default 5000 */
  readonly graceMs: number;
  /** --dry-run. @default false */
  readonly dryRun: boolean;
  /** --print-requests (with --dry-run). @default false */
  readonly printRequests: boolean;
  /** --threshold conditions (`p99<200`, `failed<1%`), judged on the finished run's report. @default [] */
  readonly thresholds: readonly Threshold[];
  /** --shard K/N (K 0-based, already resolved from auto). @default undefined */
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  /**
   * --workers N: threads that read, judge, build and sign ahead (src/workers/replay-pool.ts);
   * 0, or a run they cannot serve identically (see `workersFor` in engine.ts), reads on the main thread. @default 0
   */
  readonly workers: number;
  /** Show the live progress line (stdout is a TTY and not --quiet). @default false */
  readonly progress: boolean;
}

/** The defaults `replay` documents (and its flags use): one place for both. */
export const REPLAY_DEFAULTS = {
  concurrency: 64,
  batchSize: STAT_REQUEST_DEFAULTS.batchSize,
  maxUrlBytes: STAT_REQUEST_DEFAULTS.maxUrlBytes,
  timeoutMs: 10_000,
  batchLingerMs: STAT_REQUEST_DEFAULTS.batchLingerMs,
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
    workers: 0,
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
