/**
 * `--reporter table|json|junit|github` of `validate` and `replay` (README "CI reporters"):
 * table is the summary, json the JSON report (as --json); junit writes JUnit XML and github
 * workflow commands to stdout, the summary then going to stderr.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { GithubReporter } from '../report/reporters/github.js';
import { JunitReporter } from '../report/reporters/junit.js';
import { REPORTERS, type ProblemReporter, type ReporterName } from '../report/reporters/problems.js';
import type { Io } from './context.js';

export interface ReporterArgs {
  reporter: ReporterName;
}

export function withReporterOption<T>(y: Argv<T>): Argv<T & ReporterArgs> {
  return y.option('reporter', {
    describe: 'table (the summary), json (as --json), junit (JUnit XML) or github (workflow annotations), to stdout',
    choices: REPORTERS,
    default: 'table' as const,
    requiresArg: true,
  });
}

/** The record-by-record reporter `--reporter` asks for; undefined for table and json. */
export function problemReporter(args: ReporterArgs & { strict: boolean; json: boolean }, io: Io, name: string): ProblemReporter | undefined {
  if (args.json && (args.reporter === 'junit' || args.reporter === 'github')) throw new UsageError(`--json and --reporter ${args.reporter} both write to stdout: give the JSON report a file (--report FILE)`);
  if (args.reporter === 'junit') return new JunitReporter(name, { strict: args.strict });
  if (args.reporter === 'github') return new GithubReporter((text) => io.stdout.write(text), { strict: args.strict });
  return undefined;
}

/** Where the summary goes: stderr when stdout carries the reporter's output. */
export function summaryStream(args: ReporterArgs, io: Io): Io['stdout'] | undefined {
  return args.reporter === 'junit' || args.reporter === 'github' ? io.stderr : undefined;
}
