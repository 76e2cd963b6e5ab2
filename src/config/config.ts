/**
 * `--config FILE`: JSON, validated with zod, every problem reported at once in plain words
 * (k6's Validate()). `${NAME}` in any string is replaced from the environment so secrets
 * need not sit in the file. Precedence (README § Configuration): config, then REPLAY_* variables, then
 * flags — later wins.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CredentialSpec, Credentials } from '../apis/api.js';
import { credentialSpec, credentialSpecs, urlOptions } from '../apis/registry.js';
import { ConfigError, describeError } from '../errors.js';
import { registerSecret, registerUrlSecret } from '../redact.js';
import { fsProblem } from '../input/sources.js';

/**
 * What is wrong with a base URL (a target, SUD's URL), in a few words without the URL
 * itself (it may have come from the environment, or hold a password); undefined when it is
 * an http:// or https:// URL. One check for flags and config alike.
 */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL, not ${url.protocol}//…`;
  return undefined;
}

const url = z.string().superRefine((s, ctx) => {
  const problem = urlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem === 'is not a URL' ? 'must be an http:// or https:// URL' : problem });
});

/** A credential section of the config (`stat`, `sud`): field → value, as its API declares them. */
export type Section = Readonly<Record<string, string | undefined>>;

/** The top level of the config, or one of its environments. */
export interface Environment {
  /** Base URL for every endpoint. */
  readonly target?: string | undefined;
  /**
   * Credential sections by name (`stat`, `sud`: each API declares its own, `ApiModule.credentials`),
   * and the endpoints' own URLs by their config keys (`sudUrl`: `urlKeys`).
   */
  readonly [section: string]: unknown;
}

export interface Config extends Environment {
  /** Named targets (`--env staging`), each overriding the top level. */
  readonly environments?: Readonly<Record<string, Environment>> | undefined;
  /** Which environment applies when --env is not given. */
  readonly defaultEnvironment?: string | undefined;
}

/** A credential section of `environment` (empty when it has none). */
export function section(environment: Environment, name: string): Section {
  return (environment[name] as Section | undefined) ?? {};
}

/** The credential sections the registered APIs declare, each a strict object of optional text fields. */
function sectionShapes(): Record<string, z.ZodType> {
  const fields = new Map<string, Record<string, z.ZodType>>();
  for (const spec of credentialSpecs()) {
    const shape = fields.get(spec.section) ?? {};
    shape[spec.field] = z.string().optional();
    fields.set(spec.section, shape);
  }
  const out: Record<string, z.ZodType> = {};
  for (const [name, shape] of fields) out[name] = z.strictObject(shape).optional();
  return out;
}

/** The config keys of the endpoints' own URLs (`sudUrl`). */
function urlKeys(): string[] {
  return urlOptions().map((own) => own.configKey);
}

function configSchema(): z.ZodType {
  const urls: Record<string, z.ZodType> = { target: url.optional() };
  for (const key of urlKeys()) urls[key] = url.optional();
  const sections = sectionShapes();
  const environmentSchema = z.strictObject({ ...urls, ...sections });
  return z.strictObject({
    ...urls,
    ...sections,
    environments: z.record(z.string(), environmentSchema).optional(),
    defaultEnvironment: z.string().optional(),
  });
}

/**
 * Replace `${NAME}` in every string; collect every reference to an unset variable, and
 * which fields took text from the environment (`fromEnv`: path → the variables): their
 * values are never repeated in a message, whatever the field (a URL may carry a password).
 */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[], fromEnv: Map<string, string[]>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push(`${path || '(top)'}: refers to \${${name}}, which is not set in the environment`);
        return '';
      }
      fromEnv.set(path, [...(fromEnv.get(path) ?? []), name]);
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`, problems, fromEnv));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, path ? `${path}.${k}` : k, problems, fromEnv);
    return out;
  }
  return value;
}

/** How a message shows a config value: quoted, or by the variables it came from. */
function shown(path: string, value: string, fromEnv: ReadonlyMap<string, string[]>): string {
  const names = fromEnv.get(path);
  return names ? `(the value of ${names.map((n) => `\${${n}}`).join(' and ')})` : `"${value}"`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.join('.') : '(top)';
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type') return `${where}: expected ${issue.expected}`;
  return `${where}: ${issue.message}`;
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${describeError(err)})`);
  }
  const problems: string[] = [];
  const fromEnv = new Map<string, string[]>();
  const expanded = expandEnv(raw, env, '', problems, fromEnv);
  const parsed = configSchema().safeParse(expanded);
  if (!parsed.success) problems.push(...parsed.error.issues.map(describeIssue));
  if (problems.length > 0) {
    throw new ConfigError(`${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`);
  }
  const config = parsed.data as Config;
  registerConfigSecrets(config);
  if (config.defaultEnvironment && !config.environments?.[config.defaultEnvironment]) {
    const known = Object.keys(config.environments ?? {});
    throw new ConfigError(
      `${file}: defaultEnvironment ${shown('defaultEnvironment', config.defaultEnvironment, fromEnv)} is not one of the environments${known.length ? ` (${known.join(', ')})` : ''}`,
    );
  }
  return config;
}

export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): Promise<Config> {
  if (!file) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config ${file}: cannot read it: ${fsProblem(err)}`);
  }
  return parseConfig(text, file, env);
}

/** The config with the chosen environment laid over its top level. */
export function selectEnvironment(config: Config, name: string | undefined): Environment {
  const chosen = name ?? config.defaultEnvironment;
  const names = sectionNames();
  const base: Record<string, unknown> = {};
  for (const key of ['target', ...urlKeys()]) base[key] = config[key];
  for (const name of names) base[name] = config[name];
  if (!chosen) return base;
  const env = config.environments?.[chosen];
  if (!env) {
    const known = Object.keys(config.environments ?? {});
    throw new ConfigError(`--env ${chosen}: no such environment in the config${known.length ? ` (known: ${known.join(', ')})` : ' (it defines none)'}`);
  }
  const chosenEnvironment: Record<string, unknown> = {};
  for (const key of ['target', ...urlKeys()]) chosenEnvironment[key] = env[key] ?? config[key];
  for (const name of names) chosenEnvironment[name] = { ...section(config, name), ...section(env, name) };
  return chosenEnvironment;
}

/** The config's credential sections, each once. */
function sectionNames(): string[] {
  return [...new Set(credentialSpecs().map((spec) => spec.section))];
}

/** Credential flags as yargs gives them, by credential key (`statSecret`). */
export type CredentialFlags = Readonly<Partial<Record<string, unknown>>>;

/** How a user sets a credential, for "missing credential" messages: `--stat-secret (or stat.secret in the config, or REPLAY_STAT_SECRET)`. */
export function credentialSource(key: string): string {
  const c = credentialSpec(key);
  return c === undefined ? key : `${c.flag} (or ${c.section}.${c.field} in the config, or ${c.variable})`;
}

/** The flags that hold secrets (masked from the first line of output on). */
export function secretFlags(): string[] {
  return credentialSpecs()
    .filter((spec) => spec.secret)
    .map((spec) => spec.flag);
}

/** The environment variables that hold secrets. */
export function secretVariables(): string[] {
  return credentialSpecs()
    .filter((spec) => spec.secret)
    .map((spec) => spec.variable);
}

function configValue(environment: Environment, spec: CredentialSpec): string | undefined {
  return section(environment, spec.section)[spec.field];
}

/** Every secret a config file holds, in every environment, and the passwords of its URLs, for masking. */
function registerConfigSecrets(config: Config): void {
  for (const environment of [config, ...Object.values(config.environments ?? {})]) {
    for (const spec of credentialSpecs()) if (spec.secret) registerSecret(configValue(environment, spec));
    for (const key of ['target', ...urlKeys()]) registerUrlSecret(environment[key] as string | undefined);
  }
}

/** Config, then environment, then flags; empty strings count as unset. */
export function resolveCredentials(environment: Environment, env: NodeJS.ProcessEnv, flags: CredentialFlags): Credentials {
  const creds: Record<string, string> = {};
  for (const spec of credentialSpecs()) {
    const flag = flags[spec.key];
    const value = [typeof flag === 'string' ? flag : undefined, env[spec.variable], configValue(environment, spec)].find((v) => v !== undefined && v !== '');
    if (value !== undefined) creds[spec.key] = value;
    if (spec.secret) registerSecret(value);
  }
  return creds;
}
