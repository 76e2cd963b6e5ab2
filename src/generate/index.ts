/**
 * Synthetic valid records for load tests (README, `generate`): each API's generator lives
 * in its folder (`ApiModule.generator`); this draws them all from one seeded PRNG and a
 * clock that starts at a base time derived from the seed (never the wall clock), so a seed
 * gives the same records every time. Generators are lazy and keep bounded state: ten
 * million records need no more memory than ten.
 */
import type { ApiGenerator } from '../apis/api.js';
import { apiModules } from '../apis/registry.js';
import type { JsonObject } from '../records.js';
import { Prng, baseTimeSeconds } from './prng.js';

/** An API name that has a generator (`generatedApis()`). */
export type GeneratedApi = string;

/** Used when --seed is not given: output is reproducible by default. */
export const DEFAULT_SEED = 1;

/** The APIs that can generate records, in registry order. */
export function generatedApis(): string[] {
  return apiModules()
    .filter((api) => api.generator !== undefined)
    .map((api) => api.name);
}

function generatorOf(api: string): ApiGenerator {
  const generator = apiModules().find((m) => m.name === api)?.generator;
  if (generator === undefined) throw new RangeError(`no generator for API ${api}`);
  return generator;
}

/**
 * `count` valid records of `api`, deterministic for `seed` (a non-negative safe integer).
 * download records carry `_api` naming their endpoint; stat and sud records need none.
 */
export function generateRecords(api: GeneratedApi, count: number, seed: number): Generator<JsonObject> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a whole number of 0 or more, got ${count}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a whole number of 0 or more, got ${seed}`);
  const generator = generatorOf(api);
  return generator.records(count, new Prng(seed), baseTimeSeconds(seed));
}

/** The CSV header for an API's generated records (dotted names nest, as the reader expects). */
export function csvColumns(api: GeneratedApi): readonly string[] {
  return generatorOf(api).columns;
}
