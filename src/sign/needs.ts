/**
 * Which credentials signing an endpoint takes, from what the endpoint declares
 * (`Endpoint.signing`, docs/API.md): its signing id and its secret. A built-in signer signs
 * only the endpoints that name it, so it needs nothing for the others.
 */
import type { CredentialKey, Endpoint, SignerName } from '../apis/api.js';

/** The endpoint's signing id and secret keys, those it declares. */
export function signingKeys(endpoint: Endpoint): CredentialKey[] {
  const { appId, secret } = endpoint.signing;
  return [appId, secret].filter((key): key is CredentialKey => key !== undefined);
}

/** What built-in signer `name` needs for `endpoint`: its keys when the endpoint names it, else nothing. */
export function builtInNeeds(name: SignerName, endpoint: Endpoint): readonly CredentialKey[] {
  return endpoint.signing.signer === name ? signingKeys(endpoint) : [];
}
