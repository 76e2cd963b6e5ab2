/**
 * Where each sent request's records end up for the run's state: delivered ones are
 * settled in the checkpoint; failed ones too, but only once they are in --failed, so a
 * crash between the two can lose nothing; unsent ones (stopped, aborted) are left
 * unsettled for --resume. Counting is RunStats' alone: the ledger hands `count` exactly the
 * records that settled (or stay unsent), so a failed record whose --failed line cannot be
 * written is neither counted nor settled — the resume sends it and counts it then — and
 * `onWriteError` stops the run.
 */
import type { ValidRecord } from '../../records.js';
import type { FailedWriter } from '../../report/failed.js';
import type { Settlement } from './attempt.js';
import type { Checkpoint } from '../checkpoint/checkpoint.js';
import type { Delivery } from './dispatcher.js';

/** `_error` of an undeliverable record in --failed: the cause, and the answer when there was one (`http 403: bad signature`). */
function failedLineError(cause: string, excerpt: string | undefined): string {
  return excerpt === undefined ? cause : `${cause}: ${excerpt}`;
}

/** Counts `records` of `delivery` as `settlement` says (RunStats). */
export type CountSettled = (delivery: Delivery, records: readonly ValidRecord[], settlement: Settlement) => void;

export class RecordLedger {
  readonly #failed: FailedWriter | undefined;
  readonly #checkpoint: Checkpoint | undefined;
  readonly #count: CountSettled;
  readonly #onWriteError: (err: unknown) => void;
  #unwritten = 0;

  constructor(failed: FailedWriter | undefined, checkpoint: Checkpoint | undefined, count: CountSettled, onWriteError: (err: unknown) => void = () => {}) {
    this.#failed = failed;
    this.#checkpoint = checkpoint;
    this.#count = count;
    this.#onWriteError = onWriteError;
  }

  /** Failed records whose --failed line could not be written: left unsettled and uncounted. */
  get unwritten(): number {
    return this.#unwritten;
  }

  /** The dispatcher's `onSettled`: a promise when --failed must be written before settling. */
  settle(delivery: Delivery, settlement: Settlement): void | Promise<void> {
    const { records } = delivery.request;
    switch (settlement.kind) {
      case 'unsent':
        this.#count(delivery, records, settlement);
        return;
      case 'delivered':
        this.#count(delivery, records, settlement);
        this.#settleAll(records);
        return;
      case 'failed': {
        const failed = this.#failed;
        if (!failed) {
          this.#count(delivery, records, settlement);
          this.#settleAll(records);
          return;
        }
        const error = failedLineError(settlement.cause, settlement.excerpt);
        return (async () => {
          for (let i = 0; i < records.length; i++) {
            const record = records[i]!;
            try {
              await failed.writeUndelivered(record, error);
            } catch (err) {
              // Not in the file, so not settled and not counted: the resume sends them and counts them then.
              this.#unwritten += records.length - i;
              this.#onWriteError(err);
              return;
            }
            this.#count(delivery, [record], settlement);
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
