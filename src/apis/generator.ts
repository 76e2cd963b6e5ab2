/** What an API gives `generate` (src/generate/): synthetic valid records, and their CSV header. */
import type { Prng } from '../generate/prng.js';
import type { JsonObject } from '../records.js';

export interface ApiGenerator {
  /**
   * `count` valid records, lazily and in bounded memory, drawing every choice from `rng`
   * and every time from the clock `startSeconds` (never the wall clock): a seed gives the
   * same records every time.
   */
  records(count: number, rng: Prng, startSeconds: number): Generator<JsonObject>;
  /** The CSV header (dotted names nest, as the reader expects). */
  readonly columns: readonly string[];
}
