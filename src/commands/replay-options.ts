/** From `replay` flags, config and environment to the engine's ReplayOptions. */
import { existsSync } from 'node:fs';
import type { Credentials } from '../apis/api.js';
import type { InputSource } from '../input/sources.js';
import { resolveCredentials, selectEnvironment, urlProblem, type CredentialFlags } from '../config/config.js';
import { parseDuration, parseRamp } from '../replay/schedule/pacer.js';
import { parseThreshold } from '../report/thresholds.js';
import type { ReplayOptions } from '../replay/options.js';
import type { EndpointId } from '../apis/api.js';
import { UsageError } from '../errors.js';
import { loadedConfig, type Io } from './context.js';
import { delimiterOf, judgeOptions, type InputArgs } from './shared-options.js';

export interface ReplayArgs extends InputArgs, CredentialFlags {
  config?: string;
  quiet: boolean;
  target?: string;
  sudUrl?: string;
  env?: string;
  transport: 'got' | 'undici';
  rate?: number;
  ramp?: string;
  concurrency: number;
  pace: 'rate' | 'original';
  speed: number;
  duration?: string;
  loop: boolean;
  unique: boolean;
  uncertain?: 'resend' | 'skip' | 'fail';
  retries?: number;
  retryDelay?: string;
  timeout: string;
  batchSize: number;
  maxUrlBytes: number;
  batchLinger: string;
  statParams: 'query' | 'form';
  signer?: string;
  ts: 'keep' | 'now';
  keepAuth: boolean;
  downloadOpenidField: 'oepnid' | 'openid';
  checkpoint?: string;
  resume: boolean;
  restart: boolean;
  grace: string;
  dryRun: boolean;
  printRequests: boolean;
  threshold?: string[];
  shard?: string;
  processes: number;
}

/** Where dry runs point when no target is given: nothing is sent, the URLs only show paths. */
export const DRY_RUN_TARGET = 'http://127.0.0.1:8000';

function positiveInteger(name: string, value: number | undefined, min = 1): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not ${value}`);
}

/** A URL from a flag (the config's were checked when it was loaded), without a trailing slash. */
function baseUrl(text: string, flag: string | undefined): string {
  const problem = flag === undefined ? undefined : urlProblem(text);
  if (problem) throw new UsageError(`${flag} ${problem === 'is not a URL' ? `${text} is not a URL` : problem}`, 'for example --target http://127.0.0.1:8000');
  return text.replace(/\/+$/, '');
}


/** `K/N` or `auto/N` (K from JOB_COMPLETION_INDEX), K from 0 to N−1. */
export function parseShard(text: string, env: NodeJS.ProcessEnv): { index: number; count: number } {
  const m = /^(\d+|auto)\/(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--shard ${text}: expected K/N or auto/N, for example 0/4`);
  const count = Number(m[2]);
  let indexText = m[1]!;
  if (indexText === 'auto') {
    const fromJob = env.JOB_COMPLETION_INDEX;
    if (fromJob === undefined || !/^\d+$/.test(fromJob)) throw new UsageError('--shard auto/N needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job)');
    indexText = fromJob;
  }
  const index = Number(indexText);
  if (count < 1 || index >= count) throw new UsageError(`--shard ${text}: K must be from 0 to N−1 and N at least 1`);
  return { index, count };
}

export interface ResolvedReplay {
  readonly options: ReplayOptions;
  /** Said to the user before the run (e.g. a first run with --resume). */
  readonly notices: string[];
}

export async function resolveReplayOptions(args: ReplayArgs, inputs: readonly InputSource[], io: Io): Promise<ResolvedReplay> {
  const notices: string[] = [];
  const environment = selectEnvironment(loadedConfig(), args.env);
  const credentials: Credentials = resolveCredentials(environment, io.env, args);
  // Each endpoint needs a URL only when the run sends to it: the pre-flight checks that (replay/intake/preflight.ts).
  const targetText = args.target ?? environment.target ?? (args.dryRun ? DRY_RUN_TARGET : undefined);
  const sudUrlText = args.sudUrl ?? environment.sudUrl;
  positiveInteger('concurrency', args.concurrency);
  positiveInteger('batch-size', args.batchSize);
  positiveInteger('max-url-bytes', args.maxUrlBytes, 256);
  positiveInteger('retries', args.retries, 0);
  if (args.rate !== undefined && !(args.rate > 0)) throw new UsageError(`--rate must be more than 0, not ${args.rate}`);
  if (!(args.speed > 0)) throw new UsageError(`--speed must be more than 0, not ${args.speed}`);
  if (args.rate !== undefined && args.ramp) throw new UsageError('--rate and --ramp cannot be used together: a ramp sets the rate');
  if (args.pace === 'original' && (args.rate !== undefined || args.ramp)) throw new UsageError('--pace original takes its timing from the log: drop --rate/--ramp (use --speed to go faster)');
  const durationMs = args.duration === undefined ? undefined : parseDuration(args.duration);
  if (args.loop && durationMs === undefined) throw new UsageError('--loop needs --duration, or it would never end');
  if (args.unique && !args.loop) throw new UsageError('--unique rewrites duplicate keys per loop: it goes with --loop');
  if (args.printRequests && !args.dryRun) throw new UsageError('--print-requests goes with --dry-run');
  if (args.resume && !args.checkpoint) throw new UsageError('--resume needs --checkpoint FILE');
  if (args.restart && (!args.checkpoint || args.resume)) throw new UsageError('--restart goes with --checkpoint FILE and without --resume: it starts that checkpoint over');
  let resume = args.resume;
  if (resume && args.checkpoint && !existsSync(args.checkpoint)) {
    // A Kubernetes Job restarts the same command: the first run of it has nothing to resume.
    notices.push(`no checkpoint at ${args.checkpoint} yet: starting from the beginning`);
    resume = false;
  }
  const thresholds = args.threshold ?? [];
  for (const t of thresholds) parseThreshold(t);
  const options: ReplayOptions = {
    inputs,
    read: { delimiter: delimiterOf(args) },
    judge: judgeOptions(args, Date.now()),
    target: {
      ...(targetText !== undefined && { baseUrl: baseUrl(targetText, args.target !== undefined ? '--target' : undefined) }),
      ...(sudUrlText !== undefined && { sudUrl: baseUrl(sudUrlText, args.sudUrl !== undefined ? '--sud-url' : undefined) }),
    },
    build: {
      batchSize: args.batchSize,
      maxUrlBytes: args.maxUrlBytes,
      statParams: args.statParams,
      ts: args.ts,
      keepAuth: args.keepAuth,
      downloadOpenidField: args.downloadOpenidField,
    },
    credentials,
    signer: args.signer,
    transport: args.transport,
    rate: args.rate,
    ramp: args.ramp ? parseRamp(args.ramp) : undefined,
    concurrency: args.concurrency,
    pace: args.pace,
    speed: args.speed,
    durationMs,
    loop: args.loop,
    unique: args.unique,
    uncertain: args.uncertain,
    retries: args.retries,
    retryDelayMs: args.retryDelay === undefined ? undefined : parseDuration(args.retryDelay),
    timeoutMs: parseDuration(args.timeout),
    batchLingerMs: parseDuration(args.batchLinger),
    failedFile: args.failed,
    checkpointFile: args.checkpoint,
    resume,
    restart: args.restart,
    graceMs: parseDuration(args.grace),
    dryRun: args.dryRun,
    printRequests: args.printRequests,
    thresholds,
    shard: args.shard ? parseShard(args.shard, io.env) : undefined,
    maxExamples: args.maxExamples,
    progress: Boolean(io.stdout.isTTY) && !args.quiet && !args.json && !args.printRequests,
  };
  return { options, notices };
}
