/** `report-replay validate <inputs..>`: judge every record; the exit code tells CI (README "validate"). */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { loadConfig, resolveCredentials, selectEnvironment } from '../config/config.js';
import type { CommandModule } from 'yargs';
import { resolveInputs } from '../input/sources.js';
import { readRecords } from '../input/read.js';
import { RunStats } from '../report/stats.js';
import { buildReport } from '../report/report.js';
import { FailedWriter } from '../report/failed.js';
import { ProgressLine, totalInputBytes } from '../report/progress.js';
import { RecordJudge } from '../validate/judge.js';
import { validateInParallel } from '../workers/validate-pool.js';
import { WorkerFailedError } from '../workers/unit-threads.js';
import { defaultValidateWorkers } from '../workers/defaults.js';
import { UserError } from '../errors.js';
import type { Example } from './examples.js';
import { checkOutputs, outputPaths } from './outputs.js';
import { getIo, setExitCode, throwIfOutputFailed, type GlobalArgs } from './context.js';
import { problemReporter, summaryStream, withReporterOption } from './reporter-option.js';
import { INPUTS_TEXT, delimiterOf, inputFlags, judgeOptions, showReport, usageText, withInputOptions } from './shared-options.js';
import { exitCodeOf } from './exit-code.js';
import { parseOptions, wholeNumber } from './options/problems.js';
import { REPORTERS } from '../report/reporters/problems.js';

/** `validate`'s flags: the shared input flags and its own (how to add one: replay-options.ts). */
const validateSchema = z.object({
  ...inputFlags,
  /** @default false */
  quiet: z.boolean().default(false),
  /** --allow-empty: an input without records is fine. @default false */
  allowEmpty: z.boolean().default(false),
  /** --workers N: threads that judge beside the main thread; 0 judges on the main thread only. @default cores − 1, at least 1 */
  workers: wholeNumber('workers', 0).optional(),
  /** --reporter: table, json, junit or github (reporter-option.ts). @default 'table' */
  reporter: z.enum(REPORTERS).default('table'),
});

type ValidateArgs = GlobalArgs & z.input<typeof validateSchema>;

export const validateExamples: readonly Example[] = [
  { command: 'report-replay validate samples/ndjson', says: 'validate every log in a folder' },
  { command: 'report-replay validate samples/bad --max-examples 2', says: 'one example of every rule: exits 1', exits: 1 },
  { command: 'report-replay validate events.csv.gz --api download --strict', says: 'one API; warnings fail the run too' },
  { command: 'zcat day.ndjson.gz | report-replay validate - --format ndjson --json > report.json', says: 'stdin, the JSON report to a file' },
  { command: 'report-replay validate logs/ --failed bad.ndjson --report report.json', says: 'write the bad records (replayable once fixed) and the report' },
];

const DESCRIBE = 'validate event logs against the three APIs; exit 1 when any record is invalid';

export const validateCommand: CommandModule<GlobalArgs, ValidateArgs> = {
  command: 'validate <inputs..>',
  describe: DESCRIBE,
  builder: (y) =>
    withReporterOption(withInputOptions(y.usage(usageText('validate <inputs..>', DESCRIBE, INPUTS_TEXT)))).option('allow-empty', {
      describe: 'an input without records is fine (exit 0); by default it fails the run (exit 1)',
      type: 'boolean',
      default: false,
    }).option('workers', {
      describe: 'worker threads that judge beside the main thread (default: cores - 1, at least 1); 0 judges on the main thread only',
      type: 'number',
    }),
  handler: async (args) => {
    const io = getIo();
    const flags = parseOptions(validateSchema, args, 'validate');
    const stats = new RunStats('validate', flags.maxExamples);
    // Judged with the configured credentials (config, REPLAY_* variables), as replay judges.
    const credentials = resolveCredentials(selectEnvironment(await loadConfig(args.config, io.env), undefined), io.env, {});
    const judgeWith = { ...judgeOptions(flags, Date.now()), credentials };
    const judge = new RecordJudge(judgeWith, stats);
    const workers = flags.workers ?? defaultValidateWorkers();
    const sources = await resolveInputs(flags.inputs, { format: flags.format });
    await checkOutputs(outputPaths({ failed: flags.failed, report: flags.report }), sources);
    const failed = flags.failed ? new FailedWriter(flags.failed, { append: false }) : undefined;
    const reporter = problemReporter(flags, io, 'report-replay validate');
    const json = flags.json || flags.reporter === 'json';
    const total = totalInputBytes(sources);
    const progress = io.stdout.isTTY && !flags.quiet && !json && !reporter ? new ProgressLine(io.stdout, total === undefined ? {} : { totalBytes: total }) : undefined;
    const bytes = { bytesRead: 0 };
    let readError: UserError | undefined;
    let read = 0;
    try {
      // Threads need files to cut; stdin is read on this thread alone.
      if (workers > 0 && !sources.some((s) => s.path === '-')) {
        await validateInParallel(sources, { workers, judge: judgeWith, delimiter: delimiterOf(flags) }, {
          valid: (endpoint, origin, lines, records) => {
            stats.addJudged({ origin, endpoint: endpoint, records, valid: true, findings: [] });
            // A run of lines without findings: each is a passed case to a reporter.
            if (reporter) for (let i = 0; i < lines; i++) reporter.judged(origin, [], true);
          },
          verdict: async (origin, v) => {
            stats.addJudged({ origin, endpoint: v.endpoint, records: v.records, valid: v.valid, findings: v.findings });
            reporter?.judged(origin, v.findings, v.valid);
            if (!v.valid && failed) await failed.writeInvalid(origin, v.failedForm, v.findings);
          },
          progress: (judged, byteCount) => {
            read += judged;
            bytes.bytesRead += byteCount;
            progress?.reading('validating', { read, invalid: stats.totals().invalid, bytesRead: bytes.bytesRead });
          },
        });
      } else for await (const batch of readRecords(sources, { delimiter: delimiterOf(flags), stdin: io.stdin as Readable, progress: bytes })) {
        for (const raw of batch) {
          const verdict = judge.judge(raw);
          reporter?.judged(verdict.origin, verdict.findings, verdict.record !== undefined);
          if (!verdict.record && failed) await failed.writeInvalid(verdict.origin, verdict.failedForm, verdict.findings);
        }
        read += batch.length;
        progress?.reading('validating', { read, invalid: stats.totals().invalid, bytesRead: bytes.bytesRead });
      }
    } catch (err) {
      // An input that breaks mid-way (truncated .gz): report what was read, then the error.
      if (!(err instanceof UserError) || err instanceof WorkerFailedError) throw err;
      readError = err;
    } finally {
      progress?.done();
      await failed?.close();
    }
    stats.finish();
    const totals = stats.totals();
    if (totals.records === 0) stats.addNote(flags.allowEmpty ? 'no records were read (--allow-empty)' : 'no records were read: the inputs hold none (--allow-empty accepts that)');
    const exitCode = exitCodeOf({
      stoppedBy: readError?.exitCode,
      invalid: totals.invalid,
      failed: 0,
      // An empty input is usually a mistake (a wrong folder, an empty export): it fails unless allowed.
      failedOtherwise: totals.records === 0 && !flags.allowEmpty,
    });
    const report = buildReport(stats, { exitCode });
    throwIfOutputFailed();
    if (reporter) io.stdout.write(reporter.finish());
    const out = summaryStream(flags, io);
    await showReport(report, { ...flags, json }, { io, mode: 'validate', ...(out && { out }) });
    if (readError) throw readError;
    setExitCode(exitCode);
  },
};
