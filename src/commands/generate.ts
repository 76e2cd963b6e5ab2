/**
 * `report-replay generate --api A --count N`: synthetic valid records for load tests
 * (README § generate), NDJSON or CSV to stdout, streamed with backpressure, the same bytes for the
 * same seed.
 */
import type { Argv, CommandModule } from 'yargs';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_SEED, csvColumns, generateRecords, generatedApis, type GeneratedApi } from '../generate/index.js';
import { writeRecords, type OutputFormat, type WriteSummary } from '../generate/writer.js';
import type { Example } from './examples.js';
import { allowReaderToLeave, getIo, setExitCode, stdoutIsGeneratedData, type GlobalArgs } from './context.js';

export interface GenerateArgs extends GlobalArgs {
  api?: string;
  /** Text as typed (yargs would turn `abc` into NaN and lose what the user wrote). */
  count?: string | number;
  format: string;
  seed?: string | number;
}

export interface GenerateOptions {
  readonly api: GeneratedApi;
  readonly count: number;
  readonly format: OutputFormat;
  readonly seed: number;
}

function builder(y: Argv<GlobalArgs>): Argv<GenerateArgs> {
  return y
    .option('api', { describe: 'which API to generate records for: stat, sud or download', type: 'string', requiresArg: true })
    .option('count', { describe: 'how many records (lines or CSV rows) to write: 1000, 1_000_000 or 1e6', type: 'string', requiresArg: true })
    .option('format', { describe: 'ndjson or csv (a header row, dotted names for nested fields)', type: 'string', default: 'ndjson', requiresArg: true })
    .option('seed', { describe: `seed: the same seed gives byte-identical output (default ${DEFAULT_SEED})`, type: 'string', requiresArg: true }) as unknown as Argv<GenerateArgs>;
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

/** Flags to options, every problem as one sentence. */
export function generateOptions(args: GenerateArgs): GenerateOptions {
  const { api, format } = args;
  if (api === undefined) throw new UsageError('--api is required: stat, sud or download', 'for example: generate --api stat --count 1000');
  if (!generatedApis().includes(api)) throw new UsageError(`--api must be one of ${generatedApis().join(', ')}, not "${api}"`);
  if (args.count === undefined) throw new UsageError('--count is required: how many records to write', 'for example: generate --api stat --count 1000');
  const count = wholeNumber(args.count);
  if (count === undefined) throw new UsageError(`--count must be a whole number of 0 or more, not "${String(args.count)}"`);
  if (format !== 'ndjson' && format !== 'csv') throw new UsageError(`--format must be ndjson or csv, not "${format}"`);
  const seed = args.seed === undefined ? DEFAULT_SEED : wholeNumber(args.seed);
  if (seed === undefined) throw new UsageError(`--seed must be a whole number of 0 or more, not "${String(args.seed)}"`);
  return { api, count, format, seed };
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
