/**
 * `--signer ./my-signer.mjs` (README § Signing): an ES module whose default export is a
 * `SignFunction` — it receives `{ endpoint, params, body, secret, appId, nowSeconds }` and
 * returns `{ params?, headers? }` to add. Every way a plugin can be wrong (missing file,
 * load failure, no default function, a bad answer, a throw while signing) is a
 * `ConfigError` naming the file in one line, with the secret never in it.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CredentialKey, Endpoint } from '../apis/api.js';
import { ConfigError, describeError } from '../errors.js';
import { redactText } from '../redact.js';
import type { SignFunction, SignInput, SignOutput, Signer } from './signer.js';

/** A plugin is keyed with the secret each endpoint declares (stat.secret, sud.appSecret; none for download). */
function pluginNeeds(endpoint: Endpoint): readonly CredentialKey[] {
  const { secret } = endpoint.signing;
  return secret === undefined ? [] : [secret];
}

function oneLine(text: string): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line === '' ? 'unknown error' : line;
}


/** A plugin's `params`/`headers` as string maps (numbers are accepted and written as text). */
function stringMap(spec: string, what: 'params' | 'headers', value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`signer plugin ${spec} returned ${what} that is not an object of name → text`);
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') out[name] = v;
    else if (typeof v === 'number' || typeof v === 'bigint') out[name] = String(v);
    else throw new ConfigError(`signer plugin ${spec} returned ${what}.${name} that is not text`);
  }
  return out;
}

function checkedOutput(spec: string, result: unknown): SignOutput {
  // Returning nothing means "nothing to add" (an endpoint the plugin leaves unsigned).
  if (result === undefined || result === null) return {};
  if (typeof result !== 'object' || Array.isArray(result)) {
    throw new ConfigError(`signer plugin ${spec} returned ${typeof result}, not { params?, headers? }`);
  }
  const { params, headers } = result as { params?: unknown; headers?: unknown };
  const out: { params?: Record<string, string>; headers?: Record<string, string> } = {};
  if (params !== undefined) out.params = stringMap(spec, 'params', params);
  if (headers !== undefined) out.headers = stringMap(spec, 'headers', headers);
  return out;
}

function pluginSigner(spec: string, fn: SignFunction): Signer {
  return {
    name: spec,
    needs: pluginNeeds,
    async sign(input: SignInput): Promise<SignOutput> {
      let result: unknown;
      try {
        result = await fn(input);
      } catch (err) {
        throw new ConfigError(`signer plugin ${spec} failed to sign a ${input.endpoint} request: ${redactText(oneLine(describeError(err)), input.secret ? [input.secret] : [])}`);
      }
      return checkedOutput(spec, result);
    },
  };
}

/** Loaded plugins by absolute path: every endpoint of a run shares one Signer. */
const loaded = new Map<string, Signer>();

/** Load `spec` (a path, resolved from `cwd`) as a signer plugin. */
export async function loadSignerPlugin(spec: string, cwd: string): Promise<Signer> {
  const file = resolve(cwd, spec);
  const cached = loaded.get(file);
  if (cached) return cached;
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new ConfigError(`signer plugin ${spec} not found (looked for ${file})`, 'built-in signers are md5-sorted, sud-hmac and none');
  if (!info.isFile()) throw new ConfigError(`signer plugin ${spec} is not a file (${file})`);
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    throw new ConfigError(`signer plugin ${spec} failed to load: ${oneLine(describeError(err))}`);
  }
  if (typeof module.default !== 'function') {
    throw new ConfigError(
      `signer plugin ${spec} has no default export function`,
      'write: export default function sign({ endpoint, params, body, secret }) { return { params, headers } }',
    );
  }
  const signer = pluginSigner(spec, module.default as SignFunction);
  loaded.set(file, signer);
  return signer;
}
