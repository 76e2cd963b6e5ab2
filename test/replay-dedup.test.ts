import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySet } from '../src/replay/intake/key-set.js';
import { Prng } from '../src/prng.js';

describe('KeySet (SUD keys already sent)', () => {
  test('answers exactly like a Set over many keys with repeats, through its growth', () => {
    const keys = new KeySet();
    const oracle = new Set<string>();
    const prng = new Prng(12345);
    const next = (): number => prng.uint32();
    for (let i = 0; i < 60_000; i++) {
      const key = `game_${next() % 2 ? 'start' : 'settle'}:round-${next() % 40_000}`;
      assert.equal(keys.add(key), !oracle.has(key), key);
      oracle.add(key);
    }
    assert.equal(keys.size, oracle.size);
    assert.ok(keys.has('game_start:round-1') === oracle.has('game_start:round-1'));
    assert.equal(keys.has('game_start:round-never'), false);
  });

  test('tells apart keys that differ only in their bytes: unicode, prefixes, the empty key, very long keys', () => {
    const keys = new KeySet();
    for (const key of ['', 'a', 'ab', 'é', 'e\u0301', '对局-1', '对局-2', 'x'.repeat(70_000), 'x'.repeat(70_001)]) {
      assert.equal(keys.add(key), true, JSON.stringify(key.slice(0, 10)));
    }
    for (const key of ['', 'a', 'ab', 'é', 'e\u0301', '对局-1', '对局-2', 'x'.repeat(70_000), 'x'.repeat(70_001)]) {
      assert.equal(keys.add(key), false, JSON.stringify(key.slice(0, 10)));
    }
    assert.equal(keys.has('对局-3'), false);
    assert.equal(keys.size, 9);
  });
});
