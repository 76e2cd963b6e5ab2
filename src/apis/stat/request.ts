/**
 * What every stat request must carry besides valid events (the API document marks these
 * parameters required): the rules a receiver applies to a request before judging its
 * records. A record may leave `ts` and `session_key` out — the builder fills them in — but
 * a request may not.
 */

/** Why a request's parameters are refused, or undefined when they are complete. */
export function statRequestProblem(params: Readonly<Record<string, string>>): string | undefined {
  const missing = ['session_key', 'ts', 'data'].filter((name) => params[name] === undefined || params[name] === '');
  if (missing.length === 0) return undefined;
  const what = missing.map((name) => (params[name] === '' ? `${name} (empty)` : name)).join(', ');
  return `missing required parameter${missing.length > 1 ? 's' : ''} ${what}`;
}
