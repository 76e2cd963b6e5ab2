/**
 * The stat signature, scheme `md5-sorted` (SPEC §4): every parameter but `__md5`, sorted
 * by name in byte order, `name=value` joined by `&` with values as sent but NOT
 * URL-encoded (`data` is the exact JSON text), the secret appended directly; `__md5` is
 * the lowercase hex MD5 of that string's UTF-8 bytes.
 */
import { createHash } from 'node:crypto';
import type { EndpointId } from '../apis/api.js';
import type { SignInput, SignOutput, Signer } from './signer.js';

const SIGNED_ENDPOINT: EndpointId = 'stat.push_data';
const NEEDS_SECRET = ['statSecret'] as const;
const NEEDS_NOTHING = [] as const;

/** UTF-8 byte order, as the spec says; UTF-16 order (JS's default) differs past U+FFFF. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The string that is hashed (it contains the secret: never print it). */
export function md5SortedString(params: Readonly<Record<string, string>>, secret: string): string {
  const names = Object.keys(params).filter((name) => name !== '__md5').sort(compareBytes);
  let text = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += '&';
    text += names[i] + '=' + params[names[i]!];
  }
  return text + secret;
}

export function md5Sorted(params: Readonly<Record<string, string>>, secret: string): string {
  return createHash('md5').update(md5SortedString(params, secret), 'utf8').digest('hex');
}

export const md5SortedSigner: Signer = {
  name: 'md5-sorted',
  needs(endpoint) {
    return endpoint === SIGNED_ENDPOINT ? NEEDS_SECRET : NEEDS_NOTHING;
  },
  sign(input: SignInput): SignOutput {
    if (input.endpoint !== SIGNED_ENDPOINT || !input.params) return {};
    // needs() is checked before anything is sent; reaching here without it is a bug upstream.
    if (input.secret === undefined) throw new Error('md5-sorted: the stat secret is not set (--stat-secret, stat.secret or REPLAY_STAT_SECRET)');
    return { params: { __md5: md5Sorted(input.params, input.secret) } };
  },
};
