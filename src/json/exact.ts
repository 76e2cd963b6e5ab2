/**
 * JSON that keeps numbers exact and nesting bounded: the one parser every record goes
 * through (NDJSON lines, CSV JSON cells, stat `data` text, the receiver's bodies).
 *
 * - Integers past 2^53 come back as `bigint` (the SUD `mg_id` 1461227817776713818).
 * - A number whose text `JSON.stringify` would not write back the same (`1.50`, `1e400`,
 *   `2.5e-400`, `1E5`, `-0`, `1.0`) comes back as a `JsonNumberText` holding its text, so an
 *   unknown field is sent byte for byte; in a field the schemas type, it is the wrong type.
 * - Duplicate keys: the last one wins, as with `JSON.parse`, on every path (README.md).
 * - Nesting deeper than `MAX_DEPTH` is refused with a `JsonDepthError`, so nothing
 *   downstream (reports, previews, writers, builders) recurses without limit.
 * - A lone surrogate (`"\ud800"`) is refused with a `JsonUnicodeError`: it is no Unicode text.
 *
 * Most lines need none of this: a cheap gate sends them straight to the native `JSON.parse`
 * (a parser written in JS costs ~2.5× as much). The others are scanned once outside
 * strings; the numbers that need care are swapped for placeholder strings, `JSON.parse`
 * reads the rest and one walk puts the exact values back.
 */

/** The deepest nesting a record may have; the top-level object is level 1. */
export const MAX_DEPTH = 64;

/**
 * A JSON number kept as its original text, because a JS number would write it back
 * differently. `stringifyExact` writes the text as it was; plain `JSON.stringify` (reports)
 * writes it as a string, as reports write bigints. Its text is private, so `for…in` and
 * `Object.keys` see no fields in it.
 */
export class JsonNumberText {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `JsonNumberText(${this.#text})`;
  }

  toString(): string {
    return this.#text;
  }

  toJSON(): string {
    return writingExact ? EXACT_TAG + this.#text : this.#text;
  }
}

/** The text nests deeper than the bound. A SyntaxError, so callers that only know JSON errors still refuse it. */
export class JsonDepthError extends SyntaxError {
  constructor(readonly maxDepth: number) {
    super(`the JSON nests deeper than ${maxDepth} levels`);
    this.name = 'JsonDepthError';
  }
}

/**
 * A string or key holds a lone surrogate (`"\ud800"`): not Unicode text, so it cannot be sent
 * as UTF-8 (percent-encoding it throws). The only way JSON text holds one is a `\u` escape:
 * raw bytes that are not UTF-8 are refused before parsing.
 */
export class JsonUnicodeError extends SyntaxError {
  constructor() {
    super('a string holds a lone surrogate (a \\uD800–\\uDFFF escape without its pair): it is not Unicode text and cannot be sent as UTF-8');
    this.name = 'JsonUnicodeError';
  }
}

/** An object as JSON has them: not null, not an array, not a number kept as text. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumberText);
}

// Sixteen \d spelled out: V8 runs this several times faster than /\d{16}/ on lines with
// many short digit runs (measured: ~6× on stat events), and it is on every line's path.
const LONG_DIGITS = /\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d\d/;
/**
 * Where a number token may be one JSON.stringify would write differently: a fraction or an
 * exponent (followed by the end of its token), or `-0`. Text inside strings may match too;
 * that only sends the line to the scan, which then finds nothing. (Measured: starting at
 * the rare `.` and exponent letters is cheaper than starting at every `:` and `,`.)
 */
const MAYBE_NON_CANONICAL = /\.\d+[,}\]\seE]|[eE][+-]?\d+[,}\]\s]|-0[,}\]\s]/;
/** A surrogate's `\u` escape (checked only on text that has a `\u` at all). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const NUMBER_SYNTAX = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Placeholders and bigint marks are strings starting with a NUL (written \u0000 in JSON
 * text) and a per-process random tag, so no string from a record can be taken for one.
 */
const TAG = `${Math.random().toString(36).slice(2, 10)}:`;
const EXACT_TAG = `\u0000${TAG}`;
const EXACT_MARKED = new RegExp(`"\\\\u0000${TAG}([-+.\\deE]+)"`, 'g');

/** Index of the quote that closes the string opened at `open` (text.length when none). */
function stringEnd(text: string, open: number): number {
  let at = text.indexOf('"', open + 1);
  while (at !== -1) {
    let backslashes = 0;
    for (let b = at - 1; text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
    if ((backslashes & 1) === 0) return at;
    at = text.indexOf('"', at + 1);
  }
  return text.length;
}

/** More than `limit` openers anywhere (strings included): an upper bound on the depth, by native search. */
function manyOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (let at = text.indexOf('{'); at !== -1; at = text.indexOf('{', at + 1)) if (++count > limit) return true;
  for (let at = text.indexOf('['); at !== -1; at = text.indexOf('[', at + 1)) if (++count > limit) return true;
  return false;
}

/**
 * Throws JsonDepthError when objects and arrays (outside strings) nest deeper than
 * `maxDepth`. Valid JSON that deep closes what it opens, so a shorter text cannot be; an
 * invalid one is refused by JSON.parse, which does not recurse.
 */
function checkDepth(text: string, maxDepth: number): void {
  if (text.length <= 2 * maxDepth || !manyOpeners(text, maxDepth)) return;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) throw new JsonDepthError(maxDepth);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
}

interface Special {
  readonly start: number;
  readonly end: number;
  readonly value: bigint | JsonNumberText;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The exact value a number token needs, or undefined when JSON.parse reads it right (or it is not a JSON number). */
function specialValue(token: string, integer: boolean): bigint | JsonNumberText | undefined {
  if (integer) {
    if (token === '-0') return new JsonNumberText(token);
    if (token.length < 16 || Number.isSafeInteger(Number(token)) || !NUMBER_SYNTAX.test(token)) return undefined;
    return BigInt(token);
  }
  if (String(Number(token)) === token || !NUMBER_SYNTAX.test(token)) return undefined;
  return new JsonNumberText(token);
}

/** The number tokens (outside strings) that JSON.parse would not keep exact, in text order. */
function findSpecials(text: string): Special[] {
  const found: Special[] = [];
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i) + 1;
      continue;
    }
    if (c !== MINUS && !isDigit(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    let integer = true;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (isDigit(d)) continue;
      // . e E + -: a fraction or an exponent (a malformed token is left for JSON.parse to refuse)
      if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === MINUS) integer = false;
      else break;
    }
    const value = specialValue(text.slice(i, j), integer);
    if (value !== undefined) found.push({ start: i, end: j, value });
    i = j;
  }
  return found;
}

/** Put the exact values back where their placeholders are; returns the node (replaced when it is one). */
function restore(node: unknown, specials: readonly Special[], left: { count: number }): unknown {
  if (typeof node === 'string') {
    if (node.charCodeAt(0) !== 0 || !node.startsWith(EXACT_TAG)) return node;
    left.count--;
    return specials[Number(node.slice(EXACT_TAG.length))]!.value;
  }
  if (typeof node !== 'object' || node === null) return node;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length && left.count > 0; i++) {
      const item: unknown = node[i];
      const exact = restore(item, specials, left);
      if (exact !== item) node[i] = exact;
    }
    return node;
  }
  const object = node as Record<string, unknown>;
  for (const key in object) {
    if (left.count === 0) break;
    const item = object[key];
    const exact = restore(item, specials, left);
    if (exact !== item) object[key] = exact;
  }
  return node;
}

function parseSpecial(text: string): unknown {
  const specials = findSpecials(text);
  if (specials.length === 0) return JSON.parse(text);
  let replaced = '';
  let from = 0;
  for (let k = 0; k < specials.length; k++) {
    const { start, end } = specials[k]!;
    replaced += text.slice(from, start) + '"\\u0000' + TAG + k + '"';
    from = end;
  }
  replaced += text.slice(from);
  let parsed: unknown;
  try {
    parsed = JSON.parse(replaced);
  } catch {
    // Placeholders shift positions: the message of the text itself, as the fast path gives.
    JSON.parse(text);
    throw new SyntaxError('invalid JSON');
  }
  // Duplicate keys may have dropped placeholders; the walk then simply visits everything.
  return restore(parsed, specials, { count: specials.length });
}

/**
 * Parse JSON text: integers beyond 2^53 as bigint, numbers JSON.stringify would rewrite as
 * JsonNumberText, duplicate keys last-wins. Throws SyntaxError as JSON.parse does, and
 * JsonDepthError past `maxDepth` levels (a part of a record passes the depth it has left).
 */
export function parseExact(text: string, maxDepth: number = MAX_DEPTH): unknown {
  checkDepth(text, maxDepth);
  const first = text.charCodeAt(0);
  const plain = (first === OPEN_BRACE || first === OPEN_BRACKET) && !LONG_DIGITS.test(text) && !MAYBE_NON_CANONICAL.test(text);
  const value: unknown = plain ? JSON.parse(text) : parseSpecial(text);
  if (text.indexOf('\\u') !== -1 && SURROGATE_ESCAPE.test(text)) checkWellFormed(value);
  return value;
}

function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Throws JsonUnicodeError when a string or key below `node` holds a lone surrogate. */
function checkWellFormed(node: unknown): void {
  if (typeof node === 'string') {
    if (!isWellFormed(node)) throw new JsonUnicodeError();
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) checkWellFormed(item);
    return;
  }
  for (const key in node) {
    if (!isWellFormed(key)) throw new JsonUnicodeError();
    checkWellFormed((node as Record<string, unknown>)[key]);
  }
}

function needsExact(value: unknown): boolean {
  if (typeof value === 'bigint' || value instanceof JsonNumberText) return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(needsExact);
  for (const key in value) if (needsExact((value as Record<string, unknown>)[key])) return true;
  return false;
}

/** While stringifyExact runs, JsonNumberText.toJSON marks its text (synchronous, so never seen elsewhere). */
let writingExact = false;

function markBigInt(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? EXACT_TAG + value.toString() : value;
}

/**
 * Serialize; bigint and JsonNumberText values are written as the numbers they are, digit for
 * digit. Same output as JSON.stringify otherwise. The marked strings are cut back to bare
 * numbers afterwards: native speed, where a JS serializer costs ~13 µs per SUD record.
 */
export function stringifyExact(value: unknown): string {
  if (!needsExact(value)) return JSON.stringify(value);
  writingExact = true;
  try {
    return JSON.stringify(value, markBigInt).replace(EXACT_MARKED, '$1');
  } finally {
    writingExact = false;
  }
}

/** Parse an integer written as text exactly: number when safe, bigint beyond 2^53; undefined if not an integer. */
export function parseIntegerText(text: string): number | bigint | undefined {
  if (!/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  if (Number.isSafeInteger(n)) return n;
  return BigInt(text);
}
