/**
 * The one seeded PRNG (mulberry32) and the draws built on it. `Math.random` cannot be
 * seeded; whatever must repeat for a seed draws from a `Prng`: `generate`'s records
 * (byte-identical output for a seed), the receiver's faults (serve/faults.ts: the same seed
 * fails the same requests), the benchmarks' gaps and kill points, the property tests.
 * mulberry32 is small and fast, and its 32-bit state is plenty for test data and fault
 * draws; it is not for anything secret.
 */

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const HEX_UPPER = '0123456789ABCDEF';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export class Prng {
  #state: number;

  /**
   * `seed`: any safe integer. A 32-bit one (from −2^31 to 2^32 − 1, as `^` gives them) is
   * the state as it is, so `new Prng(s)` draws the classic mulberry32(s) sequence; the high
   * bits of a larger one are folded in.
   */
  constructor(seed: number) {
    const high = seed >= 2 ** 32 ? Math.floor(seed / 2 ** 32) >>> 0 : 0;
    this.#state = ((seed >>> 0) ^ Math.imul(high, 0x27d4eb2d)) >>> 0;
  }

  /** 32 random bits. */
  uint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
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
