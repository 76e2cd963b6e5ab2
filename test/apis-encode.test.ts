import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeParams, encodeRequest, encodedLength, encodedParamsLength } from '../src/apis/encode.js';

/** What encodeParams must equal: every name and value through encodeURIComponent. */
function reference(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

test('every ASCII character is encoded exactly as encodeURIComponent encodes it', () => {
  for (let code = 0; code < 128; code++) {
    const c = String.fromCharCode(code);
    const params = { [`n${c}`]: `v${c}w`, plain: `${c}` };
    assert.equal(encodeParams(params), reference(params), `character ${code}`);
  }
});

test('plain values pass through; JSON, spaces and non-ASCII text are percent-encoded as UTF-8', () => {
  const params = { ts: '1700000000', uid: 'U-0001_a.b~c', data: '[{"aid":1000,"v":"下载 ok"}]', emoji: '🎮', quote: "it's (ok)!*" };
  assert.equal(encodeParams(params), reference(params));
  assert.equal(encodeParams({ ts: '1700000000', uid: 'U-0001_a.b~c' }), 'ts=1700000000&uid=U-0001_a.b~c');
});

test('a lone surrogate is refused as encodeURIComponent refuses it, not sent mangled', () => {
  assert.throws(() => encodeParams({ bad: 'a\uD800' }), URIError);
});

test('query parameters go after the path; form parameters become the body with their content type', () => {
  const base = { endpoint: 'stat.push_data' as const, records: [], path: '/statistic/push_data/', params: { ts: '1', data: '[1]' }, headers: {} };
  assert.equal(encodeRequest({ ...base, paramsIn: 'query' }, { baseUrl: 'http://h:1' }).url, 'http://h:1/statistic/push_data/?ts=1&data=%5B1%5D');
  const form = encodeRequest({ ...base, paramsIn: 'form' }, { baseUrl: 'http://h:1' });
  assert.equal(form.body, 'ts=1&data=%5B1%5D');
  assert.equal(form.headers['content-type'], 'application/x-www-form-urlencoded; charset=utf-8');
});

test('encodedLength and encodedParamsLength count what encodeURIComponent and encodeParams write', () => {
  const samples = ['', 'plain-._!~*\'()', 'a b&c=d%e+f/g?h#i', 'é', '中文', '🎮x🎮', '"\\\\\n\t', 'ключ/🎮 é', 'ÿ\u07ff\u0800\uffff'];
  for (const text of samples) assert.equal(encodedLength(text), encodeURIComponent(text).length, JSON.stringify(text));
  const params = { session_key: 'sess ion/ключ', ts: '1700000000', uid: '🎮', data: '[{"aid":1000,"note":"a&b"}]' };
  assert.equal(encodedParamsLength(params), encodeParams(params).length);
  assert.equal(encodedParamsLength({}), 0);
});
