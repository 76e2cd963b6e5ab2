/**
 * From text (a CSV cell, a form value, an NDJSON string) to the field's type. The service
 * is form-encoded, so an integer arriving as a string of digits is as good as a JSON
 * integer; a value that cannot convert is left as it was so the rules can name it.
 */
import { JsonNumberText, parseIntegerText } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import type { DownloadSchema, FieldSpec } from './schema.js';

/**
 * The value a field holds once its type is settled: integers from digit strings (exact),
 * numbers in text fields as their text (as written: `1.50` stays `1.50`), `null` and an
 * empty integer cell as absent.
 */
export function settle(spec: FieldSpec, v: unknown): unknown {
  if (v === null) return undefined;
  if (spec.type === 'int') {
    if (typeof v !== 'string') return v;
    return v === '' ? undefined : (parseIntegerText(v) ?? v);
  }
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof JsonNumberText) return String(v);
  return v;
}

/**
 * `Endpoint.typeTextFields`: a row (or a form body) whose every value is a string. Integer fields
 * are converted exactly; an empty integer cell means absent; text fields stay as they are
 * (an empty one is still "", which the rules judge per field).
 */
export function typeDownloadTextFields(schema: DownloadSchema, row: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key in row) {
    const spec = schema.byName.get(key);
    const v = spec && spec.type === 'int' ? settle(spec, row[key]) : row[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
