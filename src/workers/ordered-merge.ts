/**
 * The main thread's side of a unit pipeline (`validate --workers`, `replay --workers`; README
 * "validate", "replay"): batches come from the threads that read the units, in any order;
 * they are applied strictly in input order — unit by unit, each unit's batches as they were
 * made — so the run sees what one thread reading the inputs in turn would see.
 *
 * Memory stays flat: a thread stops reading while more than its share of batches wait here
 * unapplied (it hears `merged` for each one applied); the unit being applied is always being
 * read by some thread, whose batches are applied as they come, so the run never stalls.
 */
import type { UserError } from '../errors.js';
import type { InputUnit } from './units.js';

/** A batch waiting to be applied, and what lets the thread that made it read on. */
export interface Pending<B> {
  readonly batch: B;
  readonly merged: () => void;
}

interface UnitState<B> {
  readonly batches: Pending<B>[];
  done: boolean;
  lines: number;
  error: UserError | undefined;
}

/**
 * Applies one batch of `unit`; `lineOffset` is the lines of the same input's earlier ranges
 * (add it to a unit-relative line number). Awaited: the merge's own backpressure.
 */
export type ApplyBatch<B> = (unit: InputUnit, batch: B, lineOffset: number) => void | Promise<void>;

export class OrderedMerge<B> {
  readonly #units: readonly InputUnit[];
  readonly #states: UnitState<B>[];
  readonly #apply: ApplyBatch<B>;
  readonly #sizeOf: (batch: B) => number;
  readonly #aheadBytes: number;
  #head = 0;
  /** Lines of the head unit's input in its ranges merged before. */
  #lineOffset = 0;
  #wake: (() => void) | undefined;
  #crash: Error | undefined;
  /** Bytes of batches waiting per unit not yet at the head (for a local reader's backpressure). */
  readonly #waiting = new Map<number, number>();

  constructor(units: readonly InputUnit[], options: { apply: ApplyBatch<B>; sizeOf: (batch: B) => number; aheadBytes: number }) {
    this.#units = units;
    this.#states = units.map(() => ({ batches: [], done: false, lines: 0, error: undefined }));
    this.#apply = options.apply;
    this.#sizeOf = options.sizeOf;
    this.#aheadBytes = options.aheadBytes;
  }

  get failed(): boolean {
    return this.#crash !== undefined;
  }

  /** Queues a batch; true when its thread should wait for it to be merged before reading on. */
  push(unit: number, pending: Pending<B>): boolean {
    this.#states[unit]!.batches.push(pending);
    this.#signal();
    if (unit === this.#head) return false;
    const ahead = (this.#waiting.get(unit) ?? 0) + this.#sizeOf(pending.batch);
    this.#waiting.set(unit, ahead);
    return ahead > this.#aheadBytes;
  }

  /** The unit was read to its end; `lines` is how many lines it held (for the next range's numbers). */
  done(unit: number, lines: number): void {
    const state = this.#states[unit]!;
    state.done = true;
    state.lines = lines;
    this.#signal();
  }

  /** The unit's input could not be read: the run stops there, once everything before it is applied. */
  fail(unit: number, error: UserError): void {
    this.#states[unit]!.error = error;
    this.#signal();
  }

  /** A thread broke, or the run is stopping: `run` throws this at once. */
  crash(error: Error): void {
    this.#crash ??= error;
    this.#signal();
  }

  /** The run is over: threads waiting for their batches to be merged go on (and find it over). */
  release(): void {
    this.#crash ??= new Error('the merge has ended');
    for (const state of this.#states) for (const pending of state.batches.splice(0)) pending.merged();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async run(): Promise<void> {
    while (this.#head < this.#units.length) {
      if (this.#crash) throw this.#crash;
      const state = this.#states[this.#head]!;
      const pending = state.batches.shift();
      if (pending) {
        await this.#apply(this.#units[this.#head]!, pending.batch, this.#lineOffset);
        pending.merged();
        continue;
      }
      if (state.error) {
        this.#crash = state.error;
        throw state.error;
      }
      if (state.done) {
        const unit = this.#units[this.#head]!;
        const nextUnit = this.#units[this.#head + 1];
        this.#lineOffset = nextUnit !== undefined && nextUnit.input === unit.input ? this.#lineOffset + state.lines : 0;
        this.#head++;
        this.#waiting.delete(this.#head);
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
