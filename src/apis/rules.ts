/**
 * An API's rules are written once, as a list of `RuleDef` (id, severity, summary: what
 * `report-replay rules` prints and docs/RULES.md lists); its findings take their severity
 * from that list, never restating it.
 */
import type { Finding, RuleDef, Severity } from '../findings.js';

/** The finding maker for `rules`: a finding of rule `id` has the severity the list gives it. */
export function ruleFinding<Id extends string>(rules: readonly RuleDef[]): (rule: Id, path: string, value: unknown, message: string) => Finding {
  const severities = new Map<string, Severity>(rules.map((rule) => [rule.id, rule.severity]));
  return (rule, path, value, message) => {
    const severity = severities.get(rule);
    if (severity === undefined) throw new Error(`internal: rule ${rule} is not defined`);
    return value === undefined ? { rule, severity, path, message } : { rule, severity, path, value, message };
  };
}
