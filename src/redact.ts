/**
 * Secrets never reach output, reports or errors (SPEC §4). Two layers: fields that always
 * hold secrets are masked by name wherever they appear (session_key, ss_token), and the
 * configured secret values are masked wherever they appear in text.
 */
import type { Credentials } from './apis/api.js';
import { JsonNumberText } from './json/exact.js';

export const MASK = '***';

/** Parameter, JSON field and header names whose values are secret. */
const SECRET_NAMES = new Set(['session_key', 'ss_token', 'sstoken', 'secret', 'app_secret', 'appsecret', 'authorization', 'cookie']);

export function isSecretName(name: string): boolean {
  return SECRET_NAMES.has(name.toLowerCase());
}

/** The configured secret values (not the ids), longest first so overlaps mask fully. */
export function secretValues(creds: Credentials): string[] {
  return [creds.statSecret, creds.statSessionKey, creds.sudSsToken, creds.sudAppSecret]
    .filter((v): v is string => typeof v === 'string' && v.length >= 3)
    .sort((a, b) => b.length - a.length);
}

/** Mask every occurrence of each secret value in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** A copy of a JSON-like value with secret-named fields masked, at any depth. Numbers kept as text stay as they are. */
export function redactFields<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactFields) as T;
  if (value === null || typeof value !== 'object' || value instanceof JsonNumberText) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = isSecretName(key) && v !== '' && v !== undefined ? MASK : redactFields(v);
  return out as T;
}
