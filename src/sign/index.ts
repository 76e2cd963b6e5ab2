/**
 * Choosing a signer per endpoint, checking credentials before anything is sent, and
 * signing one request (README § Signing, § replay). The builders leave auth out; this adds it.
 */
import type { Credentials, Endpoint, EndpointId, PendingRequest, SignerName } from '../apis/api.js';
import { credentialSource } from '../config/config.js';
import { md5SortedSigner } from './md5-sorted.js';
import { loadSignerPlugin, naturalSecret, type SignerCredential } from './plugin.js';
import type { SignInput, Signer } from './signer.js';
import { sudHmacSigner } from './sud-hmac.js';
import { hasHeader } from '../headers.js';

export { naturalSecret, type SignerCredential } from './plugin.js';

/** Adds nothing: the download service, and SUD without app credentials (uid/ss_token authenticate). */
export const noneSigner: Signer = {
  name: 'none',
  needs: () => [],
  sign: () => ({}),
};

const BUILT_IN: Readonly<Record<SignerName, Signer>> = {
  'md5-sorted': md5SortedSigner,
  'sud-hmac': sudHmacSigner,
  none: noneSigner,
};

function isBuiltIn(spec: string): spec is SignerName {
  return Object.hasOwn(BUILT_IN, spec);
}

/**
 * The signer for `endpoint`: `--signer` when given (a built-in name, or a path to a plugin
 * resolved from `cwd`), else the endpoint's default. SUD's default `sud-hmac` applies only
 * when app credentials are configured; with neither `sudAppId` nor `sudAppSecret` it is
 * `none`. With just one of them, the user evidently meant to sign: `sud-hmac` is kept so
 * `missingCredentials` names the other instead of the run silently going unsigned.
 */
export async function resolveSigner(spec: string | undefined, endpoint: Endpoint, creds: Credentials, cwd: string = process.cwd()): Promise<Signer> {
  if (spec === undefined) {
    if (endpoint.defaultSigner === 'sud-hmac' && !creds.sudAppId && !creds.sudAppSecret) return noneSigner;
    return BUILT_IN[endpoint.defaultSigner];
  }
  return isBuiltIn(spec) ? BUILT_IN[spec] : loadSignerPlugin(spec, cwd);
}

/**
 * The credentials `signer` needs for `endpoints` and `creds` lacks (an empty value counts
 * as lacking), each once, as the user would set them. Empty when the run can sign.
 */
export function missingCredentials(signer: Signer, endpoints: readonly Endpoint[], creds: Credentials): string[] {
  const missing = new Set<SignerCredential>();
  for (const endpoint of endpoints) {
    for (const need of signer.needs(endpoint.id)) if (!creds[need]) missing.add(need);
  }
  return [...missing].map(credentialSource);
}

function secretFor(endpoint: EndpointId, creds: Credentials): string | undefined {
  const name = naturalSecret(endpoint);
  return name === undefined ? undefined : creds[name];
}

/** True when the request still carries the auth its log captured (`__md5`, or SUD's signature header). */
function carriesLoggedAuth(request: PendingRequest): boolean {
  if (request.params && Object.hasOwn(request.params, '__md5')) return true;
  return request.headers !== undefined && hasHeader(request.headers, 'sud-signature');
}

/**
 * Sign `request` in place. The signer sees the parameters as sent minus `__md5` (always
 * recomputed), or the exact body, with the endpoint's secret (and SUD's app id). Returned
 * parameters replace any of the same name and are appended in the order returned; returned
 * headers are merged. With `keepAuth`, a request that still carries its logged auth is
 * left exactly as captured.
 */
export async function signRequest(request: PendingRequest, signer: Signer, creds: Credentials, nowSeconds: number, keepAuth: boolean): Promise<void> {
  if (keepAuth && carriesLoggedAuth(request)) return;
  if (signer === noneSigner) return;
  const { endpoint } = request;
  let params: Record<string, string> | undefined;
  if (request.params) {
    params = { ...request.params };
    delete params.__md5;
  }
  const secret = secretFor(endpoint, creds);
  const appId = endpoint.startsWith('sud.') ? creds.sudAppId : undefined;
  const input: SignInput = {
    endpoint,
    nowSeconds,
    ...(params !== undefined && { params }),
    ...(request.body !== undefined && { body: request.body }),
    ...(secret !== undefined && { secret }),
    ...(appId !== undefined && { appId }),
  };
  const added = await signer.sign(input);
  if (added.params) {
    // A new object: the signer may keep the one it was given.
    const merged: Record<string, string> = {};
    for (const name in params) if (!Object.hasOwn(added.params, name)) merged[name] = params[name]!;
    request.params = Object.assign(merged, added.params);
  } else if (params !== undefined) {
    request.params = params;
  }
  if (added.headers) Object.assign(request.headers, added.headers);
}
