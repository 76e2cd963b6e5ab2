/** How a message shows a value a person must recognize (docs/RULES.md findings): the one describer of the APIs' rules. */
import { JsonNumberText } from '../json/exact.js';

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
  return String(value);
}
