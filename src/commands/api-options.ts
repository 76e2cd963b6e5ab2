/**
 * The `replay` flags the APIs add to their requests (stat's `--batch-size`, `--ts`,
 * download's `--download-openid-field`), declared, checked and landed from each API's own
 * description of them (`ApiModule.replayOptions`, via the registry), as credential-options.ts
 * does for credentials: this folder names none (docs/API.md, "Adding an API").
 */
import type { Argv } from 'yargs';
import type { z } from 'zod';
import type { ReplayOptionSpec } from '../apis/api.js';
import { replayOptionSpecs } from '../apis/registry.js';
import { flagKey } from './arguments.js';

type Group = ReplayOptionSpec['group'];

/** Its key in the options schema, as yargs camel-cases the flag (`batchSize`). */
const keyOf = (spec: ReplayOptionSpec): string => flagKey(spec.flag.slice(2));

function specsIn(group: Group): readonly ReplayOptionSpec[] {
  return replayOptionSpecs().filter((spec) => spec.group === group);
}

/** The flags' names of `group` as yargs knows them (`batch-size`), for a help group. */
export function apiOptionNames(group: Group): string[] {
  return specsIn(group).map((spec) => spec.flag.slice(2));
}

/** `y` with every API flag of `group` declared. */
export function withApiOptions<T>(y: Argv<T>, group: Group): Argv<T> {
  let out = y;
  for (const spec of specsIn(group)) {
    out = out.option(spec.flag.slice(2), {
      describe: spec.describe,
      ...(spec.type !== undefined && { type: spec.type }),
      ...(spec.choices !== undefined && { choices: [...spec.choices] }),
      ...(spec.default !== undefined && { default: spec.default }),
      ...(spec.type !== 'boolean' && { requiresArg: true }),
    });
  }
  return out;
}

/**
 * The API flags' fields for `replay`'s option schema, by key (`batchSize`). Typed as no
 * field at all: which there are is the registry's to say; `apiOptionValues` lands them.
 */
export function apiOptionFields(): Record<never, never> {
  return Object.fromEntries(replayOptionSpecs().map((spec): [string, z.ZodType] => [keyOf(spec), spec.schema]));
}

/** The checked values, where each lands (`ReplayOptionSpec.into`): the builders' options, and the run's. */
export function apiOptionValues(flags: object): { readonly build: Record<string, unknown>; readonly run: Record<string, unknown> } {
  const values = flags as Readonly<Record<string, unknown>>;
  const build: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  for (const spec of replayOptionSpecs()) (spec.into === 'build' ? build : run)[spec.key] = values[keyOf(spec)];
  return { build, run };
}
