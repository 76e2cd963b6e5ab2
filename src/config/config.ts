/**
 * `--config FILE`: JSON, validated with zod, every problem reported at once in plain words
 * (k6's Validate()). `${NAME}` in any string is replaced from the environment so secrets
 * need not sit in the file. Precedence (README § Configuration): config, then REPLAY_* variables, then
 * flags — later wins.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Credentials } from '../apis/api.js';
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

const credentialsShape = {
  stat: z.strictObject({ secret: z.string().optional(), sessionKey: z.string().optional() }).optional(),
  sud: z
    .strictObject({ uid: z.string().optional(), ssToken: z.string().optional(), appId: z.string().optional(), appSecret: z.string().optional() })
    .optional(),
};

const environmentSchema = z.strictObject({ target: url.optional(), sudUrl: url.optional(), ...credentialsShape });

export const configSchema = z.strictObject({
  /** Base URL for every endpoint. */
  target: url.optional(),
  /** Full URL for SUD's endpoint (deployment-specific, docs/API.md § sud.report_game_info). */
  sudUrl: url.optional(),
  ...credentialsShape,
  /** Named targets (`--env staging`), each overriding the top level. */
  environments: z.record(z.string(), environmentSchema).optional(),
  /** Which environment applies when --env is not given. */
  defaultEnvironment: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
type Environment = z.infer<typeof environmentSchema>;

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
  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) problems.push(...parsed.error.issues.map(describeIssue));
  if (problems.length > 0) {
    throw new ConfigError(`${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`);
  }
  const config = parsed.data!;
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
  const base: Environment = { target: config.target, sudUrl: config.sudUrl, stat: config.stat, sud: config.sud };
  if (!chosen) return base;
  const env = config.environments?.[chosen];
  if (!env) {
    const known = Object.keys(config.environments ?? {});
    throw new ConfigError(`--env ${chosen}: no such environment in the config${known.length ? ` (known: ${known.join(', ')})` : ' (it defines none)'}`);
  }
  return {
    target: env.target ?? base.target,
    sudUrl: env.sudUrl ?? base.sudUrl,
    stat: { ...base.stat, ...env.stat },
    sud: { ...base.sud, ...env.sud },
  };
}

/** Credential flags as yargs gives them. */
export interface CredentialFlags {
  statSecret?: string;
  statSessionKey?: string;
  sudUid?: string;
  sudSsToken?: string;
  sudAppId?: string;
  sudAppSecret?: string;
}

/** One credential: its flag, its place in the config file, its environment variable, and whether it is secret. */
interface CredentialSpec {
  readonly flag: `--${string}`;
  readonly section: 'stat' | 'sud';
  readonly field: string;
  readonly variable: string;
  /** Masked by value in all output (the ids are not). */
  readonly secret: boolean;
}

/** Every credential (README "Configuration"): the one table flags, config, environment and masking read. */
export const CREDENTIALS: Readonly<Record<keyof Credentials, CredentialSpec>> = {
  statSecret: { flag: '--stat-secret', section: 'stat', field: 'secret', variable: 'REPLAY_STAT_SECRET', secret: true },
  statSessionKey: { flag: '--stat-session-key', section: 'stat', field: 'sessionKey', variable: 'REPLAY_STAT_SESSION_KEY', secret: true },
  sudUid: { flag: '--sud-uid', section: 'sud', field: 'uid', variable: 'REPLAY_SUD_UID', secret: false },
  sudSsToken: { flag: '--sud-ss-token', section: 'sud', field: 'ssToken', variable: 'REPLAY_SUD_SS_TOKEN', secret: true },
  sudAppId: { flag: '--sud-app-id', section: 'sud', field: 'appId', variable: 'REPLAY_SUD_APP_ID', secret: false },
  sudAppSecret: { flag: '--sud-app-secret', section: 'sud', field: 'appSecret', variable: 'REPLAY_SUD_APP_SECRET', secret: true },
};

const CREDENTIAL_KEYS = Object.keys(CREDENTIALS) as (keyof Credentials)[];

/** How a user sets a credential, for "missing credential" messages: `--stat-secret (or stat.secret in the config, or REPLAY_STAT_SECRET)`. */
export function credentialSource(key: keyof Credentials): string {
  const c = CREDENTIALS[key];
  return `${c.flag} (or ${c.section}.${c.field} in the config, or ${c.variable})`;
}

/** The flags and environment variables that hold secrets (masked from the first line of output on). */
export const SECRET_FLAGS: readonly string[] = CREDENTIAL_KEYS.filter((k) => CREDENTIALS[k].secret).map((k) => CREDENTIALS[k].flag);
export const SECRET_VARIABLES: readonly string[] = CREDENTIAL_KEYS.filter((k) => CREDENTIALS[k].secret).map((k) => CREDENTIALS[k].variable);

function configValue(environment: Environment, spec: CredentialSpec): string | undefined {
  return (environment[spec.section] as Record<string, string | undefined> | undefined)?.[spec.field];
}

/** Every secret a config file holds, in every environment, and the passwords of its URLs, for masking. */
function registerConfigSecrets(config: Config): void {
  for (const environment of [config, ...Object.values(config.environments ?? {})]) {
    for (const key of CREDENTIAL_KEYS) if (CREDENTIALS[key].secret) registerSecret(configValue(environment, CREDENTIALS[key]));
    registerUrlSecret(environment.target);
    registerUrlSecret(environment.sudUrl);
  }
}

/** Config, then environment, then flags; empty strings count as unset. */
export function resolveCredentials(environment: Environment, env: NodeJS.ProcessEnv, flags: CredentialFlags): Credentials {
  const creds: Record<string, string> = {};
  for (const key of CREDENTIAL_KEYS) {
    const spec = CREDENTIALS[key];
    const value = [flags[key], env[spec.variable], configValue(environment, spec)].find((v) => v !== undefined && v !== '');
    if (value !== undefined) creds[key] = value;
    if (spec.secret) registerSecret(value);
  }
  return creds;
}
