import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECK_APP_UPDATE, DOWNLOAD_EVENT, FORM, form, post, withReceiver } from './helpers/serve.js';

const code = (text: string) => JSON.parse(text) as { code: number; msg?: string };

test('the seed checkAppUpdate example, with its Chinese errorMsg percent-encoded, is answered {"code":0}', async () => {
  await withReceiver({ trackKeys: true }, async (receiver) => {
    const answer = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '{"code":0}');
    const counts = receiver.stats().byEndpoint['download.checkAppUpdate']!;
    assert.deepEqual([counts.accepted, counts.records], [1, 1]);
    // The text was decoded as UTF-8, not as Latin-1 or left percent-encoded.
    const [key] = Object.keys(receiver.stats().keys!['download.checkAppUpdate']!);
    assert.match(key!, /连接版本更新服务器失败/);
  });
});

test('the seed downloadEvent example (oepnid, CST begintime) is answered {"code":0}', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(receiver.url + '/service/downloadEvent', { headers: FORM, body: form(DOWNLOAD_EVENT) });
    assert.equal(answer.text, '{"code":0}');
    assert.equal(receiver.stats().byEndpoint['download.downloadEvent']!.records, 1);
  });
});

test('download parameters are also read from the query string', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(`${receiver.url}/service/downloadEvent?${form(DOWNLOAD_EVENT)}`);
    assert.equal(code(answer.text).code, 0, answer.text);
  });
});

test('an impossible begintime gets {"code":1} with a message naming the field', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(receiver.url + '/service/downloadEvent', { headers: FORM, body: form({ ...DOWNLOAD_EVENT, begintime: '2017-02-30 10:00:00' }) });
    assert.equal(answer.status, 200);
    const body = code(answer.text);
    assert.equal(body.code, 1);
    assert.match(body.msg ?? '', /begintime/);
    const counts = receiver.stats().byEndpoint['download.downloadEvent']!;
    assert.deepEqual([counts.accepted, counts.rejected, counts.records], [0, 1, 0]);
  });
});

test('a platform outside 1|2|3|9, a non-integer appid or a missing field gets a non-zero code', async () => {
  await withReceiver({}, async (receiver) => {
    const platform = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form({ ...CHECK_APP_UPDATE, platform: '7' }) });
    assert.notEqual(code(platform.text).code, 0);
    assert.match(code(platform.text).msg ?? '', /platform/);
    const appid = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form({ ...CHECK_APP_UPDATE, appid: 'five' }) });
    assert.notEqual(code(appid.text).code, 0);
    const { ver_addr: _dropped, ...missing } = CHECK_APP_UPDATE;
    const absent = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(missing) });
    assert.notEqual(code(absent.text).code, 0);
    assert.match(code(absent.text).msg ?? '', /ver_addr/);
    assert.equal(receiver.stats().byEndpoint['download.checkAppUpdate']!.rejected, 3);
  });
});

test('a download body that is not a form gets a non-zero code', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(receiver.url + '/service/downloadEvent', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(DOWNLOAD_EVENT) });
    assert.equal(code(answer.text).code, 1);
  });
});

test('issue 13 #18: a form whose percent-encoded bytes are not UTF-8 gets a non-zero code and the reason', async () => {
  await withReceiver({}, async (receiver) => {
    // errorMsg "\xE8\xBF" is a cut three-byte character: URLSearchParams would make it U+FFFD.
    const body = form({ ...CHECK_APP_UPDATE, errorMsg: 'x' }).replace('errorMsg=x', 'errorMsg=%E8%BF');
    const answer = await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body });
    assert.equal(code(answer.text).code, 1);
    assert.match(code(answer.text).msg!, /not valid percent-encoded UTF-8/);
    // Raw bytes that are not UTF-8 in the body are refused the same way.
    const raw = Buffer.concat([Buffer.from(form({ ...CHECK_APP_UPDATE, errorMsg: 'x' }).replace('errorMsg=x', 'errorMsg=')), Buffer.from([0xe8, 0xbf])]);
    const rawAnswer = await fetch(receiver.url + '/service/checkAppUpdate', { method: 'POST', headers: FORM, body: raw });
    const rawCode = (await rawAnswer.json()) as { code: number; msg: string };
    assert.equal(rawCode.code, 1);
    assert.match(rawCode.msg, /not valid UTF-8/);
    assert.equal(receiver.stats().byEndpoint['download.checkAppUpdate']!.records, 0);
  });
});
