import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { statPushData } from '../src/apis/stat/index.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';
import { createHmac } from 'node:crypto';
import { sudHmacSigner, sudSignature, verifySudSignature } from '../src/sign/sud-hmac.js';

const BODY = '{"report_type":"game_start","report_msg":{"mg_id":1461227817776713818,"room_id":"房间"},"uid":"u1","ss_token":"t"}';

/** Independent of the code under test: the four lines of docs/API.md § sud.report_game_info, each ending in \n. */
function expectedSignature(appId: string, timestamp: string, nonce: string, body: string, secret: string): string {
  return createHmac('sha1', secret).update(Buffer.from([appId, timestamp, nonce, body].map((line) => `${line}\n`).join(''), 'utf8')).digest('hex');
}

describe('sudSignature', () => {
  test('matches a vector computed with openssl', () => {
    // printf 'app-123\n1700000000\n0123456789abcdef\n{"ret_code":0}\n' | openssl dgst -sha1 -hmac 'top-secret'
    assert.equal(
      sudSignature({ appId: 'app-123', timestamp: '1700000000', nonce: '0123456789abcdef', body: '{"ret_code":0}' }, 'top-secret'),
      '9479fd98d8afac730aa5b15433a27b98c8c08a9d',
    );
  });

  test('is the lowercase hex HMAC-SHA1 over appId, timestamp, nonce and the exact UTF-8 body', () => {
    const signature = sudSignature({ appId: 'a1', timestamp: '1700000000', nonce: 'n0', body: BODY }, 's3cret');
    assert.equal(signature, expectedSignature('a1', '1700000000', 'n0', BODY, 's3cret'));
    assert.match(signature, /^[0-9a-f]{40}$/);
    assert.notEqual(signature, sudSignature({ appId: 'a1', timestamp: '1700000000', nonce: 'n0', body: BODY + ' ' }, 's3cret'));
  });
});

describe('sudHmacSigner', () => {
  const input = { endpoint: 'sud.report_game_info' as const, body: BODY, appId: 'a1', secret: 's3cret', nowSeconds: 1_700_000_123 };

  test('adds the four SUD headers, the signature verifiable independently', async () => {
    const { headers, params } = await sudHmacSigner.sign(input);
    assert.equal(params, undefined);
    assert.deepEqual(Object.keys(headers!).sort(), ['Sud-AppId', 'Sud-Nonce', 'Sud-Signature', 'Sud-Timestamp']);
    assert.equal(headers!['Sud-AppId'], 'a1');
    assert.equal(headers!['Sud-Timestamp'], '1700000123');
    assert.match(headers!['Sud-Nonce']!, /^[0-9a-f]{16,}$/);
    assert.equal(headers!['Sud-Signature'], expectedSignature('a1', '1700000123', headers!['Sud-Nonce']!, BODY, 's3cret'));
  });

  test('uses a fresh nonce for each request', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 20; i++) nonces.add((await sudHmacSigner.sign(input)).headers!['Sud-Nonce']!);
    assert.equal(nonces.size, 20);
  });

  test('needs the app id and secret for SUD only, and adds nothing to other endpoints', async () => {
    assert.deepEqual([...sudHmacSigner.needs(sudReportGameInfo)], ['sudAppId', 'sudAppSecret']);
    assert.deepEqual([...sudHmacSigner.needs(statPushData)], []);
    assert.deepEqual(await sudHmacSigner.sign({ endpoint: 'stat.push_data', params: { a: '1' }, secret: 'x', nowSeconds: 1 }), {});
    assert.equal(sudHmacSigner.name, 'sud-hmac');
  });

  test('refuses to sign without the secret rather than send unsigned', () => {
    assert.throws(() => sudHmacSigner.sign({ ...input, secret: undefined }), /appSecret/);
  });
});

describe('verifySudSignature', () => {
  async function signedHeaders(): Promise<Record<string, string>> {
    const { headers } = await sudHmacSigner.sign({ endpoint: 'sud.report_game_info', body: BODY, appId: 'a1', secret: 's3cret', nowSeconds: 1_700_000_000 });
    // As node's http server hands them over: lowercase names.
    return Object.fromEntries(Object.entries(headers!).map(([k, v]) => [k.toLowerCase(), v]));
  }

  test('accepts what the signer produced, whatever the header case', async () => {
    const headers = await signedHeaders();
    assert.equal(verifySudSignature(headers, BODY, 'a1', 's3cret'), true);
    const titled = await sudHmacSigner.sign({ endpoint: 'sud.report_game_info', body: BODY, appId: 'a1', secret: 's3cret', nowSeconds: 5 });
    assert.equal(verifySudSignature(titled.headers!, BODY, 'a1', 's3cret'), true);
  });

  test('rejects a changed body, another secret, another app id, or a missing header', async () => {
    const headers = await signedHeaders();
    assert.equal(verifySudSignature(headers, BODY.replace('u1', 'u2'), 'a1', 's3cret'), false);
    assert.equal(verifySudSignature(headers, BODY, 'a1', 'other'), false);
    assert.equal(verifySudSignature(headers, BODY, 'a2', 's3cret'), false);
    for (const name of ['sud-appid', 'sud-timestamp', 'sud-nonce', 'sud-signature']) {
      const partial = { ...headers };
      delete partial[name];
      assert.equal(verifySudSignature(partial, BODY, 'a1', 's3cret'), false, name);
    }
    assert.equal(verifySudSignature({ ...headers, 'sud-signature': 'abc' }, BODY, 'a1', 's3cret'), false);
    assert.equal(verifySudSignature({ ...headers, 'sud-timestamp': '1700000001' }, BODY, 'a1', 's3cret'), false);
  });
});
