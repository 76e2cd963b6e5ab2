/**
 * `report-replay report <results-or-reports..>` (README "Results"): results files
 * (`replay --results`, one per shard or several runs) added up into the summary table, the
 * JSON report (`--json`, `--report`) or the HTML report with its charts (`--html`). JSON
 * reports render too — merged, as `merge` does — without time series. Given both, the
 * reports give the table (they know records read and invalid) and the results the charts.
 *
 * Exit codes as `merge`: 0, or 1 when records were invalid or undelivered; 2 when a file
 * cannot be read or is neither.
 */
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, UsageError } from '../errors.js';
import { renderHtml, writeHtml } from '../report/html/page.js';
import { maskedCommandLine } from '../report/html/command-line.js';
import { mergeReports } from '../report/merge.js';
import type { Report } from '../report/report.js';
import { kindOf, readResults } from '../results/read.js';
import { TimeSeries } from '../results/series.js';
import { ResultsSummary } from '../results/summary.js';
import type { Example } from './examples.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { mergedRunFailed, readReportFile } from './merge.js';
import { checkOutputs, type OutputPath } from './outputs.js';
import { showReport, usageText } from './shared-options.js';

export interface ReportArgs extends GlobalArgs {
  files: string[];
  report?: string;
  html?: string;
  json: boolean;
}

const DESCRIBE = 'render results files (replay --results) or JSON reports as the summary table, JSON or an HTML report with charts';

function builder(y: Argv<GlobalArgs>): Argv<ReportArgs> {
  return y
    .usage(usageText('report <files..>', DESCRIBE, '<files..>  results files (.ndjson or .ndjson.gz, one per shard) or JSON reports (--report)'))
    .option('files', { type: 'string', array: true, hidden: true })
    .option('html', { describe: 'write the HTML report (charts from the results) to FILE', type: 'string', requiresArg: true })
    .option('report', { describe: 'write the JSON report to FILE', type: 'string', requiresArg: true })
    .option('json', { describe: 'print the JSON report to stdout instead of the table', type: 'boolean', default: false }) as unknown as Argv<ReportArgs>;
}

export const reportExamples: readonly Example[] = [
  {
    command: 'report-replay replay samples/ndjson --target http://127.0.0.1:8000 --stat-secret S --stat-session-key K --results r.ndjson -q && report-replay report r.ndjson --html r.html',
    says: 'a run that keeps its results, then its HTML report (charts) from them',
  },
  { command: 'report-replay report shard-0.json shard-1.json --html run.html', says: 'JSON reports (merged) as a page: no charts, they hold no time series' },
];

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: 'report <files..>',
  describe: DESCRIBE,
  builder,
  handler: async (args) => {
    const io = getIo();
    if (!args.files || args.files.length === 0) throw new UsageError('report needs at least one results file or JSON report');
    const outputs: OutputPath[] = [];
    if (args.report !== undefined) outputs.push({ flag: '--report', path: args.report });
    if (args.html !== undefined) outputs.push({ flag: '--html', path: args.html });
    if (outputs.length > 0) await checkOutputs(outputs, args.files.map((file) => ({ name: file, path: file, format: 'ndjson' as const, gzip: false })));
    const summary = new ResultsSummary();
    const series = args.html === undefined ? undefined : new TimeSeries();
    const reports: Report[] = [];
    let results = 0;
    for (const file of args.files) {
      if ((await kindOf(file)) === 'report') {
        reports.push(await readReportFile(file));
        continue;
      }
      results++;
      for await (const line of readResults(file)) {
        summary.add(line);
        series?.add(line);
      }
    }
    const report = reports.length > 0 ? mergeReports(reports) : summary.report();
    await showReport(report, { ...args, quiet: args.quiet }, { io, mode: report.command.startsWith('validate') ? 'validate' : 'replay' });
    if (args.html !== undefined) {
      await writeHtml(args.html, renderHtml(report, results > 0 ? series : undefined, { command: reports.length > 0 ? report.command : maskedCommandLine(process.argv.slice(2)), sources: args.files }));
    }
    setExitCode(mergedRunFailed(report) ? ExitCode.Failed : ExitCode.Ok);
  },
};
