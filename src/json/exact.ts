/**
 * JSON that keeps integers exact. `JSON.parse` rounds integers past 2^53 (the seed's
 * `mg_id` 1461227817776713818); lossless-json does not, but costs ~2.5× as much, so it is
 * used only on text that holds a run of 16+ digits (PERF-NOTES.md): shorter runs cannot
 * hold an unsafe integer. Unsafe integers become `bigint`; everything else is as JSON.parse.
 */
import { parse as losslessParse, isInteger } from 'lossless-json';

// Sixteen \d spelled out: V8 runs this several times faster than /\d{16}/ on lines with
// many short digit runs (measured: ~6× on stat events), and it is on every line's path.
const LONG_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;

function parseNumber(text: string): number | bigint {
  if (isInteger(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** Parse JSON text; integers beyond 2^53 come back as bigint. Throws SyntaxError like JSON.parse. */
export function parseExact(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  // lossless-json's messages differ from JSON.parse's; validate with JSON.parse first so
  // every syntax error reads the same whichever path the line took.
  JSON.parse(text);
  return losslessParse(text, null, parseNumber);
}

function containsBigInt(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(containsBigInt);
  for (const key in value) if (containsBigInt((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * A bigint goes through JSON.stringify as a marked string and the marks are then cut
 * away, leaving the bare digits: native speed, where lossless-json's stringify costs ~13 µs
 * per SUD record. The mark holds a NUL (escaped as \u0000 in JSON text) and a per-process
 * random tag, so no string from a record can be taken for one.
 */
const BIGINT_TAG = `\u0000${Math.random().toString(36).slice(2, 10)}:`;
const BIGINT_MARKED = new RegExp(`"\\\\u0000${BIGINT_TAG.slice(1)}(-?\\d+)"`, 'g');

function markBigInt(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? BIGINT_TAG + value.toString() : value;
}

/** Serialize; bigint values are written digit for digit. Same output as JSON.stringify otherwise. */
export function stringifyExact(value: unknown): string {
  if (!containsBigInt(value)) return JSON.stringify(value);
  return JSON.stringify(value, markBigInt).replace(BIGINT_MARKED, '$1');
}

/** Parse an integer written as text exactly: number when safe, bigint beyond 2^53; undefined if not an integer. */
export function parseIntegerText(text: string): number | bigint | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  return BigInt(text);
}
