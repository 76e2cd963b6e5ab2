/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) and the helpers the generators
 * draw with. `Math.random` cannot be seeded, and `generate` must give byte-identical
 * output for a seed, so every random choice goes through one `Prng`.
 */

/** splitmix32: spreads a seed's bits so that nearby seeds give unrelated streams. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const HEX_UPPER = '0123456789ABCDEF';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** `seed`: any safe integer (its high and low 32 bits both count). */
  constructor(seed: number) {
    const high = Math.floor(seed / 2 ** 32) >>> 0;
    const mix = splitmix32((seed >>> 0) ^ Math.imul(high, 0x27d4eb2d));
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix();
    // sfc32 needs a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** 32 random bits. */
  uint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Pick by weight: `[[item, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /**
   * A skewed integer in [min, max]: small values common, large ones rare (session lengths,
   * play times and file sizes look like this, not uniform).
   */
  skewed(min: number, max: number): number {
    const r = this.next();
    return min + Math.floor(r * r * (max - min + 1));
  }

  #chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  base36(length: number): string {
    return this.#chars(BASE36, length);
  }

  hexUpper(length: number): string {
    return this.#chars(HEX_UPPER, length);
  }

  alnum(length: number): string {
    return this.#chars(ALNUM, length);
  }

  /** A positive int64 past 2^53 (SUD `mg_id`), as a bigint so it prints digit for digit. */
  int64Beyond53(): bigint {
    // 2^60 + 60 random bits' worth below 2^63: always more than 2^53, always a positive int64.
    const high = BigInt(this.uint32() & 0x3fffffff);
    const low = BigInt(this.uint32());
    return (1n << 62n) | (high << 32n) | low;
  }
}

/** Seconds of 2026-01-01T00:00:00Z: recent, and in the past, so the stat `ts` rules stay quiet. */
export const BASE_EPOCH_SECONDS = 1_767_225_600;

/**
 * The clock a generated log starts at: 2026-01-01 plus up to 60 whole days chosen by the
 * seed. Fixed per seed, never the wall clock, so output is reproducible.
 */
export function baseTimeSeconds(seed: number): number {
  return BASE_EPOCH_SECONDS + new Prng(seed ^ 0x5eed).int(0, 59) * 86_400;
}
