import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { md5Sorted, md5SortedString } from '../src/sign/md5-sorted.js';
import { Prng } from '../src/prng.js';

/** The order docs/API.md § stat.push_data asks for, computed the slow and obvious way: UTF-8 bytes. */
function byteOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function signedString(params: Record<string, string>, secret: string): string {
  return byteOrder(Object.keys(params).filter((n) => n !== '__md5')).map((n) => `${n}=${params[n]}`).join('&') + secret;
}

/** A deterministic generator (no Math.random: a failure must reproduce). */
function* names(seed: number, count: number): Generator<string> {
  // ASCII, Latin-1, CJK, the private-use block past U+E000 (where UTF-16 and UTF-8 orders
  // agree only while no surrogate is present), and emoji (surrogate pairs).
  const alphabet = ['a', 'b', 'Z', '_', '0', '~', 'é', 'ß', '下', '载', '\uE000', '\uFFFD', '\uFFFF', '😀', '🎮', '\u{10000}'];
  const prng = new Prng(seed);
  const next = (): number => prng.uint32();
  for (let i = 0; i < count; i++) {
    const length = 1 + (next() % 4);
    let name = '';
    for (let j = 0; j < length; j++) name += alphabet[next() % alphabet.length];
    yield name;
  }
}

test('parameter names of every kind sort in UTF-8 byte order, with and without surrogates among them', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const params: Record<string, string> = {};
    for (const name of names(seed, 2 + (seed % 7))) params[name] = `v${seed}`;
    assert.equal(md5SortedString(params, 'S'), signedString(params, 'S'), `seed ${seed}: ${JSON.stringify(Object.keys(params))}`);
  }
});

test('a name past U+E000 sorts after every ASCII and CJK name, as its UTF-8 bytes do', () => {
  assert.equal(md5SortedString({ '\uE000': '1', z: '2', 下: '3', A: '4' }, ''), 'A=4&z=2&下=3&\uE000=1');
});

test('the stat parameters, in the order the builder writes them, sign as the spec string', () => {
  const params = { session_key: 'k', ts: '100', app_id: '1', uid: 'u', data: '[{"aid":1000}]' };
  const text = 'app_id=1&data=[{"aid":1000}]&session_key=k&ts=100&uid=u' + 'S';
  assert.equal(md5Sorted(params, 'S'), createHash('md5').update(text, 'utf8').digest('hex'));
});
