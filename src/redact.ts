/**
 * Secrets never reach output, reports or errors (README "Configuration"). Two layers:
 * fields that always hold secrets are masked by name wherever a request or record is shown
 * (session_key, ss_token), and the configured secret values are masked by value in
 * everything that leaves the process — the command's stdout and stderr (see
 * commands/context.ts) and the files it writes (report, --failed). The values are
 * registered here once, as soon as they are known (flags, environment, config file).
 */
import type { Credentials } from './apis/api.js';
import { firstHeader } from './headers.js';
import { apiSecretFields, credentialSpecs, registryGeneration } from './apis/registry.js';

export { MASK } from './mask.js';
import { MASK } from './mask.js';

/**
 * Values shorter than this are not masked by value: a secret of one or two characters (the
 * README's `--stat-secret S`) would otherwise mask every such letter of every message.
 */
const MIN_SECRET_LENGTH = 3;

/** Names whose values are secret in any API; each API adds its own (`ApiModule.secretFields`: session_key, ss_token). */
const GENERIC_SECRET_NAMES = ['secret', 'app_secret', 'appsecret', 'authorization', 'cookie'];

/** The secret names of the current registry, and the JSON member pattern built from them. */
let names: { readonly generation: number; readonly set: ReadonlySet<string>; readonly jsonMember: RegExp } | undefined;

function secretNames(): NonNullable<typeof names> {
  if (names?.generation === registryGeneration()) return names;
  const set = new Set([...apiSecretFields(), ...GENERIC_SECRET_NAMES].map((name) => name.toLowerCase()));
  // A secret-named JSON member with a non-empty string or a number as its value (at any depth).
  const jsonMember = new RegExp(`("(?:${[...set].join('|')})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)+"|-?\\d[\\d.eE+-]*)`, 'gi');
  names = { generation: registryGeneration(), set, jsonMember };
  return names;
}

/** Parameter, JSON field and header names whose values are secret. */
export function isSecretName(name: string): boolean {
  return secretNames().set.has(name.toLowerCase());
}

/** The configured secret values (not the ids), longest first so overlaps mask fully. */
export function secretValues(creds: Credentials): string[] {
  return credentialSpecs()
    .filter((spec) => spec.secret)
    .map((spec) => creds[spec.key])
    .filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

/** Mask every occurrence of each secret value in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/** `a=1&session_key=k` → `a=1&session_key=***`; other parameters byte for byte. */
function maskParams(encoded: string): string {
  if (encoded === '') return encoded;
  return encoded
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A name that is not valid percent-encoding is shown as it is.
      }
      return eq >= 0 && isSecretName(decoded) && eq < pair.length - 1 ? `${name}=${MASK}` : pair;
    })
    .join('&');
}

/** The query string's secret parameters masked; the rest of the URL as it is. */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q + 1) + maskParams(url.slice(q + 1));
}


/**
 * A request body with its secret-named fields masked: JSON members or form parameters, by
 * the content type. Everything else stays byte for byte (a capture must show what came).
 */
export function maskBody(body: string, headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const type = (firstHeader(headers, 'content-type') ?? '').toLowerCase();
  if (type.includes('json')) return body.replace(secretNames().jsonMember, (_member, head: string) => `${head}"${MASK}"`);
  if (type.includes('x-www-form-urlencoded')) return maskParams(body);
  return body;
}

/** Headers with the values of secret-named ones masked. */
export function maskHeaders<T extends string | string[] | undefined>(headers: Readonly<Record<string, T>>): Record<string, T | string> {
  const out: Record<string, T | string> = {};
  for (const name in headers) out[name] = isSecretName(name) ? MASK : headers[name]!;
  return out;
}

// ---------------------------------------------------------------------------------------
// The secrets of this process: what the output layer masks by value.

/** Every form a registered secret may take in output, longest first. */
let forms: string[] = [];
const registered = new Set<string>();

/**
 * The forms a value takes in what we write: as it is, percent-encoded (URLs, form bodies;
 * `+` for spaces too), and JSON-escaped (reports, --print-requests, NDJSON files).
 */
function formsOf(value: string): string[] {
  const encoded = encodeURIComponent(value);
  return [value, encoded, encoded.replace(/%20/g, '+'), JSON.stringify(value).slice(1, -1)];
}

/** Every form of these secret values that output may hold, longest first (undefined and short values are ignored). */
export function secretForms(values: Iterable<string | undefined>): string[] {
  const all = new Set<string>();
  for (const value of values) {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
    for (const form of formsOf(value)) if (form.length >= MIN_SECRET_LENGTH) all.add(form);
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** Mask `value` in everything this process writes from now on (undefined and short values are ignored). */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH || registered.has(value)) return;
  registered.add(value);
  forms = secretForms(registered);
}

/** The password of a URL with credentials (`http://user:pw@host`), which is a secret too. */
export function registerUrlSecret(text: string | undefined): void {
  if (text === undefined) return;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return;
  }
  if (url.password) {
    registerSecret(url.password);
    registerSecret(decodeURIComponent(url.password));
  }
}

/** For a fresh invocation (tests run several in one process). */
export function clearSecrets(): void {
  registered.clear();
  forms = [];
}

/** True when some secret is registered (writers of bulk data skip the work otherwise). */
export function hasSecrets(): boolean {
  return forms.length > 0;
}

/** `text` with every registered secret, in every form, masked. */
export function maskSecrets(text: string): string {
  return forms.length === 0 ? text : redactText(text, forms);
}

/** A URL without its user name and password: what may be shown or stored of a target. */
export function urlWithoutCredentials(text: string): string {
  try {
    const url = new URL(text);
    if (!url.username && !url.password) return text;
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, text.endsWith('/') ? '/' : '');
  } catch {
    return text;
  }
}
