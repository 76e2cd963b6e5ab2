import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PendingRequest } from '../src/apis/api.js';
import { signRequest } from '../src/sign/index.js';
import { statPushData } from '../src/apis/stat/index.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';
import { downloadEventEndpoint } from '../src/apis/download/index.js';
import { createHash } from 'node:crypto';
import { md5Sorted, md5SortedSigner, md5SortedString } from '../src/sign/md5-sorted.js';

/** An MD5 computed here, independently of the code under test. */
function md5(text: string): string {
  return createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex');
}

const SPEC_PARAMS = { app_id: '1', data: '[]', session_key: 'k', ts: '100', uid: 'u' };
const SPEC_STRING = 'app_id=1&data=[]&session_key=k&ts=100&uid=u' + 'S';

test('SPEC §4\'s worked example signs the string it gives', () => {
  assert.equal(md5SortedString(SPEC_PARAMS, 'S'), SPEC_STRING);
  assert.equal(md5Sorted(SPEC_PARAMS, 'S'), md5(SPEC_STRING));
  // Pinned with md5sum and Python's hashlib, outside Node.
  assert.equal(md5Sorted(SPEC_PARAMS, 'S'), '04fc92fcbec7fbcefc08f3c5cfe7ff55');
});

test('parameters are sorted by name whatever order they are sent in, and __md5 is left out', () => {
  const sent = { session_key: 'k', ts: '100', app_id: '1', uid: 'u', data: '[]', __md5: 'ffffffffffffffffffffffffffffffff' };
  assert.equal(md5SortedString(sent, 'S'), SPEC_STRING);
  assert.equal(md5Sorted(sent, 'S'), md5(SPEC_STRING));
});

test('values are signed as sent, not URL-encoded, and hashed as UTF-8', () => {
  const params = { uid: '用户 a&b=c', data: '[{"game_v":"7.8.8","note":"下载 %20"}]' };
  const expected = 'data=[{"game_v":"7.8.8","note":"下载 %20"}]&uid=用户 a&b=c' + 'sécret';
  assert.equal(md5SortedString(params, 'sécret'), expected);
  assert.equal(md5Sorted(params, 'sécret'), md5(expected));
});

test('names sort in byte order: capitals before underscore before lowercase, and by UTF-8 past U+FFFF', () => {
  assert.equal(md5SortedString({ b: '1', _x: '2', B: '3', a: '4' }, ''), 'B=3&_x=2&a=4&b=1');
  // UTF-16 order would put the emoji (a surrogate pair, 0xD83D…) before U+FFFF; UTF-8 puts it after.
  assert.equal(md5SortedString({ '\u{1F600}': '1', '\uFFFF': '2' }, ''), '\uFFFF=2&\u{1F600}=1');
});

test('the signer needs the stat secret for stat only', () => {
  assert.equal(md5SortedSigner.name, 'md5-sorted');
  assert.deepEqual(md5SortedSigner.needs(statPushData), ['statSecret']);
  assert.deepEqual(md5SortedSigner.needs(sudReportGameInfo), []);
  assert.deepEqual(md5SortedSigner.needs(downloadEventEndpoint), []);
});

test('the signer adds __md5 as lowercase hex for a stat request, and nothing to an endpoint signed some other way', async () => {
  const out = await md5SortedSigner.sign({ endpoint: 'stat.push_data', params: SPEC_PARAMS, secret: 'S', nowSeconds: 100 });
  assert.deepEqual(out, { params: { __md5: md5(SPEC_STRING) } });
  assert.match(out.params!.__md5!, /^[0-9a-f]{32}$/);
  // A built-in signer signs only the endpoints whose `signing` names it (sign/index.ts).
  const download: PendingRequest = { endpoint: 'download.checkAppUpdate', records: [], path: '/service/checkAppUpdate', params: { ...SPEC_PARAMS }, paramsIn: 'form', headers: {} };
  await signRequest(download, md5SortedSigner, { statSecret: 'S' }, 100, false);
  assert.deepEqual(download.params, SPEC_PARAMS);
});

test('the signer refuses to sign without a secret rather than sign with none', () => {
  assert.throws(() => md5SortedSigner.sign({ endpoint: 'stat.push_data', params: SPEC_PARAMS, nowSeconds: 100 }), /secret of stat.push_data is not set/);
});
