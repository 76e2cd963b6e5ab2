/**
 * Choosing a signer per endpoint, checking credentials before anything is sent, and
 * signing one request (docs/API.md). The builders leave auth out; this adds it, as each
 * endpoint's `signing` declares: which signer, keyed with which credentials, carried where.
 */
import type { Credentials, Endpoint, PendingRequest, SignerName } from '../apis/api.js';
import { headerValue } from '../headers.js';
import { getEndpoint } from '../apis/registry.js';
import { credentialSource } from '../config/config.js';
import { md5SortedSigner } from './md5-sorted.js';
import { signingKeys } from './needs.js';
import { loadSignerPlugin } from './plugin.js';
import type { SignInput, Signer } from './signer.js';
import { sudHmacSigner } from './sud-hmac.js';

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
 * resolved from `cwd`), else the endpoint's own. An endpoint whose signing is `optional`
 * (SUD) goes unsigned when none of its signing credentials is configured. With just one of
 * them, the user evidently meant to sign: the signer is kept so `missingCredentials` names
 * the other instead of the run silently going unsigned.
 */
export async function resolveSigner(spec: string | undefined, endpoint: Endpoint, creds: Credentials, cwd: string = process.cwd()): Promise<Signer> {
  if (spec === undefined) {
    const { signing } = endpoint;
    if (signing.optional && signingKeys(endpoint).every((key) => !creds[key])) return noneSigner;
    return BUILT_IN[signing.signer];
  }
  return isBuiltIn(spec) ? BUILT_IN[spec] : loadSignerPlugin(spec, cwd);
}

/**
 * The credentials `signer` needs for `endpoints` and `creds` lacks (an empty value counts
 * as lacking), each once, as the user would set them. Empty when the run can sign.
 */
export function missingCredentials(signer: Signer, endpoints: readonly Endpoint[], creds: Credentials): string[] {
  const missing = new Set<string>();
  for (const endpoint of endpoints) {
    for (const need of signer.needs(endpoint)) if (!creds[need]) missing.add(need);
  }
  return [...missing].map(credentialSource);
}

/** True when the request still carries the signature its log captured (stat `__md5`, SUD's `Sud-Signature`). */
function carriesLoggedAuth(request: PendingRequest, endpoint: Endpoint): boolean {
  const { param, header } = endpoint.signing.carriedIn ?? {};
  if (param !== undefined && request.params && Object.hasOwn(request.params, param)) return true;
  return header !== undefined && headerValue(request.headers, header) !== undefined;
}

/**
 * Sign `request` in place. The signer sees the parameters as sent minus the signature
 * parameter (always recomputed), or the exact body, with the endpoint's secret (and signing
 * id). A built-in signer signs only the endpoints whose `signing` names it. Returned
 * parameters replace any of the same name and are appended in the order returned; returned
 * headers are merged. With `keepAuth`, a request that still carries its logged auth is
 * left exactly as captured.
 */
export async function signRequest(request: PendingRequest, signer: Signer, creds: Credentials, nowSeconds: number, keepAuth: boolean): Promise<void> {
  const endpoint = getEndpoint(request.endpoint);
  if (endpoint === undefined) throw new Error(`internal: signing a request of unregistered endpoint ${request.endpoint}`);
  if (keepAuth && carriesLoggedAuth(request, endpoint)) return;
  if (signer === noneSigner) return;
  const { signing } = endpoint;
  if (isBuiltIn(signer.name) && signer.name !== signing.signer) return;
  let params: Record<string, string> | undefined;
  if (request.params) {
    params = { ...request.params };
    if (signing.carriedIn?.param !== undefined) delete params[signing.carriedIn.param];
  }
  const secret = signing.secret === undefined ? undefined : creds[signing.secret];
  const appId = signing.appId === undefined ? undefined : creds[signing.appId];
  const input: SignInput = {
    endpoint: request.endpoint,
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
