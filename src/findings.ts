import { MAX_DEPTH } from './json/exact.js';

export type Severity = 'error' | 'warning';

/** A rule as documented: a stable id users can grep for, and what it means. */
export interface RuleDef {
  /** Stable id, `<api>.<name>` (for example `stat.unknown_aid`, `sud.mg_id_mismatch`). */
  readonly id: string;
  readonly severity: Severity;
  /** One sentence: what the rule checks. */
  readonly summary: string;
}

/** One problem found in one record. The caller adds the record's origin. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  /** Field path in the record, dotted with indexes: `report_msg.results[1].uid`; `` for the record. */
  readonly path: string;
  /** The offending value, as found (undefined when missing). */
  readonly value?: unknown;
  /** A sentence for a person: what is wrong, and what was expected. */
  readonly message: string;
}

/** Rules that belong to no API: reading and detection. */
export const COMMON_RULES: readonly RuleDef[] = [
  { id: 'json.syntax', severity: 'error', summary: 'The line is not valid JSON.' },
  { id: 'json.not_object', severity: 'error', summary: 'The line is valid JSON but not an object.' },
  { id: 'csv.row', severity: 'error', summary: 'The CSV row cannot be read: ragged, a quote never closed, or over the size limit (the last two end the file).' },
  { id: 'input.encoding', severity: 'error', summary: 'The line is not valid UTF-8, or a string in it holds a lone surrogate (`\\ud800`).' },
  { id: 'input.line_too_long', severity: 'error', summary: 'The line is longer than the reader accepts.' },
  { id: 'input.too_deep', severity: 'error', summary: `The record nests objects and arrays deeper than ${MAX_DEPTH} levels.` },
  { id: 'capture.unreadable', severity: 'error', summary: 'A `serve --record` line whose request carries no record: no endpoint, or a body that cannot be read.' },
  { id: 'capture.refused', severity: 'error', summary: 'A `serve --record` line of a request the server refused or failed (its verdict, or the upstream answer): not sent again.' },
  { id: 'record.unknown_api', severity: 'error', summary: 'Cannot tell which API this record belongs to.' },
  { id: 'record.api_mismatch', severity: 'error', summary: '`_api` names an endpoint that is not known, or not the one --api selects.' },
];

/**
 * A record (or the JSON text in one of its fields, at `path`) nests deeper than MAX_DEPTH:
 * refused where it is read, so nothing downstream recurses without limit.
 */
export function tooDeepFinding(path: string): Finding {
  const where = path === '' ? 'the record' : path;
  return { rule: 'input.too_deep', severity: 'error', path, message: `${where} nests objects and arrays deeper than ${MAX_DEPTH} levels` };
}
