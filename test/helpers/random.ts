/** Seeded draws for tests, from the one PRNG (src/prng.ts), so a failure reproduces. */
import { Prng } from '../../src/prng.js';

/** Draws in [0, 1), the same sequence for a seed on every run. */
export function uniform(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.next();
}
