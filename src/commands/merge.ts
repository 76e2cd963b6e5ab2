/**
 * `report-replay merge <reports..>`: one report for a sharded run (SPEC §9). Each shard
 * wrote its own JSON report (`--report`); this adds them up, merges their latency
 * histograms, prints the summary table and writes the merged report.
 *
 * Exit codes: 0 when every shard succeeded; 1 when any shard did not (its exit code was
 * not 0, or the merged counts show invalid or undelivered records); 2 when a file cannot
 * be read or is not a report.
 */
import { readFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { fsProblem } from '../input/sources.js';
import { checkReport, mergeReports } from '../report/merge.js';
import { reportJson, writeReport, type Report } from '../report/report.js';
import { renderSummary, type RenderOptions } from '../report/table.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { useColor } from './shared-options.js';

export interface MergeArgs extends GlobalArgs {
  reports: string[];
  report?: string;
  json: boolean;
  maxExamples?: number;
}

function builder(y: Argv<GlobalArgs>): Argv<MergeArgs> {
  return y
    .positional('reports', { describe: 'JSON reports of the shards (written with --report)', type: 'string', array: true, demandOption: true })
    .option('report', { describe: 'write the merged JSON report to FILE', type: 'string', requiresArg: true })
    .option('json', { describe: 'print the merged JSON report to stdout instead of the table', type: 'boolean', default: false })
    .option('max-examples', { describe: "examples kept per rule (default: the shards' own limit)", type: 'number', requiresArg: true })
    .example('$0 merge reports/shard-*.json --report merged.json', 'merge the reports of an Indexed Job, keep the result')
    .example('$0 merge shard-0.json shard-1.json --json | jq .byEndpoint', 'the merged report as JSON on stdout') as unknown as Argv<MergeArgs>;
}

/** Read and check one report file; every problem is one line naming the file (exit 2). */
export async function readReportFile(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, fsProblem(err), err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `not JSON (${(err as Error).message})`, err);
  }
  const checked = checkReport(value);
  if ('problem' in checked) throw new InputError(file, checked.problem);
  return checked.report;
}

function renderMode(command: string): RenderOptions['mode'] {
  if (command.startsWith('validate')) return 'validate';
  return command.includes('--dry-run') ? 'dry-run' : 'replay';
}

/** 1 when the job as a whole failed: a shard said so, or records were invalid or undelivered. */
export function mergedRunFailed(report: Report): boolean {
  return (report.exitCode !== undefined && report.exitCode !== ExitCode.Ok) || report.totals.invalid > 0 || report.totals.failed > 0;
}

export const mergeCommand: CommandModule<GlobalArgs, MergeArgs> = {
  command: 'merge <reports..>',
  describe: 'merge the JSON reports of sharded runs into one (counts added, latency histograms merged)',
  builder,
  handler: async (args) => {
    const io = getIo();
    if (args.maxExamples !== undefined && !(Number.isInteger(args.maxExamples) && args.maxExamples >= 0)) {
      throw new UsageError(`--max-examples must be a whole number ≥ 0, not ${args.maxExamples}`);
    }
    const reports: Report[] = [];
    for (const file of args.reports) reports.push(await readReportFile(file));
    const merged = mergeReports(reports, args.maxExamples === undefined ? {} : { maxExamples: args.maxExamples });
    if (args.report) await writeReport(args.report, merged);
    if (args.json) io.stdout.write(reportJson(merged) + '\n');
    else if (!args.quiet) io.stdout.write(renderSummary(merged, { color: useColor(io.stdout, io.env), mode: renderMode(merged.command) }));
    setExitCode(mergedRunFailed(merged) ? ExitCode.Failed : ExitCode.Ok);
  },
};
