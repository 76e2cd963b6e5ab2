/** `replay --processes N`: checks the flags once, runs the shards (replay/processes/), shows the merged summary. */
import type { InputSource } from '../input/sources.js';
import { UsageError } from '../errors.js';
import { runProcesses } from '../replay/processes/run-processes.js';
import { SHARD_CHILD_ENV } from '../replay/processes/to-parent.js';
import { checkOutputs } from './outputs.js';
import { setExitCode, type Io } from './context.js';
import { showReport } from './shared-options.js';
import { replayOptionsOf, type ReplayFlags } from './replay-options.js';

export async function replayInProcesses(args: ReplayFlags, inputs: readonly InputSource[], argv: readonly string[], io: Io): Promise<void> {
  const count = args.processes;
  if (io.env[SHARD_CHILD_ENV] === '1') throw new UsageError('--processes inside a shard of --processes');
  if (inputs.some((input) => input.path === '-')) throw new UsageError('--processes needs input files: every shard reads the whole input, and stdin can be read once');
  // Every flag checked once here, not N times by the shards (the config and credentials too).
  replayOptionsOf(args, inputs, io);
  if (args.report !== undefined) await checkOutputs([{ flag: '--report', path: args.report }], inputs);
  const { report, exitCode } = await runProcesses(
    {
      argv,
      count,
      concurrency: args.concurrency,
      thresholds: args.threshold,
      checkpoint: args.dryRun ? undefined : args.checkpoint,
      failed: args.failed,
      resume: args.resume,
      progress: Boolean(io.stdout.isTTY) && !args.quiet && !args.json,
    },
    io,
  );
  await showReport(report, args, { io, mode: args.dryRun ? 'dry-run' : 'replay' });
  setExitCode(exitCode);
}
