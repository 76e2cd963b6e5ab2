/**
 * Who else hears what a replay does, besides its statistics: the results file, the HTML
 * report's time series and the CI reporters (README "Results"). The engine calls these
 * right after it counts the same thing; every method is optional and must not throw.
 */
import type { Finding } from '../findings.js';
import type { Origin, ValidRecord } from '../records.js';
import type { Attempt, Settlement } from './delivery/attempt.js';

export interface RunObserver {
  /** An attempt has ended (as `RunStats.addAttempt` sees it). */
  attempt?(attempt: Attempt): void;
  /** A request has ended: `seq` is its attempts' `seq` (it may have had none, when unsent). */
  settled?(seq: number, records: readonly ValidRecord[], settlement: Settlement): void;
  /** A record was judged invalid. */
  invalid?(origin: Origin, findings: readonly Finding[]): void;
  /** A record was judged valid, with warnings; it goes on to be sent. */
  warned?(origin: Origin, findings: readonly Finding[]): void;
}
