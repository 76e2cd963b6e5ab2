/**
 * How a command that reads records ends (README "Exit codes"): the one place an outcome
 * becomes an exit code, for `validate`, `replay`, the demo and `merge` alike.
 */
import { ExitCode } from '../errors.js';

export interface Outcome {
  /**
   * The run stopped on an error of its own after showing its summary (an input that broke
   * mid-way, --failed or the checkpoint unwritable, --uncertain fail): that error's code.
   */
  readonly stoppedBy?: ExitCode | undefined;
  /** Ctrl-C (SIGINT/SIGTERM) stopped it. */
  readonly interrupted?: boolean;
  readonly invalid: number;
  /** Records not delivered after their retries. */
  readonly failed: number;
  /** --threshold results. */
  readonly thresholds?: readonly { readonly ok: boolean }[] | undefined;
  /** Anything else the command fails a run for: validate reading no records, a merged shard that failed. */
  readonly failedOtherwise?: boolean;
}

/** 2 (or the stopping error's code), then 130, then 1 when anything failed, else 0. */
export function exitCodeOf(outcome: Outcome): ExitCode {
  if (outcome.stoppedBy !== undefined) return outcome.stoppedBy;
  if (outcome.interrupted) return ExitCode.Interrupted;
  const breached = outcome.thresholds?.some((t) => !t.ok) ?? false;
  return outcome.invalid > 0 || outcome.failed > 0 || breached || outcome.failedOtherwise ? ExitCode.Failed : ExitCode.Ok;
}
