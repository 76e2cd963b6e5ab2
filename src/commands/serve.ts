/**
 * `report-replay serve`: the embedded receiver (README § serve) as a command. It runs until
 * SIGINT or SIGTERM, then closes cleanly (in-flight answers finish, --record is flushed)
 * and exits 0. The first line printed is `listening on http://HOST:PORT`, so scripts and
 * tests can start it with --port 0 and read the port back.
 */
import type { Argv, CommandModule } from 'yargs';
import { resolveCredentials, selectEnvironment, type CredentialFlags } from '../config/config.js';
import { z } from 'zod';
import { UsageError, UserError, describeError, ExitCode } from '../errors.js';
import { parseLatency } from '../serve/faults.js';
import { urlWithoutCredentials } from '../redact.js';
import { startReceiver, type Receiver, type ReceiverOptions } from '../serve/receiver.js';
import type { ReceiverStats } from '../serve/counts.js';
import type { Example } from './examples.js';
import { getIo, loadedConfig, setExitCode, type GlobalArgs } from './context.js';
import { ALWAYS, aNumber, addProblem, parseOptions, rate } from './options/problems.js';
import { listenForInterrupts } from '../replay/signals.js';
import { credentialFields, withCredentialOptions } from './credential-options.js';
import type { ServeVerification } from '../apis/api.js';
import { apiModules } from '../apis/registry.js';
import { givenUrlFlags, upstreamLabel, upstreamUrl, upstreamUrls, urlFields, withUrlOptions } from './url-options.js';

/** A share of requests, from 0 to 1. @default 0 */
function share(flag: string) {
  return rate(flag, 'share').default(0);
}

/** `serve`'s flags (how to add one: replay-options.ts); the secrets also come from the config and REPLAY_* variables. */
const serveSchema = z.object({
  /** --port (0 picks a free one). @default 8000 */
  port: aNumber
    .superRefine((port, ctx) => {
      if (!Number.isInteger(port) || port < 0 || port > 65535) addProblem(ctx, `--port must be a whole number from 0 to 65535, not ${port}`);
    })
    .default(8000),
  /** --host: the address to bind. @default '127.0.0.1' */
  host: z.string().default('127.0.0.1'),
  /** The credentials the receiver checks requests with, each API's own (credential-options.ts). */
  ...credentialFields('serve'),
  /** --record FILE: every request as NDJSON. */
  record: z.string().optional(),
  /** --record-secrets: keep the client's credentials in --record (never the receiver's own secrets). @default false */
  recordSecrets: z.boolean().default(false),
  /** --upstream URL: a recording proxy in front of the real server (serve/upstream.ts). */
  upstream: upstreamUrl('--upstream').optional(),
  /** --upstream-<url flag> URL: with --upstream, where that endpoint's requests go (`--upstream-sud-url`; url-options.ts). */
  ...urlFields('serve'),
  failRate: share('fail-rate'),
  throttleRate: share('throttle-rate'),
  /** --retry-after: seconds, on a 429. @default 1 */
  retryAfter: aNumber
    .superRefine((n, ctx) => {
      if (!Number.isInteger(n) || n < 0) addProblem(ctx, `--retry-after must be a whole number of seconds, 0 or more, not ${n}`);
    })
    .default(1),
  /** --latency MS or MIN-MAX. */
  latency: z
    .string()
    .transform((text, ctx) => {
      const latencyMs = parseLatency(text);
      if (latencyMs !== undefined) return latencyMs;
      addProblem(ctx, `--latency must be MS or MIN-MAX (for example 50 or 10-100), not "${text}"`);
      return z.NEVER;
    })
    .optional(),
  sudErrorRate: share('sud-error-rate'),
  /** --sud-fail-first. @default false */
  sudFailFirst: z.boolean().default(false),
  dropAfterRate: share('drop-after-rate'),
  /** --seed: for the fault draws. */
  seed: aNumber
    .superRefine((seed, ctx) => {
      if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) addProblem(ctx, `--seed must be a whole number from 0 to 4294967295, not ${seed}`);
    })
    .optional(),
  /** --allow-unknown-aid. @default false */
  allowUnknownAid: z.boolean().default(false),
  /** @default false */
  quiet: z.boolean().default(false),
}).superRefine((flags, ctx) => {
  if (flags.upstream === undefined) for (const flag of givenUrlFlags('serve', flags)) addProblem(ctx, `${flag} needs --upstream`);
}, ALWAYS);

/** The handler's arguments: the schema's input, and the credential flags by key (credential-options.ts). */
export type ServeArgs = GlobalArgs & z.input<typeof serveSchema> & CredentialFlags;

function builder(y: Argv<GlobalArgs>): Argv<ServeArgs> {
  const listen = y
    .option('port', { describe: 'port to listen on (0 picks a free one)', type: 'number', default: 8000, requiresArg: true })
    .option('host', { describe: 'address to bind', type: 'string', default: '127.0.0.1', requiresArg: true });
  // Each API's credentials its receiver checks requests with, from its folder (credential-options.ts).
  const proxy = withCredentialOptions(listen, 'serve')
    .option('record', { describe: 'append every request to FILE as NDJSON (session_key, ss_token and secrets masked)', type: 'string', requiresArg: true })
    .option('record-secrets', { describe: "with --record: keep the client's session_key, ss_token and signatures as received (to replay with --keep-auth); the receiver's own secrets stay masked", type: 'boolean', default: false })
    .option('upstream', { describe: 'a recording proxy: forward every endpoint request to this base URL and relay its answer unchanged', type: 'string', requiresArg: true });
  // Each endpoint's own upstream URL flag, from its API's folder (url-options.ts).
  return withUrlOptions(proxy, 'serve')
    .option('fail-rate', { describe: 'share of requests answered 503 before validation (0..1)', type: 'number', default: 0, requiresArg: true })
    .option('throttle-rate', { describe: 'share of requests answered 429 with Retry-After (0..1)', type: 'number', default: 0, requiresArg: true })
    .option('retry-after', { describe: 'Retry-After seconds on a 429', type: 'number', default: 1, requiresArg: true })
    .option('latency', { describe: 'delay every answer: MS, or MIN-MAX for a uniform range', type: 'string', requiresArg: true })
    .option('sud-error-rate', { describe: 'share of valid SUD reports answered ret_code 5000 (0..1)', type: 'number', default: 0, requiresArg: true })
    .option('sud-fail-first', { describe: 'answer ret_code 5000 to the first delivery of each SUD report (proves retries)', type: 'boolean', default: false })
    .option('drop-after-rate', { describe: 'share of requests processed, then answered by closing the connection (0..1)', type: 'number', default: 0, requiresArg: true })
    .option('seed', { describe: 'seed for the fault draws: the same seed fails the same requests', type: 'number', requiresArg: true })
    .option('allow-unknown-aid', { describe: 'accept stat aids outside the feature table', type: 'boolean', default: false });
}

export const serveExamples: readonly Example[] = [
  { command: 'report-replay serve --port 8000', says: 'listen on http://127.0.0.1:8000 until Ctrl-C' },
  { command: 'report-replay serve --port 8000 --stat-secret S --record captured.ndjson', says: 'verify stat signatures; capture every request a client sends (secrets masked)' },
  { command: 'REPLAY_SUD_APP_SECRET=s3cret report-replay serve --port 8000 --sud-app-id app1', says: 'verify SUD signature headers (the secret from the environment)' },
  { command: 'report-replay serve --port 0 --fail-rate 0.1 --latency 20-200 --seed 42', says: 'a free port; misbehave on purpose, reproducibly' },
  { command: 'report-replay serve --port 8000 --sud-fail-first', says: 'fail the first delivery of each SUD report, accept the retry' },
  { command: 'report-replay serve --port 8000 --upstream https://api.example.com --record captured.ndjson --record-secrets', says: 'a recording proxy in front of the real server: the client sees its answers, the capture holds both sides' },
];

/** Flags (and secrets from config and environment) to receiver options; every range checked. */
export async function serveOptions(typed: ServeArgs, env: NodeJS.ProcessEnv): Promise<ReceiverOptions> {
  const args = parseOptions(serveSchema, typed, 'serve');
  const latencyMs = args.latency;
  const environment = selectEnvironment(loadedConfig(), undefined);
  const creds = resolveCredentials(environment, env, args);
  // Each API says which credentials its receiver cannot verify with (SUD: an app id without its secret).
  for (const verification of verifications()) {
    const problem = verification.problem?.(creds);
    if (problem !== undefined) throw new UsageError(problem);
  }
  return {
    port: args.port,
    host: args.host,
    credentials: creds,
    ...(args.record !== undefined && { record: args.record, recordSecrets: args.recordSecrets }),
    ...(args.upstream !== undefined && { upstream: args.upstream }),
    ...(args.upstream !== undefined && { upstreamUrls: upstreamUrls(args) }),
    failRate: args.failRate,
    throttleRate: args.throttleRate,
    retryAfterSeconds: args.retryAfter,
    ...(latencyMs !== undefined && { latencyMs }),
    sudErrorRate: args.sudErrorRate,
    sudFailFirst: args.sudFailFirst,
    dropAfterRate: args.dropAfterRate,
    ...(args.seed !== undefined && { seed: args.seed }),
    allowUnknownAid: args.allowUnknownAid,
  };
}

/** How each API's receiver checks requests with credentials, by API name (stat, then sud). */
function verifications(): ServeVerification[] {
  return [...apiModules()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((api) => (api.verification === undefined ? [] : [api.verification]));
}

const percent = (rate: number | undefined): string => `${+((rate ?? 0) * 100).toFixed(3)}%`;

/** What the receiver checks and how it misbehaves, in a few lines, without any secret. */
export function describeSetup(options: ReceiverOptions, receiver: Receiver): string[] {
  const lines = verifications().map((verification) => verification.describe(options.credentials ?? {}));
  const faults: string[] = [];
  if (options.failRate) faults.push(`503 on ${percent(options.failRate)}`);
  if (options.throttleRate) faults.push(`429 on ${percent(options.throttleRate)} (Retry-After ${options.retryAfterSeconds ?? 1} s)`);
  if (options.latencyMs !== undefined) {
    const l = options.latencyMs;
    faults.push(`latency ${typeof l === 'number' ? `${l}` : `${l[0]}-${l[1]}`} ms`);
  }
  if (options.sudErrorRate) faults.push(`SUD ret_code 5000 on ${percent(options.sudErrorRate)}`);
  if (options.sudFailFirst) faults.push('SUD first delivery of each report fails');
  if (options.dropAfterRate) faults.push(`answer dropped after processing on ${percent(options.dropAfterRate)}`);
  if (faults.length > 0) lines.push(`faults: ${faults.join(', ')}; seed ${receiver.seed}`);
  if (options.upstream !== undefined) {
    const own = Object.entries(options.upstreamUrls ?? {}).map(([endpoint, url]) => `${upstreamLabel(endpoint)} to ${urlWithoutCredentials(url)}`);
    const others = own.length === 0 ? '' : ` (${own.join(', ')})`;
    lines.push(`proxying every endpoint request to ${urlWithoutCredentials(options.upstream)}${others}; injected faults are answered here`);
  }
  if (options.record !== undefined) lines.push(`recording every request to ${options.record}`);
  lines.push(`counts: GET ${receiver.url}/stats`);
  return lines;
}

function describeTotals(stats: ReceiverStats): string {
  const t = stats.totals;
  return (
    `stopped: ${t.requests} requests (${t.accepted} accepted, ${t.rejected} rejected, ${t.duplicates} duplicates, ` +
    `${t.faults} faults), ${t.records} records`
  );
}

/** Resolves on the first SIGINT or SIGTERM; a second one gets Node's default (exit at once). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const off = listenForInterrupts(() => {
      off();
      resolve();
    });
  });
}

export const serveCommand: CommandModule<GlobalArgs, ServeArgs> = {
  command: 'serve',
  describe: 'run the embedded receiver: all four endpoints, validation, signatures, counts, fault injection',
  builder,
  handler: async (args) => {
    const io = getIo();
    const options = await serveOptions(args, io.env);
    let receiver: Receiver;
    try {
      receiver = await startReceiver(options);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const hint = code === 'EADDRINUSE' ? 'pick another --port, or --port 0 for a free one' : undefined;
      const what = code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' ? `cannot listen on ${args.host}:${args.port}` : 'cannot start the receiver';
      throw new UserError(`${what}: ${describeError(err)}`, { exitCode: ExitCode.Usage, ...(hint && { hint }) });
    }
    const stopped = untilSignal();
    io.stdout.write(`listening on ${receiver.url}\n`);
    if (!args.quiet) io.stdout.write(describeSetup(options, receiver).join('\n') + '\n');
    await stopped;
    await receiver.close();
    if (!args.quiet) io.stdout.write(describeTotals(receiver.stats()) + '\n');
    if (receiver.recordError) throw new UserError(`--record ${options.record}: ${describeError(receiver.recordError)}`);
    setExitCode(ExitCode.Ok);
  },
};
