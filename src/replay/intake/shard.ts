/**
 * `--shard K/N` (README § Scaling out): which of N shards a record belongs to. The hash is FNV-1a over
 * the key's UTF-8 bytes: stable across machines, Node versions and runs, so N processes
 * reading the same input split it without talking to each other — disjoint, complete, and
 * with every key (a user, a game round) in one shard, in input order.
 */
import type { Judgement } from '../../validate/judge.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const encoder = new TextEncoder();

/** FNV-1a 32-bit of the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      hash = Math.imul(hash ^ code, FNV_PRIME);
      continue;
    }
    // Hash bytes, not UTF-16 units, so the same key hashes the same from any reader.
    for (const byte of encoder.encode(text.slice(i))) hash = Math.imul(hash ^ byte, FNV_PRIME);
    return hash >>> 0;
  }
  return hash >>> 0;
}

/** The shard (0-based) of a key among `count` shards. */
export function shardOf(key: string, count: number): number {
  return fnv1a32(key) % count;
}

/**
 * The key a judged record shards by. A valid record uses its endpoint's key (stat uid, SUD
 * game_round_id, download appid+id). An invalid one is still some shard's to report — else
 * N shards would report it N times and a merged report would count it N times — by its
 * endpoint's key when it has a usable one, else by where it sits in the input.
 */
export function shardKeyOf(judgement: Judgement): string {
  const value = judgement.record?.value ?? judgement.failedForm;
  if (judgement.endpoint && value) {
    const key = judgement.endpoint.shardKey(value);
    if (key !== '') return key;
  }
  return `${judgement.origin.file}:${judgement.origin.line}`;
}
