/**
 * The command line: yargs wiring, and the one place errors become messages and exit codes.
 * A UserError prints as one line (and a hint); anything else is a bug, printed as one line
 * too, with the stack only under --debug.
 */
import yargs from 'yargs';
import { ExitCode, UserError, UsageError, describeError } from './errors.js';
import { currentExitCode, getIo, processIo, resetContext, type GlobalArgs, type Io } from './commands/context.js';
import { validateCommand } from './commands/validate.js';
import { replayCommand } from './commands/replay.js';
import { serveCommand } from './commands/serve.js';
import { generateCommand } from './commands/generate.js';
import { mergeCommand } from './commands/merge.js';
import { demoCommand } from './commands/demo.js';
import { rulesCommand } from './commands/rules.js';

/**
 * yargs-parser drops a lone `-` (stdin, or a `--delimiter -`): carry it through parsing as
 * a token no one types, and turn it back before any handler sees the arguments.
 */
const DASH = '\u0000-';

function restoreDash(argv: Record<string, unknown>): void {
  for (const key of Object.keys(argv)) {
    const v = argv[key];
    if (v === DASH) argv[key] = '-';
    else if (Array.isArray(v)) argv[key] = v.map((x) => (x === DASH ? '-' : x));
  }
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  resetContext(io);
  const debug = argv.includes('--debug');
  const args = argv.map((a) => (a === '-' ? DASH : a));
  try {
    const parser = yargs(args)
      .scriptName('report-replay')
      .usage('$0 <command> [options]\n\nValidate, sign and replay game reporting event logs (NDJSON or CSV) to the stat, SUD and download reporting APIs.')
      .option('config', { describe: 'JSON config file (targets, environments, credentials; ${ENV} references)', type: 'string', requiresArg: true, global: true })
      .option('debug', { describe: 'show stack traces for errors', type: 'boolean', default: false, global: true })
      .option('quiet', { alias: 'q', describe: 'no progress line and no summary table', type: 'boolean', default: false, global: true })
      .command(validateCommand as never)
      .command(replayCommand as never)
      .command(serveCommand as never)
      .command(generateCommand as never)
      .command(mergeCommand as never)
      .command(demoCommand as never)
      .command(rulesCommand as never)
      .demandCommand(1, 'say which command to run: validate, replay, serve, generate or merge (see --help)')
      .recommendCommands()
      .strict()
      .help()
      .alias('h', 'help')
      .version()
      .wrap(Math.min(110, (io.stdout as { columns?: number }).columns ?? 100))
      .epilogue('Exit codes: 0 all valid and delivered; 1 invalid or undelivered records, or a breached --threshold; 2 usage, config or I/O error; 130 interrupted.')
      .middleware(restoreDash)
      .exitProcess(false)
      .fail((message, err) => {
        if (err) throw err;
        throw new UsageError(message ?? 'invalid command line', 'see --help');
      });
    let helpOrVersion = '';
    await parser.parseAsync(args, {}, (err, _argv, output) => {
      if (err) throw err;
      helpOrVersion = output;
    });
    if (helpOrVersion) io.stdout.write(helpOrVersion + '\n');
    return currentExitCode();
  } catch (err) {
    return reportError(err, debug, getIo());
  }
}

function reportError(err: unknown, debug: boolean, io: Io): number {
  if (err instanceof UserError) {
    io.stderr.write(`report-replay: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  hint: ${err.hint}\n`);
    if (debug && err.stack) io.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  io.stderr.write(`report-replay: internal error: ${describeError(err)}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return ExitCode.Usage;
}

export type { GlobalArgs };
