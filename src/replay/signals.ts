/**
 * Stopping a run, in two stages (k6's "start no new work" and "abort after a grace
 * period"; vegeta's "the first signal drains, a second one exits"). A `RunStop` says that
 * and why the run stops taking records; `listenForInterrupts` maps Ctrl-C onto it.
 */
import { ExitCode } from '../errors.js';

/**
 * `output closed`: --print-requests into a pipe whose reader went away (`| head`).
 * `write failed`: a file the run must write (the checkpoint, --failed) could not be written: going on would send without durable progress.
 * `uncertain`: a request's answer was lost after it was written, under `--uncertain fail`.
 */
export type StopReason = 'interrupted' | 'duration' | 'output closed' | 'write failed' | 'uncertain';

export class RunStop {
  #reason: StopReason | undefined;
  #resolve!: (reason: StopReason) => void;
  /** Resolves with the reason when the run is told to stop; never when it ends by itself. */
  readonly stopped: Promise<StopReason> = new Promise((resolve) => (this.#resolve = resolve));

  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** The first reason given wins; later calls do nothing. */
  stop(reason: StopReason): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#resolve(reason);
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The first SIGINT or SIGTERM calls `first`; another one calls `second`, which by default
 * exits at once with 130 (whatever is already journaled stays: the checkpoint writes each
 * settled line synchronously as it settles). Returns the function that removes the
 * listeners: call it when the run ends, so a later Ctrl-C is the process's again.
 */
export function listenForInterrupts(first: () => void, second: () => void = () => process.exit(ExitCode.Interrupted)): () => void {
  let count = 0;
  const onSignal = (): void => {
    count++;
    if (count === 1) first();
    else second();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
}
