/**
 * Where a raw record becomes either a record to send or a settled one: judged (counted in
 * RunStats), kept or passed over for --shard, written to --failed when invalid, skipped
 * when its SUD key was already sent in this run (docs/API.md § sud.report_game_info, Duplicates), rewritten per loop for
 * --unique. Every record this settles, it settles once; a record it hands on is settled
 * later, when its request ends.
 */
import { UNKNOWN_ENDPOINT, type Endpoint } from '../../apis/api.js';
import type { RawRecord, ValidRecord, Origin } from '../../records.js';
import type { RunStats } from '../../report/stats.js';
import { RecordJudge, countJudgement, type JudgeOptions, type Judgement } from '../../validate/judge.js';
import { KeySet } from './key-set.js';
import { shardKeyOf, shardOf } from './shard.js';

export interface IntakeOptions {
  readonly judge: JudgeOptions;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  /** --unique: rewrite duplicate keys per loop. */
  readonly unique: boolean;
  /** Writes an invalid record to --failed (when there is one); the record settles after. */
  readonly writeInvalid: (judgement: Judgement) => Promise<void> | undefined;
  /** A record that may be sent but has findings (warnings): for the CI reporters (`--reporter`). */
  readonly warned?: (judgement: Judgement) => void;
  /** Marks a record settled (the checkpoint's, or nothing). */
  readonly settle: (origin: Origin) => void;
  /** A SUD key sent for the first time (the checkpoint keeps it for --resume). */
  readonly rememberKey?: (origin: Origin, key: string) => void;
}

/** A valid record of this run, ready for its endpoint's builder. */
export interface Admitted {
  readonly record: ValidRecord;
  readonly endpoint: Endpoint;
}

export class RecordIntake {
  readonly #options: IntakeOptions;
  readonly #stats: RunStats;
  readonly #judge: RecordJudge;
  /** SUD keys sent (or on their way) in this run. */
  readonly #sentKeys = new KeySet();

  constructor(options: IntakeOptions, stats: RunStats) {
    this.#options = options;
    this.#stats = stats;
    // With --shard, records are judged on the side and counted only when they are this
    // shard's: a record belongs to exactly one shard's report, so merged reports add up.
    this.#judge = new RecordJudge(options.judge, options.shard ? undefined : stats);
  }

  /** SUD keys an earlier run of this backfill sent (--resume): their records are duplicates here too. */
  knowSentKeys(keys: Iterable<string>): void {
    for (const key of keys) this.#sentKeys.add(key);
  }

  judge(raw: RawRecord): Judgement {
    return this.#judge.judge(raw);
  }

  /** A record a worker thread judged valid (src/workers/replay-pool.ts): counted as `judge` counts. Runs with --shard never have one. */
  judged(judgement: Judgement): Judgement {
    countJudgement(this.#stats, judgement);
    return judgement;
  }

  /**
   * `admit` for a valid record a worker built ahead, whose SUD key it worked out (runs with
   * --shard or --unique never have one): true to send it, false when it settled here as a duplicate.
   */
  admitBuilt(judgement: Judgement & { readonly endpoint: Endpoint }, key: string | undefined): boolean {
    return this.#firstSend(judgement, judgement.endpoint, key);
  }

  /**
   * The record to send, or undefined when it is settled here (other shard, duplicate), or a
   * promise when it is invalid: it settles once written to --failed, and the caller waits
   * for that (the failed file's backpressure).
   */
  admit(judgement: Judgement, loop: number): Admitted | Promise<void> | undefined {
    const { origin, endpoint } = judgement;
    const shard = this.#options.shard;
    if (shard) {
      if (shardOf(shardKeyOf(judgement), shard.count) !== shard.index) {
        this.#stats.addSkipped(endpoint?.id ?? UNKNOWN_ENDPOINT, 'other shard', judgement.records);
        this.#options.settle(origin);
        return undefined;
      }
      countJudgement(this.#stats, judgement);
    }
    let record = judgement.record;
    if (!record || !endpoint) return this.#invalid(judgement);
    if (judgement.findings.length > 0) this.#options.warned?.(judgement);
    if (this.#options.unique && endpoint.uniquify) record = { ...record, value: endpoint.uniquify(record.value, loop) };
    return this.#firstSend(judgement, endpoint, endpoint.duplicateKey?.(record.value)) ? { record, endpoint } : undefined;
  }

  /** False when the record's SUD key was sent already in this run: it settles here as a duplicate. */
  #firstSend(judgement: Judgement, endpoint: Endpoint, key: string | undefined): boolean {
    if (key === undefined) return true;
    const { origin } = judgement;
    if (!this.#sentKeys.add(key)) {
      this.#stats.addSkipped(endpoint.id, 'duplicate', judgement.records);
      this.#options.settle(origin);
      return false;
    }
    this.#options.rememberKey?.(origin, key);
    return true;
  }

  async #invalid(judgement: Judgement): Promise<void> {
    await this.#options.writeInvalid(judgement);
    this.#options.settle(judgement.origin);
  }
}

