/** `report-replay replay <inputs..> --target URL`: validate, sign, send (README § replay). */
import type { Argv, CommandModule } from 'yargs';
import { resolveInputs } from '../input/sources.js';
import { RunStats } from '../report/stats.js';
import { buildReport } from '../report/report.js';
import { backfillReport } from '../report/resumed.js';
import { runReplay } from '../replay/engine.js';
import { REPLAY_DEFAULTS } from '../replay/options.js';
import { ExitCode } from '../errors.js';
import { printable } from '../printable.js';
import type { Example } from './examples.js';
import { checkOutputs, outputPaths } from './outputs.js';
import { getCommandLine, getIo, setExitCode, throwIfOutputFailed, type GlobalArgs } from './context.js';
import { replayInProcesses } from './replay-processes.js';
import { connectToParent } from '../replay/processes/to-parent.js';
import { INPUTS_TEXT, showReport, usageText, withInputOptions } from './shared-options.js';
import { RunOutputs, runOutputPaths, withRunOutputOptions, type RunOutputArgs } from './run-outputs.js';
import { checkReplayFlags, replayOptionsOf, type ReplayArgs } from './replay-options.js';
import { exitCodeOf } from './exit-code.js';
import { credentialFlagNames, withCredentialOptions } from './credential-options.js';
import { aloneText, urlFlagNames, withUrlOptions } from './url-options.js';
import { apiOptionNames, withApiOptions } from './api-options.js';

const DURATIONS = 'durations: 500ms, 10s, 2m, 1h; a bare number is seconds';

function replayOptions<T>(y: Argv<T>): Argv<T & ReplayArgs> {
  const target = withInputOptions(y)
    .group(['target', ...urlFlagNames('replay'), 'env'], 'Target:')
    .option('target', { describe: `base URL for every endpoint (paths per API)${aloneText()}`, type: 'string', requiresArg: true });
  // Each endpoint's own URL flag, from its API's folder (url-options.ts).
  const withTarget = withUrlOptions(target, 'replay')
    .option('env', { describe: 'environment from the config file (its target and credentials)', type: 'string', requiresArg: true })
    .group([...credentialFlagNames('replay'), 'signer', ...apiOptionNames('signing'), 'keep-auth'], 'Credentials and signing:');
  // Each API's credential flags, and its own signing flags (stat's --ts), from its folder (credential-options.ts, api-options.ts).
  const signer = withCredentialOptions(withTarget, 'replay').option('signer', { describe: 'md5-sorted, sud-hmac, none, or ./module.mjs (default: per API)', type: 'string', requiresArg: true });
  const requests = withApiOptions(signer, 'signing')
    .option('keep-auth', { describe: 'send logged auth fields unchanged (reproduce captured traffic)', type: 'boolean', default: false })
    .group(['transport', 'rate', 'ramp', 'concurrency', 'pace', 'speed', 'duration', 'loop', 'unique', 'shard', 'processes', 'workers', 'threshold'], 'Pacing and load:')
    .option('transport', { describe: 'HTTP client: got, or undici for load beyond ~4k req/s', choices: ['got', 'undici'] as const, default: 'got' as const, requiresArg: true })
    .option('rate', { describe: 'requests per second (open model); default: as fast as --concurrency allows', type: 'number', requiresArg: true })
    .option('ramp', { describe: 'linear rate ramp FROM:TO:DURATION, e.g. 10:500:1m', type: 'string', requiresArg: true })
    .option('concurrency', { describe: 'requests in flight at most', type: 'number', default: REPLAY_DEFAULTS.concurrency, requiresArg: true })
    .option('pace', { describe: "rate (--rate/--ramp), or original: the log's own timing", choices: ['rate', 'original'] as const, default: 'rate' as const, requiresArg: true })
    .option('speed', { describe: 'with --pace original: this many times faster', type: 'number', default: 1, requiresArg: true })
    .option('duration', { describe: `stop after this long (${DURATIONS})`, type: 'string', requiresArg: true })
    .option('loop', { describe: 'read the inputs again and again until --duration', type: 'boolean', default: false })
    .option('unique', { describe: 'with --loop: rewrite duplicate keys (SUD game_round_id) per loop', type: 'boolean', default: false })
    .option('shard', { describe: 'send only shard K of N (K from 0), or auto/N from JOB_COMPLETION_INDEX', type: 'string', requiresArg: true })
    .option('workers', {
      describe: 'worker threads that read, judge, build and sign records ahead of the sending thread; 0: all on one thread (default: cores − 1, at most 2, one fewer for a target on this machine)',
      type: 'number',
      requiresArg: true,
    })
    .option('processes', { describe: 'run N shard processes on this machine, one merged summary (--rate and --concurrency are split among them)', type: 'number', default: 1, requiresArg: true })
    .option('threshold', { describe: 'exit 1 when breached: p99<200, failed<1%, rate>=190 (repeatable)', type: 'string', array: true, requiresArg: true })
    .group(['retries', 'retry-delay', 'timeout', 'checkpoint', 'resume', 'restart', 'uncertain', 'grace'], 'Delivery:')
    .option('retries', { describe: 'retries per request (default: 3; SUD ret_code: 3)', type: 'number', requiresArg: true })
    .option('retry-delay', { describe: `base retry delay (default: 250ms exponential; SUD ret_code: 60s)`, type: 'string', requiresArg: true })
    .option('timeout', { describe: `per-request timeout (${DURATIONS})`, type: 'string', default: '10s', requiresArg: true })
    .option('checkpoint', { describe: 'save progress to FILE (per input, the line up to which all is settled)', type: 'string', requiresArg: true })
    .option('resume', { describe: 'continue from --checkpoint: nothing sent twice, nothing skipped', type: 'boolean', default: false })
    .option('restart', { describe: 'start an unfinished --checkpoint over instead of resuming it', type: 'boolean', default: false })
    .option('uncertain', { describe: 'a request sent whose answer was lost, or records in flight when an earlier run died: resend, skip (fail them, to --failed) or fail (stop) (default: resend for SUD, skip for stat and download)', choices: ['resend', 'skip', 'fail'] as const, requiresArg: true })
    .option('grace', { describe: 'on Ctrl-C, how long in-flight requests may finish', type: 'string', default: '5s', requiresArg: true })
    .group(apiOptionNames('requests'), 'Requests:');
  // Each API's request flags (stat's --batch-size), from its folder (api-options.ts).
  return withApiOptions(requests, 'requests')
    .option('dry-run', { describe: 'validate, build and sign; send nothing', type: 'boolean', default: false })
    .option('print-requests', { describe: 'with --dry-run: print each request as NDJSON (secrets masked)', type: 'boolean', default: false });
}

export const replayExamples: readonly Example[] = [
  {
    command: 'report-replay replay samples/ndjson --target http://127.0.0.1:8000 --stat-secret S --stat-session-key K',
    says: 'send the samples to a local receiver (report-replay serve --port 8000 --stat-secret S)',
  },
  {
    command: 'report-replay replay missed/ --config replay.json --env prod --checkpoint run.ckpt --failed failed.ndjson --report run.json',
    says: 'a resumable backfill: progress saved, undeliverable records written out',
  },
  {
    command: 'report-replay replay missed/ --config replay.json --env prod --checkpoint run.ckpt --failed failed.ndjson --report run.json --resume',
    says: 'after Ctrl-C or a crash: the same command plus --resume (nothing sent twice, nothing skipped)',
  },
  { command: 'report-replay replay failed.ndjson --config replay.json --env prod --failed still-failed.ndjson', says: 'later: the undeliverable records, as they were written' },
  {
    command: `report-replay replay load.ndjson --target "$STAGING" --transport undici --rate 2000 --loop --unique --duration 5m --threshold 'p99<200'`,
    says: 'a load test: 2000 requests/s for 5 minutes, fresh SUD round ids on every loop',
  },
  { command: 'report-replay replay captured.ndjson --target "$STAGING" --pace original --speed 10', says: "the log's own timing, ten times faster" },
  { command: 'report-replay replay sud.ndjson --sud-url "$STAGING/sud/report_game_info"', says: 'SUD reports alone need only its URL' },
  {
    command: 'report-replay replay events.ndjson --dry-run --print-requests --stat-secret S --stat-session-key K',
    says: 'see the exact signed requests (secrets masked); send nothing',
  },
];

const DESCRIBE = 'validate, sign and send records to the reporting APIs, rate-limited';

export const replayCommand: CommandModule<GlobalArgs, GlobalArgs & ReplayArgs & RunOutputArgs> = {
  command: 'replay <inputs..>',
  describe: DESCRIBE,
  builder: (y) => withRunOutputOptions(replayOptions(y.usage(usageText('replay <inputs..>', DESCRIBE, INPUTS_TEXT)))),
  handler: async (args) => {
    const io = getIo();
    // Every flag problem at once, before any input is opened.
    const flags = checkReplayFlags(args, io.env);
    const inputs = await resolveInputs(flags.inputs, { format: flags.format });
    if (flags.processes !== 1) return replayInProcesses(flags, inputs, getCommandLine(), io);
    await checkOutputs(outputPaths({ failed: flags.failed, report: flags.report, checkpoint: flags.dryRun ? undefined : flags.checkpoint }).concat(runOutputPaths(flags)), inputs);
    const { options, notices } = replayOptionsOf(flags, inputs, io);
    for (const notice of notices) io.stderr.write(`report-replay: ${printable(notice)}\n`);
    const stats = new RunStats(flags.dryRun ? 'replay --dry-run' : 'replay', flags.maxExamples);
    // A shard of `--processes N` reports to its parent (replay/processes/).
    const parent = connectToParent(io.env, () => {
      stats.finish();
      return buildReport(stats);
    });
    const outputs = new RunOutputs(flags, io);
    for (const note of outputs.notes) stats.addNote(note);
    const outcome = await runReplay(options, io, stats, outputs.observer).finally(() => parent?.stop());
    stats.finish();
    const totals = stats.totals();
    if (totals.records === 0 && !outcome.interrupted) {
      stats.addNote(options.resume ? 'nothing left to send: the checkpoint says an earlier run settled every record' : 'no records were read: the inputs hold none');
    }
    // A resumed backfill reports the whole backfill, and its exit code says how that went.
    const report = backfillReport(outcome.earlier, buildReport(stats, { thresholds: outcome.thresholds }));
    report.exitCode = exitCodeOf({
      // --uncertain fail stopped the run itself, like an I/O error would (exit 2), summary first.
      stoppedBy: outcome.failure !== undefined || outcome.uncertainStop !== undefined ? ExitCode.Usage : undefined,
      interrupted: outcome.interrupted,
      invalid: report.totals.invalid,
      failed: report.totals.failed,
      thresholds: outcome.thresholds,
    });
    const exitCode = report.exitCode;
    // A summary on top of a failed stdout (--print-requests > /dev/full) would claim what did not happen.
    outputs.closeStreams();
    throwIfOutputFailed();
    await parent?.final(report);
    // When stdout carries the requests, the results or a reporter's output, the table goes to stderr.
    const out = flags.printRequests ? io.stderr : outputs.summaryOut;
    await showReport(report, { ...flags, json: outputs.json }, { io, mode: flags.dryRun ? 'dry-run' : 'replay', ...(out && { out }) });
    await outputs.writeHtml(report);
    // The summary first: what was sent before --failed or the checkpoint became unwritable is the user's to see.
    if (outcome.failure !== undefined) throw outcome.failure;
    if (outputs.error !== undefined) throw outputs.error;
    if (outcome.uncertainStop !== undefined) {
      const n = outcome.uncertainStop;
      const where = flags.failed ? ` (written to ${flags.failed})` : '';
      io.stderr.write(
        `report-replay: stopped by --uncertain fail: ${n} record${n === 1 ? ' was' : 's were'} sent but the answer was lost, so the server may have processed ${n === 1 ? 'it' : 'them'}${where}\n`,
      );
    }
    setExitCode(exitCode);
  },
};
