/**
 * The credential flags (`--stat-secret`, `--sud-app-id`, …), declared from each API's own
 * description of its credentials (`ApiModule.credentials`, via the registry): this folder
 * names none, so an API added to the registry brings its flags with it (docs/API.md,
 * "Adding an API"). `replay` declares every credential; `serve` those its receiver checks
 * requests with (`CredentialSpec.verifies`). Each is also set by the config and a REPLAY_*
 * variable (config/config.ts, `resolveCredentials`).
 */
import type { Argv } from 'yargs';
import { z } from 'zod';
import type { CredentialSpec } from '../apis/api.js';
import { credentialSpecs } from '../apis/registry.js';

type CredentialCommand = 'replay' | 'serve';

/** The credentials `command` takes as flags, by API (stat, then sud), each API's in its own order. */
function specsOf(command: CredentialCommand): CredentialSpec[] {
  const specs = credentialSpecs().filter((spec) => command === 'replay' || spec.verifies !== undefined);
  return specs
    .map((spec, i) => ({ spec, i }))
    .sort((a, b) => (a.spec.section < b.spec.section ? -1 : a.spec.section > b.spec.section ? 1 : a.i - b.i))
    .map(({ spec }) => spec);
}

/** The credential flags' names as yargs knows them (`stat-secret`), for a help group. */
export function credentialFlagNames(command: CredentialCommand): string[] {
  return specsOf(command).map((spec) => spec.flag.slice(2));
}

/** `y` with every credential flag of `command` declared. */
export function withCredentialOptions<T>(y: Argv<T>, command: CredentialCommand): Argv<T> {
  let out = y;
  for (const spec of specsOf(command)) {
    const describe = command === 'replay' ? `${spec.describe} (${spec.variable})` : `${spec.verifies}; also ${spec.variable}`;
    out = out.option(spec.flag.slice(2), { describe, type: 'string', requiresArg: true });
  }
  return out;
}

/**
 * The credential flags' fields for `command`'s option schema, by key (`statSecret`): text,
 * when given. Typed as no field at all: which keys there are is the registry's to say, and
 * the values reach the run only as `Credentials` (`resolveCredentials` picks them by key).
 */
export function credentialFields(command: CredentialCommand): Record<never, never> {
  return Object.fromEntries(specsOf(command).map((spec) => [spec.key, z.string().optional()]));
}
