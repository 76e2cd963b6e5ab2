/**
 * HTTP header names are case-insensitive: node lower-cases the ones it receives, our own
 * requests write some in Title-Case (`Sud-Signature`), and hand-built ones may use any case.
 * The one place that looks a header up by name.
 */
type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The header `name`, whatever the case of either side; a repeated header is node's array. */
export function headerValue(headers: Headers, name: string): string | string[] | undefined {
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  for (const key in headers) if (key.toLowerCase() === lower) return headers[key];
  return undefined;
}

/** True when the headers name `name`, whatever its case. */
export function hasHeader(headers: Headers, name: string): boolean {
  return headerValue(headers, name) !== undefined;
}

/** A header's value by name, whatever its case; of a repeated header, the first. */
export function firstHeader(headers: Headers, name: string): string | undefined {
  const value = headerValue(headers, name);
  return Array.isArray(value) ? value[0] : value;
}
