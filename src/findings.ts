import { JsonNumberText, MAX_DEPTH } from './json/exact.js';

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

/**
 * A rule's severity, looked up in its API's table: each severity is written once, where the
 * rule is defined (and documented: `rules`, docs/RULES.md), never again where it is found.
 */
export function severityTable<Id extends string>(rules: readonly RuleDef[]): (rule: Id) => Severity {
  const severities = new Map<string, Severity>(rules.map((rule) => [rule.id, rule.severity]));
  return (rule) => {
    const severity = severities.get(rule);
    if (severity === undefined) throw new Error(`internal: rule ${rule} is not in its table`);
    return severity;
  };
}

/** A value as a person reads it in a message: strings quoted, bigints as digits, long text cut. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint' || value instanceof JsonNumberText) return value.toString();
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    return `the string ${quoted}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
