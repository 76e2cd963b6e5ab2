/**
 * SUD's callback signature (docs/API.md § sud.report_game_info): `Sud-Signature` is the lowercase hex
 * HMAC-SHA1, keyed with the app secret, of the four lines `appId\ntimestamp\nnonce\nbody\n`
 * — every line ends in `\n`, the last one too, and `body` is the exact request body.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { firstHeader } from '../headers.js';
import { builtInNeeds } from './needs.js';
import type { SignInput, SignOutput, Signer } from './signer.js';

export const SUD_HEADER = {
  appId: 'Sud-AppId',
  timestamp: 'Sud-Timestamp',
  nonce: 'Sud-Nonce',
  signature: 'Sud-Signature',
} as const;

export interface SudSignatureInput {
  readonly appId: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly body: string;
}

/** Lowercase hex HMAC-SHA1 of `appId\ntimestamp\nnonce\nbody\n` with `secret`. */
export function sudSignature(input: SudSignatureInput, secret: string): string {
  return createHmac('sha1', secret)
    .update(`${input.appId}\n${input.timestamp}\n${input.nonce}\n${input.body}\n`, 'utf8')
    .digest('hex');
}

/** 8 random bytes → 16 hex digits: enough that two requests in one second never share a nonce. */
function newNonce(): string {
  return randomBytes(8).toString('hex');
}

function signSud(input: SignInput): SignOutput {
  // It signs the exact body: a request without one (parameters only) has nothing to sign.
  if (input.body === undefined) return {};
  // The engine checks `needs` before anything is sent, so these are programming errors.
  if (input.appId === undefined || input.secret === undefined) {
    throw new Error(`sud-hmac needs an appId and appSecret for ${input.endpoint}`);
  }
  const timestamp = String(input.nowSeconds);
  const nonce = newNonce();
  const signature = sudSignature({ appId: input.appId, timestamp, nonce, body: input.body }, input.secret);
  return {
    headers: {
      [SUD_HEADER.appId]: input.appId,
      [SUD_HEADER.timestamp]: timestamp,
      [SUD_HEADER.nonce]: nonce,
      [SUD_HEADER.signature]: signature,
    },
  };
}

export const sudHmacSigner: Signer = {
  name: 'sud-hmac',
  needs: (endpoint) => builtInNeeds('sud-hmac', endpoint),
  sign: signSud,
};

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * For the receiver: true when the request carries SUD signature headers for `appId` whose
 * signature matches `body` under `secret`. The signature must be lowercase hex as docs/API.md
 * § sud.report_game_info defines it. Compares in constant time.
 */
export function verifySudSignature(headers: Headers, body: string, appId: string, secret: string): boolean {
  const sentAppId = firstHeader(headers, SUD_HEADER.appId);
  const timestamp = firstHeader(headers, SUD_HEADER.timestamp);
  const nonce = firstHeader(headers, SUD_HEADER.nonce);
  const signature = firstHeader(headers, SUD_HEADER.signature);
  if (sentAppId !== appId || timestamp === undefined || nonce === undefined || signature === undefined) return false;
  const expected = Buffer.from(sudSignature({ appId, timestamp, nonce, body }, secret), 'utf8');
  const actual = Buffer.from(signature, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
