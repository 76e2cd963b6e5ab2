/**
 * The SUD keys already sent in this run (docs/API.md § sud.report_game_info: the tool never sends the same key
 * twice) — with --checkpoint, in the whole backfill: a resumed run starts with the keys the
 * checkpoint kept for the lines its earlier runs settled (../checkpoint/checkpoint.ts). A backfill of millions of reports needs millions of keys, so they are kept
 * exactly (no fingerprints: a hash collision would skip a record that was never sent) but
 * outside the JS heap: key bytes in one growing buffer, an open-addressing table of offsets
 * beside it. A JS Set would cost ~100 heap bytes a key and, because V8 lets the heap grow
 * to a multiple of what is live before it collects, several times that in memory.
 */
import { fnv1a32 } from './shard.js';

const INITIAL_SLOTS = 1 << 12;
const INITIAL_BYTES = 1 << 16;
/** Keys longer than this are kept in the JS heap instead (the byte length is stored in 2 bytes). */
const MAX_KEY_BYTES = 0xffff;

export class KeySet {
  /** Slot i: 0 when empty, else 1 + the offset of the key's record (u16 length, bytes) in #bytes. */
  #slots = new Uint32Array(INITIAL_SLOTS);
  /** The key's hash, beside its slot, so most probes never compare bytes. */
  #hashes = new Uint32Array(INITIAL_SLOTS);
  #bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  #used = 0;
  #size = 0;
  readonly #long = new Set<string>();

  get size(): number {
    return this.#size + this.#long.size;
  }

  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    return !this.#find(key, true);
  }

  has(key: string): boolean {
    return this.#find(key, false);
  }

  /** Whether `key` is in the set; with `insert`, it is afterwards. */
  #find(key: string, insert: boolean): boolean {
    const length = Buffer.byteLength(key);
    if (length > MAX_KEY_BYTES) {
      const found = this.#long.has(key);
      if (insert) this.#long.add(key);
      return found;
    }
    // The candidate goes at the end of the buffer: compared in place, kept only when inserted.
    this.#reserve(2 + length);
    const at = this.#used;
    this.#bytes.writeUInt16LE(length, at);
    this.#bytes.write(key, at + 2, length, 'utf8');
    const hash = fnv1a32(key);
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot]!;
      if (entry === 0) {
        if (!insert) return false;
        this.#slots[slot] = at + 1;
        this.#hashes[slot] = hash;
        this.#used += 2 + length;
        this.#size++;
        if (this.#size * 2 > this.#slots.length) this.#grow();
        return false;
      }
      if (this.#hashes[slot] === hash && this.#sameAs(entry - 1, at, length)) return true;
    }
  }

  #sameAs(stored: number, candidate: number, length: number): boolean {
    const bytes = this.#bytes;
    if (bytes.readUInt16LE(stored) !== length) return false;
    return bytes.compare(bytes, candidate + 2, candidate + 2 + length, stored + 2, stored + 2 + length) === 0;
  }

  #reserve(extra: number): void {
    if (this.#used + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#used + extra) size *= 2;
    const bytes = Buffer.allocUnsafe(size);
    this.#bytes.copy(bytes, 0, 0, this.#used);
    this.#bytes = bytes;
  }

  #grow(): void {
    const slots = new Uint32Array(this.#slots.length * 2);
    const hashes = new Uint32Array(slots.length);
    const mask = slots.length - 1;
    for (let i = 0; i < this.#slots.length; i++) {
      const entry = this.#slots[i]!;
      if (entry === 0) continue;
      const hash = this.#hashes[i]!;
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
      hashes[slot] = hash;
    }
    this.#slots = slots;
    this.#hashes = hashes;
  }
}
