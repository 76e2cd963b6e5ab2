/**
 * `report-replay merge <reports..>`: one report for a sharded run (README § Scaling out). Each shard
 * wrote its own JSON report (`--report`); this adds them up, merges their latency
 * histograms, prints the summary table and writes the merged report.
 *
 * Exit codes: 0 when every shard succeeded; 1 when any shard did not (its exit code was
 * not 0, or the merged counts show invalid or undelivered records); 2 when a file cannot
 * be read or is not a report.
 */
import { createReadStream } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { z } from 'zod';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { exitCodeOf } from './exit-code.js';
import { fsProblem } from '../input/sources.js';
import { JsonStreamError, readJsonValue } from '../json/stream.js';
import { checkReport, MERGE_READ_EXAMPLES, mergeReports, reportParts } from '../report/merge.js';
import type { Report } from '../report/report.js';
import type { RenderOptions } from '../report/table.js';
import type { Example } from './examples.js';
import { checkOutputs } from './outputs.js';
import { getIo, setExitCode, type GlobalArgs } from './context.js';
import { showReport, usageText } from './shared-options.js';
import { parseOptions, wholeNumber } from './options/problems.js';

/** `merge`'s flags (how to add one: replay-options.ts). */
const mergeSchema = z.object({
  /** The shards' JSON reports. */
  reports: z.array(z.string()).default([]),
  /** --report FILE: the merged report. */
  report: z.string().optional(),
  /** --json: the merged report on stdout instead of the table. @default false */
  json: z.boolean().default(false),
  /** @default false */
  quiet: z.boolean().default(false),
  /** --max-examples: examples kept per rule; undefined: the shards' own limit. */
  maxExamples: wholeNumber('max-examples', 0).optional(),
});

type MergeArgs = GlobalArgs & z.input<typeof mergeSchema>;

const DESCRIBE = 'merge the JSON reports of sharded runs into one (counts added, latency histograms merged)';

function builder(y: Argv<GlobalArgs>): Argv<MergeArgs> {
  return y
    .usage(usageText('merge <reports..>', DESCRIBE, '<reports..>  JSON reports of the shards (written with --report)'))
    .option('reports', { type: 'string', array: true, hidden: true })
    .option('report', { describe: 'write the merged JSON report to FILE', type: 'string', requiresArg: true })
    .option('json', { describe: 'print the merged JSON report to stdout instead of the table', type: 'boolean', default: false })
    .option('max-examples', { describe: "examples kept per rule (default: the shards' own limit)", type: 'number', requiresArg: true });
}

export const mergeExamples: readonly Example[] = [
  { command: 'report-replay merge reports/shard-*.json --report merged.json', says: 'merge the reports of an Indexed Job, keep the result' },
  { command: 'report-replay merge shard-0.json shard-1.json --json > merged.json', says: 'the merged report as JSON on stdout' },
];

/**
 * Read and check one report file, streamed: the file is never held whole, only the parts
 * merge uses (a file that is not a report stops at its first wrong character). Every
 * problem is one line naming the file (exit 2).
 */
export async function readReportFile(file: string, options: { maxExamples?: number } = {}): Promise<Report> {
  let value: unknown;
  try {
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    try {
      value = await readJsonValue(stream, reportParts(options.maxExamples ?? MERGE_READ_EXAMPLES));
    } finally {
      stream.destroy();
    }
  } catch (err) {
    if (err instanceof JsonStreamError) throw new InputError(file, `not JSON (${err.message})`, err);
    throw new InputError(file, fsProblem(err), err);
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
  return exitCodeOf({ invalid: report.totals.invalid, failed: report.totals.failed, failedOtherwise: report.exitCode !== undefined && report.exitCode !== ExitCode.Ok }) !== ExitCode.Ok;
}

export const mergeCommand: CommandModule<GlobalArgs, MergeArgs> = {
  command: 'merge <reports..>',
  describe: DESCRIBE,
  builder,
  handler: async (args) => {
    const io = getIo();
    const flags = parseOptions(mergeSchema, args, 'merge');
    if (flags.reports.length === 0) throw new UsageError('merge needs at least one report file (written by --report)');
    if (flags.report !== undefined) {
      // The merged report must not overwrite a shard's report it reads (by device and inode, not by name).
      const shards = flags.reports.map((file) => ({ name: file, path: file, format: 'ndjson' as const, gzip: false }));
      await checkOutputs([{ flag: '--report', path: flags.report }], shards);
    }
    const reports: Report[] = [];
    const read = flags.maxExamples === undefined ? {} : { maxExamples: flags.maxExamples };
    for (const file of flags.reports) reports.push(await readReportFile(file, read));
    const merged = mergeReports(reports, read);
    await showReport(merged, flags, { io, mode: renderMode(merged.command) });
    setExitCode(mergedRunFailed(merged) ? ExitCode.Failed : ExitCode.Ok);
  },
};
