/**
 * UTF-8 validity of a byte stream seen chunk by chunk, for readers that cannot keep each
 * record's bytes (the CSV parser decodes cells itself and turns bad bytes into U+FFFD).
 * `isUtf8` is a native SIMD check, far cheaper than the parsing it guards.
 */
import { isUtf8 } from 'node:buffer';

/** Where an incomplete multi-byte sequence at the end of `bytes` starts (bytes.length if none). */
function incompleteTailStart(bytes: Buffer): number {
  const end = bytes.length;
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    if (byte < 0xc0) return end; // ASCII: nothing pending
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return end - i < needed ? i : end;
  }
  return end;
}

export class Utf8StreamCheck {
  /** Bytes of a character cut by the previous chunk's end. */
  #carry: Buffer | undefined;

  /** False when `chunk` (with the bytes carried from the previous chunk) holds invalid UTF-8. */
  check(chunk: Buffer): boolean {
    const bytes = this.#carry === undefined ? chunk : Buffer.concat([this.#carry, chunk]);
    const cut = incompleteTailStart(bytes);
    this.#carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
    return isUtf8(bytes.subarray(0, cut));
  }

  /** False when the input ended inside a multi-byte character. */
  end(): boolean {
    const complete = this.#carry === undefined;
    this.#carry = undefined;
    return complete;
  }
}
