/**
 * `--config FILE`: JSON, validated with zod, every problem reported at once in plain words
 * (k6's Validate()). `${NAME}` in any string is replaced from the environment so secrets
 * need not sit in the file. Precedence (SPEC §7): config, then REPLAY_* variables, then
 * flags — later wins.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Credentials } from '../apis/api.js';
import { ConfigError, describeError } from '../errors.js';

const url = z.string().refine((s) => /^https?:\/\/[^\s/]+/.test(s), { message: 'must be an http:// or https:// URL' });

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
  /** Full URL for SUD's endpoint (deployment-specific, SPEC §1.2). */
  sudUrl: url.optional(),
  ...credentialsShape,
  /** Named targets (`--env staging`), each overriding the top level. */
  environments: z.record(z.string(), environmentSchema).optional(),
  /** Which environment applies when --env is not given. */
  defaultEnvironment: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
type Environment = z.infer<typeof environmentSchema>;

/** Replace `${NAME}` in every string; collect every reference to an unset variable. */
function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) {
        problems.push(`${path || '(top)'}: refers to \${${name}}, which is not set in the environment`);
        return '';
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`, problems));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, path ? `${path}.${k}` : k, problems);
    return out;
  }
  return value;
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
  const expanded = expandEnv(raw, env, '', problems);
  const parsed = configSchema.safeParse(expanded);
  if (!parsed.success) problems.push(...parsed.error.issues.map(describeIssue));
  if (problems.length > 0) {
    throw new ConfigError(`${file}: ${problems.length} problem${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`);
  }
  const config = parsed.data!;
  if (config.defaultEnvironment && !config.environments?.[config.defaultEnvironment]) {
    throw new ConfigError(`${file}: defaultEnvironment "${config.defaultEnvironment}" is not one of the environments`);
  }
  return config;
}

export async function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv): Promise<Config> {
  if (!file) return {};
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the config file (${describeError(err)})`);
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

/** How a user sets each credential (for "missing credential" messages). */
export const CREDENTIAL_SOURCES: Record<keyof Credentials, string> = {
  statSecret: '--stat-secret, stat.secret in the config, or REPLAY_STAT_SECRET',
  statSessionKey: '--stat-session-key, stat.sessionKey in the config, or REPLAY_STAT_SESSION_KEY',
  sudUid: '--sud-uid, sud.uid in the config, or REPLAY_SUD_UID',
  sudSsToken: '--sud-ss-token, sud.ssToken in the config, or REPLAY_SUD_SS_TOKEN',
  sudAppId: '--sud-app-id, sud.appId in the config, or REPLAY_SUD_APP_ID',
  sudAppSecret: '--sud-app-secret, sud.appSecret in the config, or REPLAY_SUD_APP_SECRET',
};

/** Config, then environment, then flags; empty strings count as unset. */
export function resolveCredentials(environment: Environment, env: NodeJS.ProcessEnv, flags: CredentialFlags): Credentials {
  const pick = (flag: string | undefined, envName: string, fromConfig: string | undefined) =>
    [flag, env[envName], fromConfig].find((v) => v !== undefined && v !== '');
  const creds: Record<string, string> = {};
  const set = (key: keyof Credentials, value: string | undefined) => {
    if (value !== undefined) creds[key] = value;
  };
  set('statSecret', pick(flags.statSecret, 'REPLAY_STAT_SECRET', environment.stat?.secret));
  set('statSessionKey', pick(flags.statSessionKey, 'REPLAY_STAT_SESSION_KEY', environment.stat?.sessionKey));
  set('sudUid', pick(flags.sudUid, 'REPLAY_SUD_UID', environment.sud?.uid));
  set('sudSsToken', pick(flags.sudSsToken, 'REPLAY_SUD_SS_TOKEN', environment.sud?.ssToken));
  set('sudAppId', pick(flags.sudAppId, 'REPLAY_SUD_APP_ID', environment.sud?.appId));
  set('sudAppSecret', pick(flags.sudAppSecret, 'REPLAY_SUD_APP_SECRET', environment.sud?.appSecret));
  return creds;
}
