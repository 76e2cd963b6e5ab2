/**
 * The stat signature, scheme `md5-sorted` (docs/API.md § stat.push_data, README § Signing): every parameter but `__md5`, sorted
 * by name in byte order, `name=value` joined by `&` with values as sent but NOT
 * URL-encoded (`data` is the exact JSON text), the secret appended directly; `__md5` is
 * the lowercase hex MD5 of that string's UTF-8 bytes.
 *
 * It runs once per stat request, so it allocates nothing it does not need: the names are
 * sorted in place by insertion (a request has five or six), compared as strings unless one
 * holds a surrogate, and hashed with the one-shot `crypto.hash` (no Hash object).
 */
import { hash } from 'node:crypto';
import type { SignInput, SignOutput, Signer } from './signer.js';
import { builtInNeeds } from './needs.js';

/** UTF-8 byte order, as the spec says; UTF-16 order (JS's default) differs past U+FFFF. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Without surrogates (characters past U+FFFF), comparing UTF-16 code units orders strings
 * by code point, and UTF-8 byte order is code point order: the plain `<` is byte order.
 */
function hasSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) return true;
  }
  return false;
}

/** The parameter names to sign (all but `__md5`), in UTF-8 byte order. */
function signedNames(params: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  let surrogates = false;
  for (const name in params) {
    if (name === '__md5') continue;
    names.push(name);
    if (!surrogates && hasSurrogate(name)) surrogates = true;
  }
  if (surrogates) return names.sort(compareBytes);
  // Insertion sort: a request has a handful of parameters, often already nearly in order.
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    while (j >= 0 && names[j]! > name) {
      names[j + 1] = names[j]!;
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

/** The string that is hashed (it contains the secret: never print it). */
export function md5SortedString(params: Readonly<Record<string, string>>, secret: string): string {
  const names = signedNames(params);
  let text = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) text += '&';
    text += names[i] + '=' + params[names[i]!];
  }
  return text + secret;
}

export function md5Sorted(params: Readonly<Record<string, string>>, secret: string): string {
  return hash('md5', md5SortedString(params, secret), 'hex');
}

export const md5SortedSigner: Signer = {
  name: 'md5-sorted',
  needs: (endpoint) => builtInNeeds('md5-sorted', endpoint),
  sign(input: SignInput): SignOutput {
    if (!input.params) return {};
    // needs() is checked before anything is sent; reaching here without it is a bug upstream.
    if (input.secret === undefined) throw new Error(`md5-sorted: the secret of ${input.endpoint} is not set`);
    return { params: { __md5: md5Sorted(input.params, input.secret) } };
  },
};
