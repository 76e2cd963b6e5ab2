/**
 * The one check of a rate, wherever one is given: a share of requests (serve's --fail-rate,
 * --throttle-rate, --sud-error-rate, --drop-after-rate: from 0 to 1) or requests per second
 * (replay's --rate, a ramp's ends). The option schemas report its sentence as a usage
 * problem (commands/options/problems.ts); code handed a rate directly (startReceiver, a
 * pacer) throws it as a RangeError.
 */

/** `share`: 0 to 1. `per second`: more than 0. `per second or 0`: 0 or more (a ramp's ends). */
export type RateKind = 'share' | 'per second' | 'per second or 0';

/** What is wrong with `value` as a rate of `kind`, as the end of a sentence (`must be a number from 0 to 1, not 1.5`); undefined when nothing is. */
export function rateProblem(value: number, kind: RateKind): string | undefined {
  if (kind === 'share') return value >= 0 && value <= 1 ? undefined : `must be a number from 0 to 1, not ${value}`;
  if (kind === 'per second' ? !(value > 0) : !(value >= 0)) return `must be ${kind === 'per second' ? 'more than 0' : '0 or more'}, not ${value}`;
  if (!Number.isFinite(value)) return `must be a finite number of requests per second, not ${value}`;
  return undefined;
}

/** `value` when it is a rate of `kind`, else a RangeError whose sentence starts with `name`. */
export function checkRate(name: string, value: number, kind: RateKind): number {
  const problem = rateProblem(value, kind);
  if (problem !== undefined) throw new RangeError(`${name} ${problem}`);
  return value;
}
