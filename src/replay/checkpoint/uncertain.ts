/**
 * Records that were in flight when an earlier run died (the checkpoint names them): no client
 * can know whether they arrived. Per endpoint, `--uncertain` decides — resend, skip (set
 * aside in --failed for a person to check), or fail (stop before anything is sent) — and
 * whatever is decided is counted in the summary and the report (README, "Backfills").
 */
import { ConfigError } from '../../errors.js';
import type { ValidRecord } from '../../records.js';
import type { FailedWriter } from '../../report/failed.js';
import type { RunStats } from '../../report/stats.js';
import type { Checkpoint, UncertainRecord } from './checkpoint.js';
import { recordsIn, type Endpoint, type UncertainPolicy } from '../../apis/api.js';
import { getEndpoint } from '../../apis/registry.js';
import { UNCERTAIN_CAUSE } from '../delivery/attempt.js';

/** The `_error` of a record set aside by `--uncertain skip`. */
const IN_FLIGHT_AT_CRASH = 'in flight when the earlier run died';

/** How many are named in the message that refuses them; the count covers the rest. */
const NAMED = 5;

export class UncertainRecords {
  readonly #checkpoint: Checkpoint;
  readonly #policyOfEndpoint: (endpoint: Endpoint) => UncertainPolicy;
  readonly #failed: FailedWriter | undefined;
  readonly #stats: RunStats;
  #resent = 0;
  #skipped = 0;

  constructor(checkpoint: Checkpoint, policyOf: (endpoint: Endpoint) => UncertainPolicy, failed: FailedWriter | undefined, stats: RunStats) {
    this.#checkpoint = checkpoint;
    this.#policyOfEndpoint = policyOf;
    this.#failed = failed;
    this.#stats = stats;
  }

  /** Records set aside: undelivered, as far as the exit code goes. */
  get skipped(): number {
    return this.#skipped;
  }

  /**
   * Before anything is sent: `fail`, or `skip` with no --failed file to put them in, stops
   * the run (exit 2), naming the records. `names` turns an input index into its name.
   */
  refuse(names: (input: number) => string): void {
    const refused = this.#checkpoint.uncertainRecords().filter((r) => this.#policyOf(r) === 'fail' || (this.#policyOf(r) === 'skip' && !this.#failed));
    if (refused.length === 0) return;
    const named = refused.slice(0, NAMED).map((r) => `${names(r.input)}:${r.line}`);
    const list = named.join(', ') + (refused.length > NAMED ? `, … (${refused.length} in all)` : '');
    const what = `${refused.length} record${refused.length === 1 ? ' was' : 's were'} in flight when the earlier run died (${list})`;
    if (refused.some((r) => this.#policyOf(r) === 'fail')) {
      throw new ConfigError(`${what}: --uncertain fail stops here`, 'check the server for them, then choose --uncertain resend or --uncertain skip');
    }
    throw new ConfigError(`${what} and would be set aside, but there is no --failed file`, 'give --failed FILE to set them aside, or --uncertain resend');
  }

  /**
   * A valid record just read: undefined when it goes on to be sent (re-sent, if uncertain),
   * or a promise that settles once it is set aside (written to --failed, counted failed).
   */
  take(record: ValidRecord): Promise<void> | undefined {
    const { input, line } = record.origin;
    if (this.#checkpoint.uncertain(input, line) === undefined) return undefined;
    const endpoint = getEndpoint(record.endpoint)!;
    if (this.#policyOfEndpoint(endpoint) !== 'skip') {
      this.#resent++;
      return undefined;
    }
    this.#skipped++;
    return this.#failed!.writeUndelivered(record, `${UNCERTAIN_CAUSE}: ${IN_FLIGHT_AT_CRASH}`).then(() => {
      this.#stats.addSettlement(record.endpoint, recordsIn(endpoint, record.value), { kind: 'failed', cause: UNCERTAIN_CAUSE, excerpt: IN_FLIGHT_AT_CRASH, uncertain: true });
      this.#checkpoint.settle(input, line);
    });
  }

  /** For the summary and the report: how many there were, and what became of them. */
  notes(failedFile: string | undefined): string[] {
    const were = (n: number) => `${n} record${n === 1 ? ' was' : 's were'} in flight when the earlier run died`;
    const notes: string[] = [];
    if (this.#resent > 0) notes.push(`${were(this.#resent)}: re-sent`);
    if (this.#skipped > 0) notes.push(`${were(this.#skipped)}: set aside in ${failedFile}`);
    return notes;
  }

  #policyOf(record: UncertainRecord): UncertainPolicy {
    // An endpoint this version does not know (a hand-edited checkpoint) is nobody's to resend.
    const endpoint = getEndpoint(record.endpoint);
    return endpoint ? this.#policyOfEndpoint(endpoint) : 'fail';
  }
}
