/** Options shared by `validate` and `replay`: what to read and how to judge it; how their report is shown. */
import type { Argv } from 'yargs';
import { apiChoices } from '../apis/registry.js';
import { z } from 'zod';
import { REPLAY_DEFAULTS } from '../replay/options.js';
import { reportJson, writeReportText, type Report } from '../report/report.js';
import { renderSummary, type RenderOptions } from '../report/table.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { Io } from './context.js';
import { addProblem, wholeNumber } from './options/problems.js';

/**
 * The flags `validate` and `replay` share (declared for yargs in `withInputOptions`), as an
 * option schema (options/problems.ts; how to add a flag: replay-options.ts).
 */
export const inputFlags = {
  inputs: z.array(z.string()),
  /** --api: the API of every record, or auto (per record). @default 'auto' */
  api: z.string().default('auto'),
  /** --format: required for stdin; overrides the extension. */
  format: z.enum(['ndjson', 'csv']).optional(),
  /** --delimiter: one CSV cell delimiter character, or `\t`. */
  delimiter: z
    .string()
    .superRefine((d, ctx) => {
      if (d.length !== 1 && d !== '\\t') addProblem(ctx, `--delimiter must be one character, not ${JSON.stringify(d)}`);
    })
    .optional(),
  /** --strict: warnings fail records too. @default false */
  strict: z.boolean().default(false),
  /** --max-examples: examples shown per rule. @default 5 */
  maxExamples: wholeNumber('max-examples', 0).default(REPLAY_DEFAULTS.maxExamples),
  /** --allow-unknown-aid: accept stat aids outside the feature table. @default false */
  allowUnknownAid: z.boolean().default(false),
  /** --report FILE: the JSON report. */
  report: z.string().optional(),
  /** --json: the JSON report on stdout instead of the table. @default false */
  json: z.boolean().default(false),
  /** --failed FILE: invalid (and, for replay, undelivered) records as NDJSON. */
  failed: z.string().optional(),
};

export type InputArgs = z.input<z.ZodObject<typeof inputFlags>>;
type InputFlags = z.output<z.ZodObject<typeof inputFlags>>;

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

/** How records are judged, from checked flags. */
export function judgeOptions(flags: Pick<InputFlags, 'api' | 'strict' | 'allowUnknownAid'>, nowMs: number): JudgeOptions {
  return { api: flags.api, strict: flags.strict, allowUnknownAid: flags.allowUnknownAid, nowMs };
}

export function delimiterOf(flags: Pick<InputFlags, 'delimiter'>): string | undefined {
  return flags.delimiter === '\\t' ? '\t' : flags.delimiter;
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
