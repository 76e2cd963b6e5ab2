/**
 * The child's side of `replay --processes N` (docs/scaling-out.md "One machine"): a shard started
 * by the parent sends its report so far over the IPC channel now and then (the parent's
 * live progress line) and its final report at the end (the parent's merged summary). No
 * file is written for it, so nothing is left behind.
 */
import { ExitCode } from '../../errors.js';
import type { Report } from '../../report/report.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Set by the parent in each child's environment. */
export const SHARD_CHILD_ENV = 'REPORT_REPLAY_SHARD_CHILD';

export type ShardMessage = { readonly kind: 'live'; readonly report: Report } | { readonly kind: 'final'; readonly report: Report };

/** How often a running shard tells the parent how far it got. */
const LIVE_EVERY_MS = 250;

export interface ToParent {
  /** The final report; resolves once the parent has it (before the child exits). */
  final(report: Report): Promise<void>;
  /** Stops the live reports. */
  stop(): void;
}

/**
 * When this process is a shard child (an IPC channel and the parent's mark), starts the
 * live reports (`live()` builds one) and returns the channel; otherwise undefined. A parent
 * that goes away (killed) is a Ctrl-C: the shard stops taking records and saves its
 * checkpoint, so `--resume` continues it.
 */
export function connectToParent(env: NodeJS.ProcessEnv, live: () => Report): ToParent | undefined {
  const send = process.send?.bind(process);
  if (env[SHARD_CHILD_ENV] !== '1' || !send || !process.connected) return undefined;
  // The channel must not keep the shard alive once its run is over.
  process.channel?.unref();
  const orphaned = (): void => void process.kill(process.pid, 'SIGINT');
  process.once('disconnect', orphaned);
  // The parent's Ctrl-C may come before the run listens for it (while the shard starts or
  // reads ahead) or after (while it reports): before, nothing was opened or sent and the
  // shard just exits 130; after, the run is ending anyway. Without this, either would kill it.
  let ran = false;
  const outsideTheRun = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return; // the run's own (replay/signals.ts)
    if (!ran) process.exit(ExitCode.Interrupted);
  };
  for (const signal of SIGNALS) process.on(signal, outsideTheRun);
  const post = (message: ShardMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.connected) return resolve();
      send(message, undefined, {}, () => resolve());
    });
  const timer = setInterval(() => void post({ kind: 'live', report: live() }), LIVE_EVERY_MS);
  timer.unref();
  return {
    final: async (report) => {
      ran = true;
      clearInterval(timer);
      await post({ kind: 'final', report });
      process.off('disconnect', orphaned);
    },
    stop: () => {
      ran = true;
      clearInterval(timer);
    },
  };
}
