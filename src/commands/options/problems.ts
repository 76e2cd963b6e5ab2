/**
 * The pieces option schemas are built from (replay-options.ts, shared-options.ts), and the
 * one way their problems reach the user: every problem at once, one sentence each, in one
 * usage error (exit 2) — k6's Validate(). A single problem reads exactly as it always has;
 * several read `3 problems: …; …; …`.
 *
 * A field's check adds an issue whose message is the whole sentence, flag name first
 * (`--rate must be more than 0, not -5`); a value parser (values.ts) that throws a
 * UsageError becomes such an issue, its hint kept, and otherwise gives the typed value.
 */
import { z } from 'zod';
import { UsageError } from '../../errors.js';
import { rateProblem, type RateKind } from '../../rate.js';

type Issues = Pick<z.core.$RefinementCtx, 'addIssue'>;

/** Reports `message` (and an optional hint shown when it is the only problem). */
export function addProblem(ctx: Issues, message: string, hint?: string): void {
  ctx.addIssue({ code: 'custom', message, ...(hint !== undefined && { params: { hint } }) });
}

/**
 * A flag written in a syntax of its own, read by `parse` (values.ts) into its value; a
 * UsageError the parser throws is a problem of `flag` (its hint kept).
 */
export function parsed<T>(flag: string, parse: (text: string) => T) {
  return z.string().transform((text, ctx): T => {
    try {
      return parse(text);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      // Parsers that do not say which flag they read (a duration) get its name in front.
      addProblem(ctx, err.message.startsWith('--') ? err.message : `--${flag}: ${err.message}`, err.hint);
      return z.NEVER;
    }
  });
}

/**
 * A flag with a fixed set of values, for an API's ReplayOptionSpec: the choices and default
 * yargs shows, and the schema that checks them, from one list and one default.
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return { choices: values, default: fallback, schema: z.enum(values).default(fallback) };
}

/** A number flag's value: any number, NaN included (the checks below name it in their sentence). */
export const aNumber = z.custom<number>((value) => typeof value === 'number', { message: 'must be a number' });

/** A number flag that must be a whole number of at least `min`. */
export function wholeNumber(flag: string, min: number) {
  return aNumber.superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < min) addProblem(ctx, `--${flag} must be a whole number ≥ ${min}, not ${n}`);
  });
}

/** A number flag that is a rate of `kind` (src/rate.ts: the one check of a rate). */
export function rate(flag: string, kind: RateKind) {
  return aNumber.superRefine((n, ctx) => {
    const problem = rateProblem(n, kind);
    if (problem !== undefined) addProblem(ctx, `--${flag} ${problem}`);
  });
}

/** A number flag that must be more than 0, and finite. */
export function moreThanZero(flag: string) {
  return aNumber.superRefine((n, ctx) => {
    if (!(n > 0)) addProblem(ctx, `--${flag} must be more than 0, not ${n}`);
    else if (!Number.isFinite(n)) addProblem(ctx, `--${flag} must be a finite number, not ${n}`);
  });
}

/** A number flag that must be a whole number from `min` to `max`. */
export function wholeNumberUpTo(flag: string, min: number, max: number) {
  return aNumber.superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < min || n > max) addProblem(ctx, `--${flag} must be a whole number from ${min} to ${max}, not ${n}`);
  });
}

/**
 * Combination rules see every flag as typed, whether or not the flag itself was well
 * formed, so that `--loop --duration soon` reports the duration, not a missing one.
 */
export const ALWAYS = { when: () => true } as const;

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** One sentence per issue: ours are sentences already, flag first; others (zod's own, from code) get the flag's name in front. */
function sentence(issue: z.core.$ZodIssue): { message: string; hint: string | undefined } {
  const hint = issue.code === 'custom' ? (issue.params as { hint?: string } | undefined)?.hint : undefined;
  const flag = issue.path.filter((p) => typeof p === 'string').map(kebab)[0];
  if (issue.message.startsWith('--') || flag === undefined) return { message: issue.message, hint };
  return { message: `--${flag}: ${issue.message}`, hint };
}

/** The user's error for a failed parse: every problem, one sentence each. */
function usageErrorOf(error: z.ZodError, command: string): UsageError {
  const problems = error.issues.map(sentence);
  const only = problems.length === 1 ? problems[0] : undefined;
  if (only) return new UsageError(only.message, only.hint);
  return new UsageError(`${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`, `see report-replay ${command} --help`);
}

/** Parses `input` with `schema`, or throws one usage error naming every problem. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, command: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw usageErrorOf(result.error, command);
  return result.data;
}
