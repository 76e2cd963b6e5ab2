/**
 * Signing is pluggable (README § Signing): a signer receives the request's parameters or exact
 * body and returns parameters and/or headers to add. Built-ins: md5-sorted, sud-hmac,
 * none; `--signer ./module.mjs` loads a plugin whose default export is a `SignFunction`.
 */
import type { CredentialKey, Endpoint, EndpointId } from '../apis/api.js';

export interface SignInput {
  readonly endpoint: EndpointId;
  /** stat/download parameters as sent (values not URL-encoded), without `__md5`. */
  readonly params?: Readonly<Record<string, string>>;
  /** The exact body sent (SUD JSON), when the request has one. */
  readonly body?: string;
  /** The endpoint's secret (`Endpoint.signing.secret`: stat.secret for stat, sud.appSecret for SUD). */
  readonly secret?: string;
  /** The endpoint's signing id, when it has one (`Endpoint.signing.appId`: SUD's app id; not secret). */
  readonly appId?: string;
  /** Unix seconds, injected for tests. */
  readonly nowSeconds: number;
}

export interface SignOutput {
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

export type SignFunction = (input: SignInput) => SignOutput | Promise<SignOutput>;

export interface Signer {
  readonly name: string;
  /** Which credentials the signer needs for an endpoint; checked before anything is sent. */
  needs(endpoint: Endpoint): readonly CredentialKey[];
  readonly sign: SignFunction;
}
