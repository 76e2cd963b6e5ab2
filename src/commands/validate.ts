/** `report-replay validate <inputs..>`: judge every record; the exit code tells CI (SPEC §3, §6). */
import type { Readable } from 'node:stream';
import type { CommandModule } from 'yargs';
import { loadConfig, resolveCredentials, selectEnvironment } from '../config/config.js';
import { resolveInputs } from '../input/sources.js';
import { readRecords } from '../input/read.js';
import { RunStats } from '../report/stats.js';
import { buildReport, reportJson, writeReport } from '../report/report.js';
import { renderSummary } from '../report/table.js';
import { FailedWriter } from '../report/failed.js';
import { RecordJudge } from '../validate/judge.js';
import { ExitCode, UserError } from '../errors.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { delimiterOf, judgeOptions, useColor, withInputOptions, type InputArgs } from './shared-options.js';

type ValidateArgs = GlobalArgs & InputArgs;

export const validateCommand: CommandModule<GlobalArgs, ValidateArgs> = {
  command: 'validate <inputs..>',
  describe: 'validate event logs against the three APIs; exit 1 when any record is invalid',
  builder: (y) =>
    withInputOptions(y)
      .example('$0 validate samples/ndjson', 'validate every log in a folder')
      .example('$0 validate events.csv.gz --api download --strict', 'one API, warnings fail the run')
      .example('zcat day.ndjson.gz | $0 validate - --format ndjson --json > report.json', 'stdin, JSON report')
      .example('$0 validate logs/ --failed bad.ndjson --report report.json', 'write the bad records and the report'),
  handler: async (args) => {
    const io = getIo();
    const stats = new RunStats('validate', args.maxExamples);
    // Judged with the configured credentials (config, REPLAY_* variables), as replay judges.
    const credentials = resolveCredentials(selectEnvironment(await loadConfig(args.config, io.env), undefined), io.env, {});
    const judge = new RecordJudge({ ...judgeOptions(args, Date.now()), credentials }, stats);
    const sources = await resolveInputs(args.inputs, { format: args.format });
    const failed = args.failed ? new FailedWriter(args.failed, { append: false }) : undefined;
    let readError: UserError | undefined;
    try {
      for await (const batch of readRecords(sources, { delimiter: delimiterOf(args), stdin: io.stdin as Readable })) {
        for (const raw of batch) {
          const verdict = judge.judge(raw);
          if (!verdict.record && failed) await failed.writeInvalid(verdict.origin, verdict.failedForm, verdict.findings);
        }
      }
    } catch (err) {
      // An input that breaks mid-way (truncated .gz): report what was read, then the error.
      if (!(err instanceof UserError)) throw err;
      readError = err;
    } finally {
      await failed?.close();
    }
    stats.finish();
    const totals = stats.totals();
    const exitCode = readError ? readError.exitCode : totals.invalid > 0 ? ExitCode.Failed : ExitCode.Ok;
    const report = buildReport(stats, { exitCode });
    if (args.report) await writeReport(args.report, report);
    if (args.json) io.stdout.write(reportJson(report) + '\n');
    else if (!args.quiet) io.stdout.write(renderSummary(report, { color: useColor(io.stdout, io.env), mode: 'validate' }));
    if (readError) throw readError;
    setExitCode(exitCode);
  },
};
