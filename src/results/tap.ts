/**
 * Attempts and settlements to result lines (line.ts). The dispatcher tells of an attempt,
 * then — in the same turn, when the attempt ended its request — of the request's
 * settlement; so one attempt is held back until the next event, and the line of the
 * attempt that ended its request carries `settled`. One line in hand at most: flat memory.
 */
import type { Attempt, Settlement } from '../replay/delivery/attempt.js';
import type { RunObserver } from '../replay/observer.js';

/** Takes one result line as its attempt and, on the attempt that ended its request, the settlement. */
export type LineSink = (attempt: Attempt, settlement: Settlement | undefined) => void;

export class ResultsTap implements Required<Pick<RunObserver, 'attempt' | 'settled'>> {
  readonly #sinks: readonly LineSink[];
  #held: Attempt | undefined;

  constructor(sinks: readonly LineSink[]) {
    this.#sinks = sinks;
  }

  attempt(attempt: Attempt): void {
    if (this.#held) this.#emit(this.#held, undefined);
    this.#held = attempt;
  }

  settled(seq: number, _records: unknown, settlement: Settlement): void {
    const held = this.#held;
    if (held === undefined || held.seq !== seq) return;
    this.#held = undefined;
    this.#emit(held, settlement);
  }

  /** The run is over: the attempt in hand goes out as it is. */
  flush(): void {
    if (this.#held) this.#emit(this.#held, undefined);
    this.#held = undefined;
  }

  #emit(attempt: Attempt, settlement: Settlement | undefined): void {
    for (const sink of this.#sinks) sink(attempt, settlement);
  }
}
