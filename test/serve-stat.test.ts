import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORM, STAT_EVENTS, STAT_PATH, form, md5Of, post, statParams, withReceiver } from './helpers/serve.js';

const SECRET = 'stat-s3cret';

test('a stat request signed with md5-sorted in the query string is answered 200 with an empty body', async () => {
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const params = statParams();
    params.__md5 = md5Of(params, SECRET);
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '');
    const counts = receiver.stats().byEndpoint['stat.push_data']!;
    assert.equal(counts.accepted, 1);
    assert.equal(counts.records, STAT_EVENTS.length, 'every event of the batch is one record');
  });
});

test('stat parameters in a form body, and the path without its trailing slash, are accepted', async () => {
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const params = statParams();
    params.__md5 = md5Of(params, SECRET);
    const answer = await post(`${receiver.url}/statistic/push_data`, { headers: FORM, body: form(params) });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, STAT_EVENTS.length);
  });
});

test('a forged __md5 is refused with 403 and a one-line reason, and counted as rejected', async () => {
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const params = statParams();
    params.__md5 = md5Of(params, 'not-the-secret');
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 403);
    assert.match(answer.text, /__md5/);
    assert.equal(answer.text.trimEnd().split('\n').length, 1);
    assert.ok(!answer.text.includes(SECRET), 'the reason never shows the secret');
    const counts = receiver.stats().byEndpoint['stat.push_data']!;
    assert.deepEqual([counts.requests, counts.accepted, counts.rejected, counts.records], [1, 0, 1, 0]);
  });
});

test('a signed parameter changed after signing is refused', async () => {
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const params = statParams();
    params.__md5 = md5Of(params, SECRET);
    params.uid = 'someone-else';
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 403);
  });
});

test('a missing __md5 is refused with 403 when the receiver has the secret, accepted when it has none', async () => {
  const params = statParams();
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 403);
    assert.match(answer.text, /missing __md5/);
  });
  await withReceiver({}, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 200, answer.text);
  });
});

test('an event with an unknown aid is refused with 400 naming the rule, unless unknown aids are allowed', async () => {
  const params = statParams([...STAT_EVENTS, { aid: 9999, uid: '2508E', app_id: 15154545 }]);
  await withReceiver({}, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /stat\.unknown_aid/);
    assert.match(answer.text, /data\[3\]/, 'the reason names the event');
  });
  await withReceiver({ allowUnknownAid: true }, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 4);
  });
});

test('a stat request without data, or with data that is not a JSON array, is refused with 400', async () => {
  await withReceiver({}, async (receiver) => {
    const { data: _data, ...noData } = statParams();
    const missing = await post(`${receiver.url}${STAT_PATH}?${form(noData)}`);
    assert.equal(missing.status, 400);
    assert.match(missing.text, /data/);
    const broken = await post(`${receiver.url}${STAT_PATH}?${form({ ...statParams(), data: '[{"aid": 1000,' })}`);
    assert.equal(broken.status, 400);
    assert.equal(receiver.stats().byEndpoint['stat.push_data']!.rejected, 2);
  });
});

test('a G aid without game_id is refused: the receiver applies the same rules as validate', async () => {
  await withReceiver({}, async (receiver) => {
    const params = statParams([{ aid: 2002, uid: '2508E', app_id: 15154545, game_v: '1' }]);
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /game_id/);
  });
});

test('a body that is not a form is refused with 400', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(statParams()) });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /x-www-form-urlencoded/);
  });
});

test('issue 13 #18: a request without ts, with an empty ts or without session_key is refused 400 with the reason', async () => {
  await withReceiver({ credentials: { statSecret: SECRET } }, async (receiver) => {
    const cases: [string, (p: Record<string, string>) => void, RegExp][] = [
      ['no ts', (p) => delete p.ts, /missing required parameter ts$/],
      ['empty ts', (p) => (p.ts = ''), /missing required parameter ts \(empty\)$/],
      ['no session_key', (p) => delete p.session_key, /missing required parameter session_key$/],
      ['neither', (p) => (delete p.session_key, delete p.ts), /missing required parameters session_key, ts$/],
    ];
    for (const [name, change, reason] of cases) {
      const params = statParams();
      change(params);
      params.__md5 = md5Of(params, SECRET);
      const answer = await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
      assert.equal(answer.status, 400, name);
      assert.match(answer.text.trimEnd(), reason, name);
    }
    assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 0);
  });
});

test('issue 13 #18: percent-encoded bytes that are not UTF-8 are refused, not read as U+FFFD', async () => {
  await withReceiver({}, async (receiver) => {
    const answer = await post(`${receiver.url}${STAT_PATH}?${form(statParams())}&note=%FF%FE`);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /not valid percent-encoded UTF-8/);
  });
});
