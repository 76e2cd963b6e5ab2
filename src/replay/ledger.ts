/**
 * Where each sent request's records end up: delivered or failed are counted in RunStats
 * and settled in the checkpoint — a failed record only once it is in --failed, so a crash
 * between the two can lose nothing; unsent ones (stopped, aborted) are counted and left
 * unsettled for --resume. Request-level numbers are the dispatcher's. A failed record
 * whose line cannot be written is neither counted nor settled (the resume sends it and
 * counts it then), and `onWriteError` stops the run.
 */
import type { ValidRecord } from '../records.js';
import type { FailedWriter } from '../report/failed.js';
import type { RunStats } from '../report/stats.js';
import type { Checkpoint } from './checkpoint.js';
import type { Delivery, Settlement } from './dispatcher.js';

export class RecordLedger {
  readonly #stats: RunStats;
  readonly #failed: FailedWriter | undefined;
  readonly #checkpoint: Checkpoint | undefined;
  #delivered = 0;
  #undelivered = 0;
  #unsent = 0;
  #unwritten = 0;
  readonly #onWriteError: (err: unknown) => void;

  constructor(stats: RunStats, failed: FailedWriter | undefined, checkpoint: Checkpoint | undefined, onWriteError: (err: unknown) => void = () => {}) {
    this.#stats = stats;
    this.#failed = failed;
    this.#checkpoint = checkpoint;
    this.#onWriteError = onWriteError;
  }

  /** Failed records whose --failed line could not be written: left unsettled. */
  get unwritten(): number {
    return this.#unwritten;
  }

  /** Records delivered. */
  get delivered(): number {
    return this.#delivered;
  }

  /** Records whose delivery failed after their retries. */
  get undelivered(): number {
    return this.#undelivered;
  }

  /** Records of requests that never ended: stopped in the queue or aborted in flight. */
  get unsent(): number {
    return this.#unsent;
  }

  /** The dispatcher's `onSettled`: a promise when --failed must be written before settling. */
  settle(delivery: Delivery, settlement: Settlement): void | Promise<void> {
    const { records } = delivery.request;
    const counts = delivery.stats;
    switch (settlement.kind) {
      case 'unsent':
        this.#unsent += records.length;
        return;
      case 'delivered':
        counts.succeeded += records.length;
        this.#delivered += records.length;
        this.#settleAll(records);
        return;
      case 'failed': {
        const failed = this.#failed;
        if (!failed) {
          this.#countFailed(counts, settlement.cause, records.length);
          this.#settleAll(records);
          return;
        }
        return (async () => {
          for (let i = 0; i < records.length; i++) {
            const record = records[i]!;
            try {
              await failed.writeUndelivered(record, settlement.cause);
            } catch (err) {
              // Not in the file, so not settled and not counted: the resume sends them and counts them then.
              this.#unwritten += records.length - i;
              this.#onWriteError(err);
              return;
            }
            this.#countFailed(counts, settlement.cause, 1);
            this.#checkpoint?.settle(record.origin.input, record.origin.line);
          }
        })();
      }
    }
  }

  #countFailed(counts: Delivery['stats'], cause: string, n: number): void {
    counts.failed += n;
    this.#undelivered += n;
    this.#stats.addFailure(cause, n);
  }

  #settleAll(records: readonly ValidRecord[]): void {
    const checkpoint = this.#checkpoint;
    if (checkpoint) for (const record of records) checkpoint.settle(record.origin.input, record.origin.line);
  }
}
