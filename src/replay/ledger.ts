/**
 * Where each sent request's records end up for the run's state: delivered ones are
 * settled in the checkpoint; failed ones too, but only once they are in --failed, so a
 * crash between the two can lose nothing; unsent ones (stopped, aborted) are left
 * unsettled for --resume. Counting them is RunStats' (the engine hands it every settlement).
 */
import type { ValidRecord } from '../records.js';
import type { FailedWriter } from '../report/failed.js';
import type { Settlement } from './attempt.js';
import type { Checkpoint } from './checkpoint.js';
import type { Delivery } from './dispatcher.js';

/** `_error` of an undeliverable record in --failed: the cause, and the answer when there was one (`http 403: bad signature`). */
function failedLineError(cause: string, excerpt: string | undefined): string {
  return excerpt === undefined ? cause : `${cause}: ${excerpt}`;
}

export class RecordLedger {
  readonly #failed: FailedWriter | undefined;
  readonly #checkpoint: Checkpoint | undefined;

  constructor(failed: FailedWriter | undefined, checkpoint: Checkpoint | undefined) {
    this.#failed = failed;
    this.#checkpoint = checkpoint;
  }

  /** The dispatcher's `onSettled`: a promise when --failed must be written before settling. */
  settle(delivery: Delivery, settlement: Settlement): void | Promise<void> {
    const { records } = delivery.request;
    switch (settlement.kind) {
      case 'unsent':
        return;
      case 'delivered':
        this.#settleAll(records);
        return;
      case 'failed': {
        const failed = this.#failed;
        if (!failed) {
          this.#settleAll(records);
          return;
        }
        const error = failedLineError(settlement.cause, settlement.excerpt);
        return (async () => {
          for (const record of records) {
            await failed.writeUndelivered(record, error);
            this.#checkpoint?.settle(record.origin.input, record.origin.line);
          }
        })();
      }
    }
  }

  #settleAll(records: readonly ValidRecord[]): void {
    const checkpoint = this.#checkpoint;
    if (checkpoint) for (const record of records) checkpoint.settle(record.origin.input, record.origin.line);
  }
}
