/**
 * UTF-8 byte limits. The SUD seed caps `report_game_info_extras` at 1024 bytes and
 * `report_game_info_key` at 64 and says a longer value is truncated; we truncate before
 * sending so what the receiver stores is what we sent, and never split a character
 * (a split character would turn into U+FFFD on the other side).
 */

/** Size of `s` in UTF-8 bytes. */
export function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** True when `s` is longer than `maxBytes` in UTF-8. */
export function overUtf8Limit(s: string, maxBytes: number): boolean {
  // Each UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair, 2 units, is 4):
  // a short string cannot be over the limit, so the hot path skips the byte count.
  if (s.length * 3 <= maxBytes) return false;
  return utf8ByteLength(s) > maxBytes;
}

/**
 * The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, ending on a
 * character boundary. Returns `s` itself when it already fits.
 */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (!overUtf8Limit(s, maxBytes)) return s;
  if (maxBytes <= 0) return '';
  const bytes = Buffer.from(s, 'utf8');
  let cut = maxBytes;
  // bytes[cut] is the first byte left out; while it continues a multi-byte character
  // (10xxxxxx), that character would be split, so cut before its lead byte instead.
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut);
}
