/**
 * The command line: yargs wiring, and the one place errors become messages and exit codes.
 * A UserError prints as one line (and a hint); anything else is a bug, printed as one line
 * too, with the stack only under --debug. Parse errors are usage errors in plain words
 * (arguments.ts); --config is read and checked here, once, for every command.
 */
import yargs from 'yargs';
import type { ApiModule } from './apis/api.js';
import { API_MODULES, urlOptions, useApis } from './apis/registry.js';
import { ExitCode, UserError, describeError } from './errors.js';
import { loadConfig, secretFlags, secretVariables } from './config/config.js';
import { clearSecrets, registerSecret, registerUrlSecret } from './redact.js';
import { printable } from './printable.js';
import { checkTypedValues, commandOf, flagKey, lastOneWins, describeParseFailure, typedValue, type KnownOptions, type ParseContext } from './commands/arguments.js';
import { examplesText, type Example } from './commands/examples.js';
import {
  currentExitCode,
  getIo,
  outputFailure,
  processIo,
  resetContext,
  setCommandLine,
  setLoadedConfig,
  settleOutput,
  type GlobalArgs,
  type Io,
} from './commands/context.js';
import { validateCommand, validateExamples } from './commands/validate.js';
import { replayCommand, replayExamples } from './commands/replay.js';
import { serveCommand, serveExamples } from './commands/serve.js';
import { generateCommand, generateExamples } from './commands/generate.js';
import { mergeCommand, mergeExamples } from './commands/merge.js';
import { reportCommand, reportExamples } from './commands/report.js';
import { demoCommand, demoExamples } from './commands/demo.js';
import { rulesCommand, rulesExamples } from './commands/rules.js';

/** Each command's help examples; '' is the top level. */
export const EXAMPLES: Readonly<Record<string, readonly Example[]>> = {
  '': [
    { command: 'report-replay validate samples/ndjson samples/csv', says: 'check logs: every bad record named by file, line, field and rule' },
    { command: 'report-replay demo', says: 'replay the samples to an embedded receiver and show the summary' },
  ],
  validate: validateExamples,
  replay: replayExamples,
  serve: serveExamples,
  generate: generateExamples,
  merge: mergeExamples,
  report: reportExamples,
  demo: demoExamples,
  rules: rulesExamples,
};

const COMMANDS = Object.keys(EXAMPLES).filter((name) => name !== '');

const EXIT_CODES =
  'Exit codes: 0 all valid and delivered; 1 invalid or undelivered records, a breached --threshold,\n' +
  'or validate read no record; 2 usage, config or I/O error; 130 interrupted.';

/**
 * yargs-parser drops a lone `-` (stdin, or a `--delimiter -`): carry it through parsing as
 * a token no one types, and turn it back before any handler sees the arguments.
 */
const DASH = '\u0000-';

function restoreDash(argv: Record<string, unknown>): void {
  for (const key of Object.keys(argv)) {
    const v = argv[key];
    if (v === DASH) argv[key] = '-';
    else if (Array.isArray(v)) argv[key] = (v as unknown[]).map((x) => (x === DASH ? '-' : x));
  }
}

/**
 * Secrets typed on the command line or set in the environment are masked from the first
 * line printed — before parsing, so that even a parse error cannot echo one. The config
 * file's are registered when it is loaded.
 */
function registerCommandLineSecrets(args: readonly string[], env: NodeJS.ProcessEnv): void {
  for (const flag of secretFlags()) {
    const name = flag.slice(2);
    registerSecret(typedValue(args, name));
    registerSecret(typedValue(args, flagKey(name)));
  }
  for (const variable of secretVariables()) registerSecret(env[variable]);
  const urlFlags = urlOptions().flatMap((own) => [own.flag.slice(2), own.option]);
  for (const name of ['target', ...urlFlags]) registerUrlSecret(typedValue(args, name));
}

/**
 * Run one command line. `apis` is the registry to run with (every API by default): a
 * program that adds an API of its own passes the list with it (docs/API.md, "Adding an API").
 */
export async function main(argv: readonly string[], io: Io = processIo(), apis: readonly ApiModule[] = API_MODULES): Promise<number> {
  useApis(apis);
  resetContext(io);
  setCommandLine(argv);
  clearSecrets();
  registerCommandLineSecrets(argv, io.env);
  const debug = argv.includes('--debug');
  const args = argv.map((a) => (a === '-' ? DASH : a));
  const out = getIo();
  try {
    const parser = yargs(args);
    const context = (): ParseContext => ({ options: (parser as unknown as { getOptions(): KnownOptions }).getOptions(), args: argv, commands: COMMANDS });
    parser
      .scriptName('report-replay')
      .locale('en')
      .parserConfiguration({ 'parse-positional-numbers': false })
      .usage('$0 <command> [options]\n\nValidate, sign and replay game reporting event logs (NDJSON or CSV) to the stat, SUD and download reporting APIs.')
      .option('config', { describe: 'JSON config file (targets, environments, credentials; ${ENV} references); read and checked by every command', type: 'string', requiresArg: true, global: true })
      .option('debug', { describe: 'show stack traces for errors', type: 'boolean', default: false, global: true })
      .option('quiet', { alias: 'q', describe: 'no progress line and no summary table', type: 'boolean', default: false, global: true })
      .command(validateCommand as never)
      .command(replayCommand as never)
      .command(serveCommand as never)
      .command(generateCommand as never)
      .command(mergeCommand as never)
      .command(reportCommand as never)
      .command(demoCommand as never)
      .command(rulesCommand as never)
      .demandCommand(1, `say which command to run: ${COMMANDS.join(', ')} (see --help)`)
      .strict()
      .help()
      .alias('h', 'help')
      .version()
      .wrap(Math.min(110, out.stdout.columns ?? 100))
      .middleware(restoreDash)
      .middleware(async (parsed) => {
        lastOneWins(parsed, context().options);
        checkTypedValues(parsed, context());
        // A --config that is missing or invalid stops every command: a flag is never silently ignored.
        setLoadedConfig(await loadConfig((parsed as GlobalArgs).config, out.env));
      })
      .exitProcess(false)
      .fail((message, err) => {
        // yargs' own parse errors (YError) are the user's; anything else was thrown by a command.
        if (err && err.name !== 'YError') throw err;
        throw describeParseFailure(message ?? err?.message ?? 'invalid command line', context());
      });
    let helpOrVersion = '';
    await parser.parseAsync(args, {}, (err, _argv, output) => {
      if (err) throw err;
      helpOrVersion = output;
    });
    if (helpOrVersion) out.stdout.write(withExamples(helpOrVersion, argv) + '\n');
    await settleOutput();
    const failure = outputFailure();
    return failure ? reportError(failure, debug, out) : currentExitCode();
  } catch (err) {
    return reportError(err, debug, out);
  }
}

/** yargs' help, then the command's examples (unwrapped) and the exit codes. */
function withExamples(output: string, argv: readonly string[]): string {
  if (!argv.includes('--help') && !argv.includes('-h')) return output; // --version
  const examples = examplesText(EXAMPLES[commandOf(argv, COMMANDS) ?? ''] ?? []);
  return [output, examples, EXIT_CODES].filter((part) => part !== '').join('\n\n');
}

function reportError(err: unknown, debug: boolean, io: Io): number {
  if (err instanceof UserError) {
    io.stderr.write(`report-replay: ${printable(err.message)}\n`);
    if (err.hint) io.stderr.write(`  hint: ${printable(err.hint)}\n`);
    if (debug && err.stack) io.stderr.write(printableLines(err.stack) + '\n');
    return err.exitCode;
  }
  io.stderr.write(`report-replay: internal error: ${printable(describeError(err))}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(printableLines(err.stack) + '\n');
  return ExitCode.Usage;
}

/** A stack trace: its lines kept, each made printable. */
function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

export type { GlobalArgs };
