/**
 * Stopping a run, in two stages (k6's "start no new work" and "abort after a grace
 * period"; vegeta's "the first signal drains, a second one exits"). A run's `RunState` is
 * one phase — reading, then draining, then (when its grace runs out) aborting — and, when
 * it stops early, why. It is the only record of how far stopping has gone: the engine moves
 * it, the dispatcher follows it (`onChange`), and `listenForInterrupts` maps Ctrl-C onto it.
 */
import { ExitCode } from '../errors.js';

/**
 * Why a run stopped taking records before its inputs ended.
 * `schedule over`: a paced run's --duration (or its ramp down to 0) is over; what is queued still goes.
 * `duration`: an unpaced run's --duration is over; what is queued is left unsent.
 * `output closed`: --print-requests into a pipe whose reader went away (`| head`).
 * `write failed`: a file the run must write (the checkpoint, --failed) could not be written: going on would send without durable progress.
 * `uncertain`: a request's answer was lost after it was written, under `--uncertain fail`.
 * `error`: the run failed (an input could not be read): what was taken gets its grace, and the error is reported.
 */
export type StopReason = 'interrupted' | 'schedule over' | 'duration' | 'output closed' | 'write failed' | 'uncertain' | 'error';

/**
 * `reading`: records are taken. `draining`: no more are (the inputs ended, or the run was
 * stopped); what was taken finishes — within --grace once stopped. `aborting`: the grace
 * is over; what is still in flight is aborted and left for --resume.
 */
export type RunPhase = 'reading' | 'draining' | 'aborting';

export class RunState {
  #phase: RunPhase = 'reading';
  #reason: StopReason | undefined;
  /** Resolves the one pending wait (a read, the drain) when the run is stopped. */
  #wake: (() => void) | undefined;
  readonly #listeners: (() => void)[] = [];

  get phase(): RunPhase {
    return this.#phase;
  }

  /** Why the run stopped early; undefined while it has not (it read every input to its end). */
  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** Records are still taken. */
  get reading(): boolean {
    return this.#phase === 'reading';
  }

  /**
   * What was taken and is queued still goes: the run has not stopped, or only its schedule
   * is over. Once stopped for any other reason, or aborting, what is queued is left unsent.
   */
  get sendsQueued(): boolean {
    return this.#phase !== 'aborting' && (this.#reason === undefined || this.#reason === 'schedule over');
  }

  /** The grace is over: what is in flight is aborted, and nothing is retried. */
  get aborting(): boolean {
    return this.#phase === 'aborting';
  }

  /** Calls `listener`, synchronously, after every change of phase or reason (the dispatcher follows the run this way). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** The inputs are read to their end: what was taken finishes. */
  finishReading(): void {
    if (this.#phase === 'reading') {
      this.#phase = 'draining';
      this.#changed();
    }
  }

  /**
   * Stop early: take no more records, and give what was taken its grace. The first reason
   * wins, except that the schedule ending gives way to any other (a Ctrl-C after it is
   * still an interruption). Returns whether this call set the reason.
   */
  stop(reason: StopReason): boolean {
    if (this.#reason !== undefined && (this.#reason !== 'schedule over' || reason === 'schedule over')) return false;
    this.#reason = reason;
    if (this.#phase === 'reading') this.#phase = 'draining';
    this.#wake?.();
    this.#changed();
    return true;
  }

  /** The grace is over: what is in flight is aborted. */
  abort(): void {
    if (this.#phase === 'aborting') return;
    this.#phase = 'aborting';
    this.#changed();
  }

  /** `promise`, or STOPPED as soon as the run is stopped (at once when it is already). */
  untilStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.#reason !== undefined) return Promise.resolve(STOPPED);
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      this.#wake = () => resolve(STOPPED);
      promise.then(resolve, reject);
    }).finally(() => (this.#wake = undefined));
  }
}

export const STOPPED = Symbol('stopped');

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
