/** Options shared by `validate` and `replay`: what to read and how to judge it; how their report is shown. */
import type { Argv } from 'yargs';
import { apiChoices } from '../apis/registry.js';
import { UsageError } from '../errors.js';
import { REPLAY_DEFAULTS } from '../replay/options.js';
import { reportJson, writeReportText, type Report } from '../report/report.js';
import { renderSummary, type RenderOptions } from '../report/table.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { Io } from './context.js';

export interface InputArgs {
  inputs: string[];
  api: string;
  format?: 'ndjson' | 'csv';
  delimiter?: string;
  strict: boolean;
  maxExamples: number;
  allowUnknownAid: boolean;
  report?: string;
  json: boolean;
  failed?: string;
}

/** What `<inputs..>` are, for the usage text. */
export const INPUTS_TEXT = '<inputs..>  log files (.ndjson, .jsonl, .csv, optionally .gz), folders, or - for stdin';

/**
 * A command's usage text: its synopsis, what it does, and what its positional arguments
 * are. (yargs would list them as options, with "[required] [default: []]" beside them.)
 */
export function usageText(synopsis: string, describe: string, positionals?: string): string {
  return [`$0 ${synopsis}`, describe, positionals].filter((part) => part !== undefined).join('\n\n');
}

export function withInputOptions<T>(y: Argv<T>): Argv<T & InputArgs> {
  return y
    // Declared (hidden) only to keep every input text: `2024` is a folder name, not a number.
    .option('inputs', { type: 'string', array: true, hidden: true })
    .option('api', { describe: 'API of every record (stat, sud, download, or an endpoint id); auto detects per record', type: 'string', default: 'auto', choices: apiChoices(), requiresArg: true })
    .option('format', { describe: 'input format (required for stdin; overrides the extension)', choices: ['ndjson', 'csv'] as const, requiresArg: true })
    .option('delimiter', { describe: 'CSV cell delimiter', type: 'string', requiresArg: true })
    .option('strict', { describe: 'treat warnings as errors', type: 'boolean', default: false })
    .option('max-examples', { describe: 'examples shown per rule', type: 'number', default: REPLAY_DEFAULTS.maxExamples, requiresArg: true })
    .option('allow-unknown-aid', { describe: 'accept stat aids that are not in the feature table', type: 'boolean', default: false })
    .option('report', { describe: 'write the JSON report to FILE', type: 'string', requiresArg: true })
    .option('json', { describe: 'print the JSON report to stdout instead of the table', type: 'boolean', default: false })
    .option('failed', { describe: 'write invalid (and, for replay, undelivered) records to FILE as NDJSON with _error', type: 'string', requiresArg: true }) as unknown as Argv<T & InputArgs>;
}

export function judgeOptions(args: InputArgs, nowMs: number): JudgeOptions {
  if (!Number.isInteger(args.maxExamples) || args.maxExamples < 0) throw new UsageError(`--max-examples must be a whole number ≥ 0, not ${args.maxExamples}`);
  if (args.delimiter !== undefined && args.delimiter.length !== 1 && args.delimiter !== '\\t') {
    throw new UsageError(`--delimiter must be one character, not ${JSON.stringify(args.delimiter)}`);
  }
  return { api: args.api, strict: args.strict, allowUnknownAid: args.allowUnknownAid, nowMs };
}

export function delimiterOf(args: InputArgs): string | undefined {
  return args.delimiter === '\\t' ? '\t' : args.delimiter;
}

/** Colour only on a TTY, and never with NO_COLOR (any value) set. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/**
 * The width the summary must fit: the terminal's, or COLUMNS (the shell's convention) when
 * the output is not a terminal but the user said how wide; undefined means no limit.
 */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number | undefined {
  if (stream.isTTY && stream.columns) return stream.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/**
 * A finished run's report, shown as asked: written to --report, printed as JSON (--json)
 * or as the summary table (on `out`, stdout unless it carries data). The summary is shown
 * even when the report cannot be written; that error comes after it.
 */
export async function showReport(
  report: Report,
  args: { readonly report?: string | undefined; readonly json: boolean; readonly quiet: boolean },
  how: { readonly io: Io; readonly mode: RenderOptions['mode']; readonly out?: Io['stdout'] },
): Promise<void> {
  const { io } = how;
  const json = args.report !== undefined || args.json ? reportJson(report) + '\n' : '';
  let writeError: unknown;
  if (args.report !== undefined) await writeReportText(args.report, json).catch((err: unknown) => (writeError = err));
  if (args.json) io.stdout.write(json);
  else if (!args.quiet) {
    const out = how.out ?? io.stdout;
    const width = terminalWidth(out, io.env);
    out.write(renderSummary(report, { color: useColor(out, io.env), mode: how.mode, ...(width !== undefined && { width }) }));
  }
  if (writeError !== undefined) throw writeError;
}
