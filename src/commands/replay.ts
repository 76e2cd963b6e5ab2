/** `report-replay replay <inputs..> --target URL`: validate, sign, send (SPEC §5). */
import type { Argv, CommandModule } from 'yargs';
import { resolveInputs } from '../input/sources.js';
import { RunStats } from '../report/stats.js';
import { buildReport, reportJson, writeReportText } from '../report/report.js';
import { renderSummary } from '../report/table.js';
import { runReplay } from '../replay/engine.js';
import { REPLAY_DEFAULTS } from '../replay/options.js';
import { ExitCode } from '../errors.js';
import { redactText, secretValues } from '../redact.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { useColor, withInputOptions } from './shared-options.js';
import { resolveReplayOptions, type ReplayArgs } from './replay-options.js';

const DURATIONS = 'durations: 500ms, 10s, 2m, 1h; a bare number is seconds';

function replayOptions<T>(y: Argv<T>): Argv<T & ReplayArgs> {
  return withInputOptions(y)
    .group(['target', 'sud-url', 'env'], 'Target:')
    .option('target', { describe: 'base URL for every endpoint (paths per API)', type: 'string', requiresArg: true })
    .option('sud-url', { describe: "full URL of SUD's report endpoint (deployment-specific)", type: 'string', requiresArg: true })
    .option('env', { describe: 'environment from the config file (its target and credentials)', type: 'string', requiresArg: true })
    .group(['stat-secret', 'stat-session-key', 'sud-uid', 'sud-ss-token', 'sud-app-id', 'sud-app-secret', 'signer', 'ts', 'keep-auth'], 'Credentials and signing:')
    .option('stat-secret', { describe: 'stat md5 signing secret (REPLAY_STAT_SECRET)', type: 'string', requiresArg: true })
    .option('stat-session-key', { describe: 'stat session_key sent with every request (REPLAY_STAT_SESSION_KEY)', type: 'string', requiresArg: true })
    .option('sud-uid', { describe: 'SUD leader uid, overrides the records (REPLAY_SUD_UID)', type: 'string', requiresArg: true })
    .option('sud-ss-token', { describe: 'SUD leader ss_token, overrides the records (REPLAY_SUD_SS_TOKEN)', type: 'string', requiresArg: true })
    .option('sud-app-id', { describe: 'SUD app id for signature headers (REPLAY_SUD_APP_ID)', type: 'string', requiresArg: true })
    .option('sud-app-secret', { describe: 'SUD app secret for signature headers (REPLAY_SUD_APP_SECRET)', type: 'string', requiresArg: true })
    .option('signer', { describe: 'md5-sorted, sud-hmac, none, or ./module.mjs (default: per API)', type: 'string', requiresArg: true })
    .option('ts', { describe: "stat ts: keep the record's (else now), or now", choices: ['keep', 'now'] as const, default: 'keep' as const })
    .option('keep-auth', { describe: 'send logged auth fields unchanged (reproduce captured traffic)', type: 'boolean', default: false })
    .group(['transport', 'rate', 'ramp', 'concurrency', 'pace', 'speed', 'duration', 'loop', 'unique', 'shard', 'threshold'], 'Pacing and load:')
    .option('transport', { describe: 'HTTP client: got, or undici for load beyond ~4k req/s', choices: ['got', 'undici'] as const, default: 'got' as const })
    .option('rate', { describe: 'requests per second (open model); default: as fast as --concurrency allows', type: 'number', requiresArg: true })
    .option('ramp', { describe: 'linear rate ramp FROM:TO:DURATION, e.g. 10:500:1m', type: 'string', requiresArg: true })
    .option('concurrency', { describe: 'requests in flight at most', type: 'number', default: REPLAY_DEFAULTS.concurrency })
    .option('pace', { describe: "rate (--rate/--ramp), or original: the log's own timing", choices: ['rate', 'original'] as const, default: 'rate' as const })
    .option('speed', { describe: 'with --pace original: this many times faster', type: 'number', default: 1 })
    .option('duration', { describe: `stop after this long (${DURATIONS})`, type: 'string', requiresArg: true })
    .option('loop', { describe: 'read the inputs again and again until --duration', type: 'boolean', default: false })
    .option('unique', { describe: 'with --loop: rewrite duplicate keys (SUD game_round_id) per loop', type: 'boolean', default: false })
    .option('shard', { describe: 'send only shard K of N (K from 0), or auto/N from JOB_COMPLETION_INDEX', type: 'string', requiresArg: true })
    .option('threshold', { describe: 'exit 1 when breached: p99<200, failed<1%, rate>=190 (repeatable)', type: 'string', array: true, default: [] as string[] })
    .group(['retries', 'retry-delay', 'timeout', 'uncertain', 'checkpoint', 'resume', 'grace'], 'Delivery:')
    .option('retries', { describe: 'retries per request (default: 3; SUD ret_code: 3)', type: 'number', requiresArg: true })
    .option('retry-delay', { describe: `base retry delay (default: 250ms exponential; SUD ret_code: 60s)`, type: 'string', requiresArg: true })
    .option('timeout', { describe: `per-request timeout (${DURATIONS})`, type: 'string', default: '10s' })
    .option('uncertain', {
      describe: 'a request sent whose answer was lost: send it again, fail its records (skip), or fail them and stop (default: SUD resend, stat and download skip)',
      choices: ['resend', 'skip', 'fail'] as const,
    })
    .option('checkpoint', { describe: 'save progress to FILE (per input, the line up to which all is settled)', type: 'string', requiresArg: true })
    .option('resume', { describe: 'continue from --checkpoint: nothing sent twice, nothing skipped', type: 'boolean', default: false })
    .option('grace', { describe: 'on Ctrl-C, how long in-flight requests may finish', type: 'string', default: '5s' })
    .group(['batch-size', 'max-url-bytes', 'batch-linger', 'stat-params', 'download-openid-field'], 'Requests:')
    .option('batch-size', { describe: 'stat events per request', type: 'number', default: REPLAY_DEFAULTS.batchSize })
    .option('max-url-bytes', { describe: 'stat query mode: URL length limit; batches split to fit', type: 'number', default: REPLAY_DEFAULTS.maxUrlBytes })
    .option('batch-linger', { describe: 'paced stat batches wait at most this long for more events', type: 'string', default: '200ms' })
    .option('stat-params', { describe: 'stat parameters in the query string or a form body', choices: ['query', 'form'] as const, default: 'query' as const })
    .option('download-openid-field', { describe: 'downloadEvent player id field sent', choices: ['oepnid', 'openid'] as const, default: 'oepnid' as const })
    .option('dry-run', { describe: 'validate, build and sign; send nothing', type: 'boolean', default: false })
    .option('print-requests', { describe: 'with --dry-run: print each request as NDJSON (secrets masked)', type: 'boolean', default: false }) as unknown as Argv<T & ReplayArgs>;
}

export const replayCommand: CommandModule<GlobalArgs, GlobalArgs & ReplayArgs> = {
  command: 'replay <inputs..>',
  describe: 'validate, sign and send records to the reporting APIs, rate-limited',
  builder: (y) =>
    replayOptions(y)
      .example('$0 replay samples/ndjson --target http://127.0.0.1:8000 --stat-secret S', 'send the samples to a local receiver')
      .example('$0 replay missed/ --config replay.json --env prod --checkpoint run.ckpt --failed failed.ndjson', 'a resumable backfill')
      .example('$0 replay missed/ --config replay.json --env prod --checkpoint run.ckpt --failed failed.ndjson --resume', 'after Ctrl-C or a crash: the same command, plus --resume')
      .example('$0 replay load.ndjson --target $STAGING --transport undici --rate 2000 --loop --unique --duration 5m --threshold "p99<200"', 'a load test')
      .example('$0 replay events.ndjson --dry-run --print-requests', 'see the exact signed requests, send nothing'),
  handler: async (args) => {
    const io = getIo();
    const inputs = await resolveInputs(args.inputs, { format: args.format });
    const { options, notices } = await resolveReplayOptions(args, inputs, io);
    for (const notice of notices) io.stderr.write(`report-replay: ${notice}\n`);
    const stats = new RunStats(args.dryRun ? 'replay --dry-run' : 'replay', args.maxExamples);
    const outcome = await runReplay(options, io, stats);
    stats.finish();
    const totals = stats.totals();
    const breached = outcome.thresholds.some((t) => !t.ok);
    // --uncertain fail: the run stopped itself, like an I/O error would (exit 2), summary first.
    const exitCode = outcome.interrupted
      ? ExitCode.Interrupted
      : outcome.uncertainStop !== undefined
        ? ExitCode.Usage
        : totals.invalid > 0 || outcome.undelivered > 0 || breached
          ? ExitCode.Failed
          : ExitCode.Ok;
    const report = buildReport(stats, { exitCode, thresholds: outcome.thresholds });
    const secrets = secretValues(options.credentials);
    // Serialized once (bigint-safe), then masked: the same text for the file and stdout.
    const json = args.report || args.json ? redactText(reportJson(report), secrets) + '\n' : '';
    if (args.report) await writeReportText(args.report, json);
    // When stdout carries data (requests or JSON), the table goes to stderr.
    if (args.json) io.stdout.write(json);
    else if (!args.quiet) {
      const out = args.printRequests ? io.stderr : io.stdout;
      out.write(redactText(renderSummary(report, { color: useColor(out, io.env), mode: args.dryRun ? 'dry-run' : 'replay' }), secrets));
    }
    if (outcome.uncertainStop !== undefined) {
      const n = outcome.uncertainStop;
      const where = args.failed ? ` (written to ${args.failed})` : '';
      io.stderr.write(`report-replay: stopped by --uncertain fail: ${n} record${n === 1 ? ' was' : 's were'} sent but the answer was lost, so the server may have processed ${n === 1 ? 'it' : 'them'}${where}
`);
    }
    setExitCode(exitCode);
  },
};
