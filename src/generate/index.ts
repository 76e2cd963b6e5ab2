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
import { Prng } from '../prng.js';

/** An API name that has a generator (`generatedApis()`). */
export type GeneratedApi = string;

/** Seconds of 2026-01-01T00:00:00Z: recent, and in the past, so the stat `ts` rules stay quiet. */
export const BASE_EPOCH_SECONDS = 1_767_225_600;

/**
 * The clock a generated log starts at: 2026-01-01 plus up to 60 whole days chosen by the
 * seed. Fixed per seed, never the wall clock, so output is reproducible.
 */
function baseTimeSeconds(seed: number): number {
  return BASE_EPOCH_SECONDS + new Prng(seed ^ 0x5eed).int(0, 59) * 86_400;
}

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
