/**
 * CSV rows (and other all-string sources, such as form bodies) to SUD types. The reader
 * nests dotted columns (`report_msg.mg_id`) and hands every cell over as a string.
 *
 * A CSV holding both report types has every column on every row, so a game_start row has
 * empty `results`/`battle_end_at` cells: an empty cell in a field this row's report type
 * does not have is absent, not an unknown or wrongly typed field. Empty cells in integer,
 * JSON and optional string fields are absent too; an empty required string (a uid) stays ''.
 */
import { JsonDepthError, MAX_DEPTH, isJsonObject, parseExact, parseIntegerText } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import { INT_MSG_FIELDS, JSON_MSG_FIELDS, KNOWN, OPTIONAL_STRING_MSG_FIELDS, type ReportType } from './schema.js';

const ALL_MSG_FIELDS: ReadonlySet<string> = new Set([...KNOWN.game_start, ...KNOWN.game_settle]);

function reportTypeOf(value: unknown): ReportType | undefined {
  return value === 'game_start' || value === 'game_settle' ? value : undefined;
}

/**
 * JSON text → value; text that is not JSON stays text so validation names the field.
 * `level` is the depth of the object holding the cell (the record is 1): text nesting past
 * what a record may throws JsonDepthError.
 */
function parseJsonCell(cell: string, level: number): unknown {
  try {
    return parseExact(cell, MAX_DEPTH - level);
  } catch (err) {
    if (err instanceof JsonDepthError) throw err;
    return cell;
  }
}

function convertMsg(msg: JsonObject, type: ReportType | undefined): JsonObject {
  const fields = type ? KNOWN[type] : ALL_MSG_FIELDS;
  const optionalStrings = type ? OPTIONAL_STRING_MSG_FIELDS[type] : undefined;
  const out: JsonObject = {};
  for (const name in msg) {
    const cell = msg[name];
    if (typeof cell !== 'string') {
      out[name] = cell;
      continue;
    }
    if (cell === '') {
      // Absent unless it is a string field this type has and requires (an empty room_id is a value).
      if (!fields.has(name) || INT_MSG_FIELDS.has(name) || JSON_MSG_FIELDS.has(name) || optionalStrings?.has(name)) continue;
      out[name] = cell;
      continue;
    }
    if (INT_MSG_FIELDS.has(name)) out[name] = parseIntegerText(cell) ?? cell;
    else if (JSON_MSG_FIELDS.has(name)) out[name] = parseJsonCell(cell, 2);
    else out[name] = cell;
  }
  return out;
}

/**
 * Convert a row whose cells are strings: report_msg integers exactly (mg_id as bigint past
 * 2^53), players/results from their JSON text. A `report_msg` given as one JSON cell is
 * parsed as JSON and kept as written. Does not modify `row`. Throws JsonDepthError for a
 * JSON cell that makes the record nest too deep.
 */
export function typeSudTextFields(row: JsonObject): JsonObject {
  const msg = row.report_msg;
  if (typeof msg === 'string') {
    if (msg !== '') return { ...row, report_msg: parseJsonCell(msg, 1) };
    const absent = { ...row };
    delete absent.report_msg;
    return absent;
  }
  if (!isJsonObject(msg)) return row;
  return { ...row, report_msg: convertMsg(msg, reportTypeOf(row.report_type)) };
}
