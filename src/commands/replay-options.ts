/**
 * `replay`'s options: one schema turns the flags (and the environment they refer to) into
 * checked, typed values, reporting every problem at once (options/problems.ts); then
 * `replayOptionsOf` lays the config and the environment's credentials under them and gives
 * the engine its ReplayOptions.
 *
 * How to add a flag:
 * 1. Declare it for yargs in replay.ts (`replayOptions`): name, describe, type, default.
 * 2. Add its field to `replayFlags` below, camelCase as yargs names it, with TSDoc (and
 *    `@default` when it has one) and the check of its own value (options/problems.ts has
 *    the pieces; a value written in a syntax of its own gets a parser in options/values.ts).
 *    When it only makes sense with other flags, add a line to `combinations`.
 * 3. Add what the engine needs to ReplayOptions (replay/options.ts), with its default in
 *    `replayDefaults`, and map it in `replayOptionsOf`.
 * `ReplayArgs`, the handler's argument type, is the schema's input: nothing else to declare.
 * A flag of one API's requests (stat's `--batch-size`) or an endpoint's own URL goes in that
 * API's folder instead (`ApiModule.replayOptions`, `Endpoint.urlOption`: api-options.ts, url-options.ts).
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { Credentials } from '../apis/api.js';
import type { InputSource } from '../input/sources.js';
import { resolveCredentials, selectEnvironment } from '../config/config.js';
import { REPLAY_DEFAULTS, replayDefaults, type ReplayOptions } from '../replay/options.js';
import { loadedConfig, type Io } from './context.js';
import { delimiterOf, inputFlags, judgeOptions } from './shared-options.js';
import { ALWAYS, addProblem, moreThanZero, parseOptions, parsed, rate, wholeNumber, wholeNumberUpTo } from './options/problems.js';
import { parseRamp, parseShard, parseThreshold } from './options/values.js';
import { parseDuration } from './options/duration.js';
import { REPORTERS } from '../report/reporters/problems.js';
import { credentialFields } from './credential-options.js';
import { targetUrls, urlFields, urlFlag, withoutTrailingSlash } from './url-options.js';
import { apiOptionFields, apiOptionValues } from './api-options.js';
import { defaultReplayWorkers } from '../workers/defaults.js';

/** More shards than this on one machine (--processes) is a typo, not a plan. */
const MAX_PROCESSES = 256;

/** Where dry runs point when no target is given: nothing is sent, the URLs only show paths. */
const DRY_RUN_TARGET = 'http://127.0.0.1:8000';

const duration = (flag: string) => parsed(flag, parseDuration);
const optionalText = z.string().optional();

/** `replay`'s flags, as yargs gives them (README "replay" describes each). */
function replayFlags(env: NodeJS.ProcessEnv) {
  return {
    ...inputFlags,
    /** --config FILE (loaded before the command runs: context.ts). */
    config: optionalText,
    /** @default false */
    quiet: z.boolean().default(false),
    // Target
    /** --target: base URL for every endpoint; config `target`; a dry run's default is DRY_RUN_TARGET. */
    target: urlFlag('target').optional(),
    // Each endpoint's own URL (`--sud-url`; config `sudUrl`), from its API (url-options.ts)
    ...urlFields('replay'),
    /** --env: an environment of the config file; else its defaultEnvironment. */
    env: optionalText,
    // Credentials and signing: each API's credential flags (credential-options.ts; each also
    // from the config and REPLAY_* variables: config.ts)
    ...credentialFields('replay'),
    /** --signer: md5-sorted, sud-hmac, none or a module path; undefined: each endpoint's own. */
    signer: optionalText,
    /** --keep-auth: send logged auth fields unchanged. @default false */
    keepAuth: z.boolean().default(false),
    // Pacing and load
    /** --transport: the HTTP client. @default 'got' */
    transport: z.enum(['got', 'undici']).default('got'),
    /** --rate: requests per second (open model); none: as fast as --concurrency allows. */
    rate: rate('rate', 'per second').optional(),
    /** --ramp FROM:TO:DURATION: a linear rate ramp. */
    ramp: parsed('ramp', parseRamp).optional(),
    /** --concurrency: requests in flight at most. @default 64 */
    concurrency: wholeNumber('concurrency', 1).default(REPLAY_DEFAULTS.concurrency),
    /** --pace: by --rate/--ramp, or the log's own timing. @default 'rate' */
    pace: z.enum(['rate', 'original']).default('rate'),
    /** --speed: with --pace original, this many times faster. @default 1 */
    speed: moreThanZero('speed').default(1),
    /** --duration: stop after this long (ms). */
    duration: duration('duration').optional(),
    /** --loop: read the inputs again and again until --duration. @default false */
    loop: z.boolean().default(false),
    /** --unique: with --loop, rewrite duplicate keys per loop. @default false */
    unique: z.boolean().default(false),
    /** --shard K/N or auto/N (K from JOB_COMPLETION_INDEX). */
    shard: parsed('shard', (text) => parseShard(text, env)).optional(),
    /** --processes N: N shard processes on this machine, one merged summary (replay-processes.ts). @default 1 */
    processes: wholeNumberUpTo('processes', 1, MAX_PROCESSES).default(1),
    /**
     * --workers N: threads that read, judge, build and sign (README "Worker threads"); 0: one
     * thread. @default defaultReplayWorkers (src/workers/defaults.ts): cores − 1, at most 2, one
     * fewer when a target is on this machine.
     */
    workers: wholeNumber('workers', 0).optional(),
    /** --threshold (repeatable): exit 1 when breached. @default [] */
    threshold: z.array(parsed('threshold', parseThreshold)).default([]),
    // Delivery
    /** --retries: per request; undefined: each policy's own (3; SUD ret_code 3). */
    retries: wholeNumber('retries', 0).optional(),
    /** --retry-delay: base delay (ms); undefined: each policy's own. */
    retryDelay: duration('retry-delay').optional(),
    /** --timeout: per request (ms). @default 10000 */
    timeout: duration('timeout').default(REPLAY_DEFAULTS.timeoutMs),
    /** --checkpoint FILE: save progress. */
    checkpoint: optionalText,
    /** --resume: continue from --checkpoint. @default false */
    resume: z.boolean().default(false),
    /** --restart: start an unfinished --checkpoint over. @default false */
    restart: z.boolean().default(false),
    /** --uncertain: a request whose answer was lost; undefined: each endpoint's own policy. */
    uncertain: z.enum(['resend', 'skip', 'fail']).optional(),
    /** --grace: on Ctrl-C, how long in-flight requests may finish (ms). @default 5000 */
    grace: duration('grace').default(REPLAY_DEFAULTS.graceMs),
    // Requests: each API's own flags (stat's --batch-size, --ts), from its folder (api-options.ts)
    ...apiOptionFields(),
    /** --dry-run: validate, build and sign; send nothing. @default false */
    dryRun: z.boolean().default(false),
    /** --print-requests: with --dry-run, each request as NDJSON. @default false */
    printRequests: z.boolean().default(false),
    // Outputs (run-outputs.ts)
    /** --results FILE: one NDJSON line per attempt (- for stdout, .gz for gzip). */
    results: optionalText,
    /** --html FILE: the HTML report at the end of the run. */
    html: optionalText,
    /** --reporter: how findings and failures are reported. @default 'table' */
    reporter: z.enum(REPORTERS).default('table'),
  };
}

type Flags = z.output<z.ZodObject<ReturnType<typeof replayFlags>>>;

/** Flags that only make sense together (or apart), in the order they are reported. */
const combinations: readonly { readonly broken: (f: Flags) => boolean; readonly message: string; readonly hint?: string }[] = [
  { broken: (f) => f.rate !== undefined && f.ramp !== undefined, message: '--rate and --ramp cannot be used together: a ramp sets the rate' },
  {
    broken: (f) => f.pace === 'original' && (f.rate !== undefined || f.ramp !== undefined),
    message: '--pace original takes its timing from the log: drop --rate/--ramp (use --speed to go faster)',
  },
  { broken: (f) => f.loop && f.duration === undefined, message: '--loop needs --duration, or it would never end', hint: 'for example --loop --duration 5m' },
  { broken: (f) => f.unique && !f.loop, message: '--unique rewrites duplicate keys per loop: it goes with --loop' },
  { broken: (f) => f.printRequests && !f.dryRun, message: '--print-requests goes with --dry-run' },
  { broken: (f) => f.resume && !f.checkpoint, message: '--resume needs --checkpoint FILE' },
  { broken: (f) => f.processes > 1 && f.shard !== undefined, message: '--processes N runs shards 0 to N−1 itself: drop --shard (or run each --shard K/N yourself)' },
  { broken: (f) => f.processes > 1 && f.printRequests, message: "--processes with --print-requests would interleave the shards' requests: print them with one process" },
  {
    broken: (f) => f.restart && (!f.checkpoint || f.resume),
    message: '--restart goes with --checkpoint FILE and without --resume: it starts that checkpoint over',
  },
  {
    // A dry run leaves the checkpoint alone, so it may name one.
    broken: (f) => f.loop && f.checkpoint !== undefined && !f.dryRun,
    message: '--checkpoint cannot be combined with --loop: a loop sends every record again, so there is no line to resume after',
  },
];

/** The schema of `replay`'s flags; `env` is where `--shard auto/N` finds its K. */
function replaySchema(env: NodeJS.ProcessEnv) {
  return z.object(replayFlags(env)).superRefine((flags, ctx) => {
    for (const rule of combinations) if (rule.broken(flags)) addProblem(ctx, rule.message, rule.hint);
  }, ALWAYS);
}

/** What the handler receives: the schema's input, as yargs fills it. */
export type ReplayArgs = z.input<ReturnType<typeof replaySchema>>;
export type ReplayFlags = Flags;

/** `replay`'s flags checked, every problem in one usage error (exit 2). */
export function checkReplayFlags(args: ReplayArgs, env: NodeJS.ProcessEnv): ReplayFlags {
  return parseOptions(replaySchema(env), args, 'replay');
}

export interface ResolvedReplay {
  readonly options: ReplayOptions;
  /** Said to the user before the run (e.g. a first run with --resume). */
  readonly notices: string[];
}

/** Checked flags over the config (its environment) and REPLAY_* variables: the engine's options. */
export function replayOptionsOf(flags: ReplayFlags, inputs: readonly InputSource[], io: Io): ResolvedReplay {
  const notices: string[] = [];
  const environment = selectEnvironment(loadedConfig(), flags.env);
  const credentials: Credentials = resolveCredentials(environment, io.env, flags);
  // Each endpoint needs a URL only when the run sends to it: the pre-flight checks that (replay/intake/preflight.ts).
  const targetText = flags.target ?? environment.target ?? (flags.dryRun ? DRY_RUN_TARGET : undefined);
  let resume = flags.resume;
  if (resume && flags.checkpoint && !existsSync(flags.checkpoint)) {
    // A Kubernetes Job restarts the same command: the first run of it has nothing to resume.
    notices.push(`no checkpoint at ${flags.checkpoint} yet: starting from the beginning`);
    resume = false;
  }
  const apiOptions = apiOptionValues(flags);
  const target = {
    ...(targetText !== undefined && { baseUrl: withoutTrailingSlash(targetText) }),
    ...targetUrls(flags, environment),
  };
  const options: ReplayOptions = {
    inputs,
    read: { delimiter: delimiterOf(flags) },
    judge: judgeOptions(flags, Date.now()),
    target,
    // The APIs' own option values land by key (ReplayOptionSpec.into), over the defaults of code-built replays (an API not registered).
    build: { ...replayDefaults(inputs, DRY_RUN_TARGET).build, ...apiOptions.build, keepAuth: flags.keepAuth },
    credentials,
    signer: flags.signer,
    transport: flags.transport,
    rate: flags.rate,
    ramp: flags.ramp,
    concurrency: flags.concurrency,
    pace: flags.pace,
    speed: flags.speed,
    durationMs: flags.duration,
    loop: flags.loop,
    unique: flags.unique,
    uncertain: flags.uncertain,
    retries: flags.retries,
    retryDelayMs: flags.retryDelay,
    timeoutMs: flags.timeout,
    batchLingerMs: typeof apiOptions.run.batchLingerMs === 'number' ? apiOptions.run.batchLingerMs : REPLAY_DEFAULTS.batchLingerMs,
    failedFile: flags.failed,
    checkpointFile: flags.checkpoint,
    resume,
    restart: flags.restart,
    graceMs: flags.grace,
    dryRun: flags.dryRun,
    printRequests: flags.printRequests,
    thresholds: flags.threshold,
    shard: flags.shard,
    // A dry run sends nothing: no server here needs a core.
    workers: flags.workers ?? defaultReplayWorkers(flags.dryRun ? [] : Object.values(target).filter((url) => url !== undefined)),
    progress: Boolean(io.stdout.isTTY) && !flags.quiet && !flags.json && !flags.printRequests,
  };
  return { options, notices };
}
