/** Options shared by `validate` and `replay`: what to read and how to judge it. */
import type { Argv } from 'yargs';
import { API_CHOICES } from '../apis/registry.js';
import { UsageError } from '../errors.js';
import { REPLAY_DEFAULTS } from '../replay/options.js';
import type { JudgeOptions } from '../validate/judge.js';

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

export function withInputOptions<T>(y: Argv<T>): Argv<T & InputArgs> {
  return y
    .positional('inputs', { describe: 'log files (.ndjson, .jsonl, .csv, optionally .gz), folders, or - for stdin', type: 'string', array: true, demandOption: true })
    .option('api', { describe: 'API of every record (stat, sud, download, or an endpoint id); auto detects per record', type: 'string', default: 'auto', choices: API_CHOICES as string[] })
    .option('format', { describe: 'input format (required for stdin; overrides the extension)', choices: ['ndjson', 'csv'] as const })
    .option('delimiter', { describe: 'CSV cell delimiter', type: 'string' })
    .option('strict', { describe: 'treat warnings as errors', type: 'boolean', default: false })
    .option('max-examples', { describe: 'examples shown per rule', type: 'number', default: REPLAY_DEFAULTS.maxExamples })
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
