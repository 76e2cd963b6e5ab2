import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../src/prng.js';

test('Prng draws the classic mulberry32 sequence of a 32-bit seed (the receiver\'s fault draws and the benchmarks\' are unchanged)', () => {
  // The first draws of mulberry32(seed) as the receiver computed them before it shared this module.
  const known: readonly (readonly [number, readonly number[]])[] = [
    [42, [2581720956, 1925393290, 3661312704, 2876485805]],
    [0, [1144304738, 1416247, 958946056, 627933444]],
    [11, [2197249643, 2276102492, 2611849345, 2534707746]],
    [20261201, [1214187109, 1007508439, 461233435, 3240169004]],
    // A seed XORed with a stream constant is negative as an int32: the same state as its uint32.
    [0x9e3779b9 ^ 7, [4219351720, 1435059229, 2960320187, 543362399]],
  ];
  for (const [seed, draws] of known) {
    const prng = new Prng(seed);
    assert.deepEqual(Array.from({ length: draws.length }, () => prng.uint32()), draws, `seed ${seed}`);
  }
});

test('Prng is deterministic, in [0, 1), roughly uniform, and seeds differ (the high bits of a large seed too)', () => {
  const draws = (seed: number) => {
    const prng = new Prng(seed);
    return Array.from({ length: 1000 }, () => prng.next());
  };
  const xs = draws(42);
  assert.deepEqual(draws(42), xs);
  assert.notDeepEqual(draws(43), xs);
  assert.notDeepEqual(draws(42 + 2 ** 32), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `roughly uniform (mean ${mean})`);
});
