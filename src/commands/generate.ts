/**
 * `report-replay generate --api A --count N`: synthetic valid records for load tests
 * (README § generate), NDJSON or CSV to stdout, streamed with backpressure, the same bytes for the
 * same seed.
 */
import type { Argv, CommandModule } from 'yargs';
import { z } from 'zod';
import { ExitCode } from '../errors.js';
import { DEFAULT_SEED, csvColumns, generateRecords, generatedApis, type GeneratedApi } from '../generate/index.js';
import { writeRecords, type OutputFormat, type WriteSummary } from '../generate/writer.js';
import type { Example } from './examples.js';
import { aNumber, addProblem, parseOptions } from './options/problems.js';
import { allowReaderToLeave, getIo, setExitCode, stdoutIsGeneratedData, type GlobalArgs } from './context.js';

function builder(y: Argv<GlobalArgs>): Argv<GenerateArgs> {
  return y
    .option('api', { describe: 'which API to generate records for: stat, sud or download', type: 'string', requiresArg: true })
    .option('count', { describe: 'how many records (lines or CSV rows) to write: 1000, 1_000_000 or 1e6', type: 'string', requiresArg: true })
    .option('format', { describe: 'ndjson or csv (a header row, dotted names for nested fields)', type: 'string', default: 'ndjson', requiresArg: true })
    .option('seed', { describe: `seed: the same seed gives byte-identical output (default ${DEFAULT_SEED})`, type: 'string', requiresArg: true });
}

export const generateExamples: readonly Example[] = [
  { command: 'report-replay generate --api stat --count 100000 > stat.ndjson', says: '100 k stat events, the same bytes on every run' },
  { command: 'report-replay generate --api sud --count 1000 --format csv --seed 7 > sud.csv', says: 'SUD game_start/game_settle pairs as CSV' },
  { command: 'report-replay generate --api download --count 10000000 | gzip > download.ndjson.gz', says: 'ten million records in flat memory' },
  {
    command: 'report-replay generate --api stat --count 1000 | report-replay replay - --format ndjson --target http://127.0.0.1:8000 --rate 500 --stat-secret S --stat-session-key K',
    says: 'generate and replay in one pipe',
  },
];

/** A whole number ≥ 0 as typed (`1000`, `1_000_000`, `1e6`), or undefined when it is not one. */
function wholeNumber(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value.replaceAll('_', ''));
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const EXAMPLE = 'for example: generate --api stat --count 1000';

/** A count or seed as typed; a number in the schema's output. */
function typedWholeNumber(flag: string) {
  return z.union([z.string(), aNumber]).transform((value, ctx) => {
    const n = wholeNumber(value);
    if (n !== undefined) return n;
    addProblem(ctx, `--${flag} must be a whole number of 0 or more, not "${String(value)}"`);
    return z.NEVER;
  });
}

/** `generate`'s flags (how to add one: replay-options.ts). */
const generateSchema = z.object({
  /** --api: stat, sud or download (required). */
  api: z
    .string()
    .optional()
    .transform((api, ctx): GeneratedApi => {
      if (api === undefined) addProblem(ctx, '--api is required: stat, sud or download', EXAMPLE);
      else if (!generatedApis().includes(api)) addProblem(ctx, `--api must be one of ${generatedApis().join(', ')}, not "${api}"`);
      else return api;
      return z.NEVER;
    }),
  /** --count: how many records (required); text as typed (yargs would turn `abc` into NaN and lose what the user wrote). */
  count: typedWholeNumber('count')
    .optional()
    .transform((count, ctx) => {
      if (count !== undefined) return count;
      addProblem(ctx, '--count is required: how many records to write', EXAMPLE);
      return z.NEVER;
    }),
  /** --format. @default 'ndjson' */
  format: z
    .string()
    .default('ndjson')
    .transform((format, ctx): OutputFormat => {
      if (format === 'ndjson' || format === 'csv') return format;
      addProblem(ctx, `--format must be ndjson or csv, not "${format}"`);
      return z.NEVER;
    }),
  /** --seed: the same seed, the same bytes. @default 1 (DEFAULT_SEED) */
  seed: typedWholeNumber('seed').default(DEFAULT_SEED),
});

export type GenerateArgs = GlobalArgs & z.input<typeof generateSchema>;
export type GenerateOptions = z.output<typeof generateSchema>;

/** Flags to options, every problem at once, one sentence each. */
export function generateOptions(args: GenerateArgs): GenerateOptions {
  return parseOptions(generateSchema, args, 'generate');
}

/** Generate and write; resolves when the output has been handed to the OS (or its reader left). */
export function runGenerate(options: GenerateOptions, out: NodeJS.WritableStream): Promise<WriteSummary> {
  const records = generateRecords(options.api, options.count, options.seed);
  return writeRecords(records, { format: options.format, columns: csvColumns(options.api) }, out);
}

export const generateCommand: CommandModule<GlobalArgs, GenerateArgs> = {
  command: 'generate',
  describe: 'write synthetic valid records for load tests (NDJSON or CSV to stdout)',
  builder,
  handler: async (args) => {
    const options = generateOptions(args);
    // `generate | head` is a normal way to end: the reader leaving is not an error.
    allowReaderToLeave();
    stdoutIsGeneratedData();
    await runGenerate(options, getIo().stdout);
    setExitCode(ExitCode.Ok);
  },
};
