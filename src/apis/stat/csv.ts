/**
 * CSV row (or form body: every value a string) → stat record types. Integers are read
 * exactly; `data` holds JSON text. A cell that cannot convert is kept as text so that
 * validation names the field and its rule. An empty cell of a stat field means absent:
 * a CSV mixing single events and envelopes has every column on every row.
 */
import type { JsonObject } from '../../records.js';
import { JsonDepthError, MAX_DEPTH, parseExact, parseIntegerText } from '../../json/exact.js';

/** Every top-level field a stat record may have: the event's, then the envelope's. */
export const STAT_FIELDS: readonly string[] = ['aid', 'uid', 'app_id', 'game_id', 'game_v', 'v', 'ts', 'session_key', '__md5', 'data'];

const KNOWN = new Set(STAT_FIELDS);
const INTEGER_FIELDS = new Set(['aid', 'app_id', 'game_id']);

/**
 * `ts` and `v` stay strings: the API types them str and a string of digits is valid for
 * both, so the text is sent as it was logged.
 */
export function typeStatTextFields(row: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const name in row) {
    const cell = row[name];
    if (typeof cell !== 'string') {
      out[name] = cell;
      continue;
    }
    if (cell === '' && KNOWN.has(name)) continue;
    if (INTEGER_FIELDS.has(name)) out[name] = parseIntegerText(cell) ?? cell;
    else if (name === 'data') out[name] = arrayFromText(cell);
    else out[name] = cell;
  }
  return out;
}

/**
 * The parsed array, or the text unchanged when it is not the JSON text of an array (validation
 * names it). Text nesting deeper than a record may throws JsonDepthError: the record is too deep.
 */
function arrayFromText(text: string): unknown {
  try {
    const parsed = parseExact(text, MAX_DEPTH - 1);
    return Array.isArray(parsed) ? parsed : text;
  } catch (err) {
    if (err instanceof JsonDepthError) throw err;
    return text;
  }
}
