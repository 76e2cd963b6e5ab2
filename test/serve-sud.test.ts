import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.js';
import { SUD_PATH, post, retCode, sudHeaders, sudStart, withReceiver } from './helpers/serve.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const APP_ID = 'app-1';
const APP_SECRET = 'sud-s3cret';

test('a valid SUD report is answered HTTP 200 {"ret_code":0,"ret_msg":""}', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart() });
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '{"ret_code":0,"ret_msg":""}');
    assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
    const counts = receiver.stats().byEndpoint['sud.report_game_info']!;
    assert.deepEqual([counts.accepted, counts.records], [1, 1]);
  });
});

test('mg_id past 2^53 is read exactly: recorded digit for digit, and an off-by-one mg_id_str is caught', async (t) => {
  const dir = tempDir(t, 'serve-sud');
  const file = join(dir, 'requests.ndjson');
  await withReceiver({ record: file, recordSecrets: true }, async (receiver) => {
    const ok = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('round-a') });
    assert.equal(retCode(ok).ret_code, 0, ok.text);
    // 1461227817776713819 and ...818 are the same double: only an exact parser tells them apart.
    const mismatch = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('round-b', '1461227817776713819', '1461227817776713818') });
    assert.notEqual(retCode(mismatch).ret_code, 0);
    assert.match(retCode(mismatch).ret_msg, /mg_id/);
  });
  const [first] = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { body: string });
  assert.equal(first!.body, sudStart('round-a'), 'the body is recorded exactly as sent');
  assert.match(first!.body, /"mg_id":1461227817776713818,/);
});

test('a body that is not JSON, or not an object, gets ret_code 1001 with a message', async () => {
  await withReceiver({}, async (receiver) => {
    // The API document's own sample has a trailing comma: not JSON.
    const trailing = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart().slice(0, -1) + ',}' });
    assert.equal(trailing.status, 200);
    assert.equal(retCode(trailing).ret_code, 1001);
    assert.match(retCode(trailing).ret_msg, /JSON/);
    const array = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: '[1,2]' });
    assert.equal(retCode(array).ret_code, 1001);
    assert.equal(receiver.stats().byEndpoint['sud.report_game_info']!.rejected, 2);
  });
});

test('a report that breaks a SUD rule gets ret_code 1001 naming the field', async () => {
  await withReceiver({}, async (receiver) => {
    const noPlayers = sudStart().replace(/"players":\[.*?\],/, '"players":[],');
    const answer = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: noPlayers });
    assert.equal(retCode(answer).ret_code, 1001);
    assert.match(retCode(answer).ret_msg, /players/);
    const badType = JSON.stringify({ report_type: 'game_over', report_msg: {}, uid: 'u1', ss_token: 't' });
    assert.equal(retCode(await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: badType })).ret_code, 1001);
    const counts = receiver.stats().byEndpoint['sud.report_game_info']!;
    assert.deepEqual([counts.accepted, counts.rejected, counts.records], [0, 2, 0]);
  });
});

test('with an app id and secret, a correctly signed report is accepted and a bad signature gets ret_code 1002', async () => {
  await withReceiver({ credentials: { sudAppId: APP_ID, sudAppSecret: APP_SECRET } }, async (receiver) => {
    const body = sudStart('signed-round');
    const good = await post(receiver.url + SUD_PATH, { headers: sudHeaders(body, APP_ID, APP_SECRET), body });
    assert.equal(retCode(good).ret_code, 0, good.text);

    const wrongSecret = await post(receiver.url + SUD_PATH, { headers: sudHeaders(body, APP_ID, 'guess'), body });
    assert.equal(retCode(wrongSecret).ret_code, 1002);
    const wrongApp = await post(receiver.url + SUD_PATH, { headers: sudHeaders(body, 'other-app', APP_SECRET), body });
    assert.equal(retCode(wrongApp).ret_code, 1002);
    // Signed bytes must be the sent bytes: re-serializing the body breaks the signature.
    const reformatted = body.replace('{"report_type":', '{ "report_type": ');
    const tampered = await post(receiver.url + SUD_PATH, { headers: sudHeaders(body, APP_ID, APP_SECRET), body: reformatted });
    assert.equal(retCode(tampered).ret_code, 1002);
    const unsigned = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body });
    assert.equal(retCode(unsigned).ret_code, 1002);
    assert.ok(!unsigned.text.includes(APP_SECRET));
    const counts = receiver.stats().byEndpoint['sud.report_game_info']!;
    assert.deepEqual([counts.accepted, counts.rejected], [1, 4]);
  });
});

test('a second report with the same (report_type, game_round_id) is answered ret_code 0 but counted as a duplicate', async () => {
  await withReceiver({}, async (receiver) => {
    for (let i = 0; i < 3; i++) {
      const answer = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('same-round') });
      assert.equal(retCode(answer).ret_code, 0);
    }
    // Same round, other report_type: a different key.
    const settle = sudStart('same-round')
      .replace('"game_start"', '"game_settle"')
      .replace(/"players":\[.*?\],/, '"battle_end_at":1638845720,"battle_duration":5,"results":[{"uid":"u2","rank":1,"is_escaped":0,"is_ai":0,"role":0,"score":1,"commission_score":0,"is_win":2,"award":0,"extras":"","is_managed":0}],')
      .replace('"custom param"}', '"custom param","report_game_info_key":"k1"}');
    const settled = await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: settle });
    assert.equal(retCode(settled).ret_code, 0, settled.text);
    const counts = receiver.stats().byEndpoint['sud.report_game_info']!;
    assert.deepEqual([counts.requests, counts.accepted, counts.duplicates, counts.records], [4, 2, 2, 2]);
  });
});

test('with trackKeys, stats().keys counts each accepted SUD report once by its key', async () => {
  await withReceiver({ trackKeys: true }, async (receiver) => {
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('k-1') });
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('k-2') });
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('k-2') });
    const keys = receiver.stats().keys!['sud.report_game_info']!;
    assert.equal(Object.keys(keys).length, 2);
    assert.deepEqual(Object.values(keys), [1, 1], 'a duplicate is not a second delivery');
  });
});

test('issue 13 #10: a body with a duplicate key gets one verdict whether or not it holds an int64: the last one wins', async () => {
  await withReceiver({ trackKeys: true }, async (receiver) => {
    // A duplicate room_id (last wins, a valid string) next to mg_id past 2^53: accepted, as validate accepts it.
    const duplicate = sudStart('round-dup').replace('"room_id":"xxx123"', '"room_id":1,"room_id":"xxx123"');
    assert.equal(retCode(await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: duplicate })).ret_code, 0);
    // The other order: the number wins, which is the wrong type, on the int64 path as on the plain one.
    for (const mgId of ['1461227817776713818', '42']) {
      const body = sudStart(`round-${mgId}`, mgId).replace('"room_id":"xxx123"', '"room_id":"xxx123","room_id":1');
      const answer = retCode(await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body }));
      assert.equal(answer.ret_code, 1001, mgId);
      assert.match(answer.ret_msg, /report_msg\.room_id must be a string/, mgId);
    }
  });
});

test('issue 13 #18: a body that is not UTF-8 gets ret_code 1001', async () => {
  await withReceiver({}, async (receiver) => {
    const body = Buffer.from(sudStart().replace('custom param', 'custom \uFFFD'));
    const bad = Buffer.from(body.toString('latin1').replace('custom \xEF\xBF\xBD', 'custom \xE8\xBF '), 'latin1');
    const answer = await fetch(receiver.url + SUD_PATH, { method: 'POST', headers: JSON_HEADERS, body: bad });
    const parsed = (await answer.json()) as { ret_code: number; ret_msg: string };
    assert.equal(parsed.ret_code, 1001);
    assert.match(parsed.ret_msg, /not valid UTF-8/);
  });
});
