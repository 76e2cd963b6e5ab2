/**
 * Synthetic valid records for load tests (README § generate): one generator per API, all
 * drawing from one seeded PRNG and a clock that starts at a base time derived from the
 * seed (never the wall clock), so a seed gives the same records every time. Generators
 * are lazy and keep bounded state: ten million records need no more memory than ten.
 */
import type { JsonObject } from '../records.js';
import { generateDownloadRecords, DOWNLOAD_COLUMNS } from './download.js';
import { Prng, baseTimeSeconds } from './prng.js';
import { generateStatRecords, STAT_COLUMNS } from './stat.js';
import { generateSudRecords, SUD_COLUMNS } from './sud.js';

export const GENERATED_APIS = ['stat', 'sud', 'download'] as const;
export type GeneratedApi = (typeof GENERATED_APIS)[number];

/** Used when --seed is not given: output is reproducible by default. */
export const DEFAULT_SEED = 1;

export function isGeneratedApi(name: string): name is GeneratedApi {
  return (GENERATED_APIS as readonly string[]).includes(name);
}

/**
 * `count` valid records of `api`, deterministic for `seed` (a non-negative safe integer).
 * download records carry `_api` naming their endpoint; stat and sud records need none.
 */
export function generateRecords(api: GeneratedApi, count: number, seed: number): Generator<JsonObject> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number of 0 or more, got ${count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number of 0 or more, got ${seed}`);
  const rng = new Prng(seed);
  const start = baseTimeSeconds(seed);
  switch (api) {
    case 'stat':
      return generateStatRecords(count, rng, start);
    case 'sud':
      return generateSudRecords(count, rng, start);
    case 'download':
      return generateDownloadRecords(count, rng, start);
  }
}

/** The CSV header for an API's generated records (dotted names nest, as the reader expects). */
export function csvColumns(api: GeneratedApi): readonly string[] {
  switch (api) {
    case 'stat':
      return STAT_COLUMNS;
    case 'sud':
      return SUD_COLUMNS;
    case 'download':
      return DOWNLOAD_COLUMNS;
  }
}
