import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReceiver, MAX_BODY_BYTES } from '../src/serve/receiver.js';
import type { ReceiverStats } from '../src/serve/counts.js';
import { tempDir } from './helpers/temp.js';
import { waitForStats } from './helpers/wait.js';
import { CHECK_APP_UPDATE, FORM, STAT_PATH, SUD_PATH, form, get, md5Of, post, statParams, sudStart, withReceiver } from './helpers/serve.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

test('GET /healthz answers 200 ok; unknown paths 404; a GET on an endpoint 405', async () => {
  await withReceiver({}, async (receiver) => {
    const health = await get(receiver.url + '/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.text.trim(), 'ok');
    assert.equal((await post(receiver.url + '/statistic/push')).status, 404);
    assert.equal((await get(receiver.url + '/nowhere')).status, 404);
    const wrongMethod = await get(receiver.url + SUD_PATH);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    const stats = receiver.stats();
    assert.equal(stats.unrouted, 3);
    assert.equal(stats.totals.requests, 0, 'requests to no endpoint are not endpoint requests');
  });
});

test('GET /stats returns per-endpoint counts as JSON, duplicates included', async () => {
  await withReceiver({ credentials: { statSecret: 's' } }, async (receiver) => {
    const params = statParams();
    params.__md5 = md5Of(params, 's');
    await post(`${receiver.url}${STAT_PATH}?${form(params)}`);
    await post(`${receiver.url}${STAT_PATH}?${form({ ...params, __md5: '0'.repeat(32) })}`);
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('dup') });
    await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('dup') });
    await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });

    const answer = await get(receiver.url + '/stats');
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
    const stats = JSON.parse(answer.text) as ReceiverStats;
    const stat = stats.byEndpoint['stat.push_data']!;
    assert.deepEqual([stat.requests, stat.accepted, stat.rejected, stat.records], [2, 1, 1, 3]);
    const sud = stats.byEndpoint['sud.report_game_info']!;
    assert.deepEqual([sud.requests, sud.accepted, sud.duplicates, sud.records], [2, 1, 1, 1]);
    assert.equal(stats.byEndpoint['download.checkAppUpdate']!.records, 1);
    assert.equal(stats.byEndpoint['download.downloadEvent']!.requests, 0);
    assert.equal(stats.byEndpoint['download.downloadEvent']!.firstAt, null);
    assert.deepEqual([stats.totals.requests, stats.totals.accepted, stats.totals.records, stats.totals.duplicates], [5, 3, 5, 1]);
    assert.ok(stat.firstAt! >= stats.startedAt && stat.lastAt! >= stat.firstAt!);
    assert.equal(stats.keys, undefined, 'keys only when asked for');
  });
});

test('--record appends every request as one NDJSON line with its verdict, flushed on close', async (t) => {
  const dir = tempDir(t, 'serve-http');
  const file = join(dir, 'requests.ndjson');
  await writeFile(file, '{"earlier":"line"}\n');
  const receiver = await startReceiver({ port: 0, record: file, sudFailFirst: true });
  t.after(() => receiver.close());
  const body = form(CHECK_APP_UPDATE);
  await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body });
  await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: 'appid=x' });
  await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('rec') });
  await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('rec') });
  await post(receiver.url + SUD_PATH, { headers: JSON_HEADERS, body: sudStart('rec') });
  await post(receiver.url + '/missing');
  await get(receiver.url + '/stats');
  await receiver.close();

  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  assert.equal(lines[0], '{"earlier":"line"}', 'appends, never truncates');
  const entries = lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(
    entries.map((e) => [e.endpoint, e.status, e.verdict]),
    [
      ['download.checkAppUpdate', 200, 'accepted'],
      ['download.checkAppUpdate', 200, 'rejected'],
      ['sud.report_game_info', 200, 'fault'],
      ['sud.report_game_info', 200, 'accepted'],
      ['sud.report_game_info', 200, 'duplicate'],
      [null, 404, 'rejected'],
    ],
  );
  const first = entries[0]!;
  assert.equal(first.method, 'POST');
  assert.equal(first.url, '/service/checkAppUpdate');
  assert.equal(first.body, body);
  assert.match((first.headers as Record<string, string>)['content-type']!, /x-www-form-urlencoded/);
  assert.ok(!Number.isNaN(Date.parse(first.time as string)));
  assert.equal(first.reason, undefined);
  assert.match(entries[1]!.reason as string, /./, 'a refusal carries its reason');
  assert.match(entries[2]!.reason as string, /5000/);
});

test('--record keeps every line when writes outrun the disk buffer (answers wait for drain)', async (t) => {
  const dir = tempDir(t, 'serve-http');
  const file = join(dir, 'big.ndjson');
  const receiver = await startReceiver({ port: 0, record: file });
  t.after(() => receiver.close());
  // Each line is far over the stream's 16 KiB buffer, so every write asks the caller to wait.
  const bodies = Array.from({ length: 20 }, (_, i) => `errorMsg=${String(i).padStart(3, '0')}${'x'.repeat(100_000)}`);
  const answers = await Promise.all(bodies.map((body) => post(receiver.url + '/service/downloadEvent', { headers: FORM, body })));
  assert.ok(answers.every((a) => a.status === 200));
  await receiver.close();
  const recorded = (await readFile(file, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { body: string }).body);
  assert.deepEqual(recorded.sort(), [...bodies].sort());
});

test('a body over 10 MB is answered 413', async () => {
  await withReceiver({}, async (receiver) => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(receiver.url + '/service/downloadEvent', { method: 'POST', headers: { ...FORM, 'content-length': String(MAX_BODY_BYTES + 1) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('appid=1&');
    });
    assert.equal(status, 413);
    assert.equal(receiver.stats().byEndpoint['download.downloadEvent']!.rejected, 1);
  });
});

test('trackArrivals keeps one high-resolution time per endpoint request, in order', async () => {
  await withReceiver({ trackArrivals: true }, async (receiver) => {
    const before = performance.timeOrigin + performance.now();
    for (let i = 0; i < 5; i++) await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    await get(receiver.url + '/stats');
    assert.equal(receiver.arrivals.length, 5);
    assert.ok(receiver.arrivals[0]! >= before);
    for (let i = 1; i < 5; i++) assert.ok(receiver.arrivals[i]! >= receiver.arrivals[i - 1]!);
  });
  await withReceiver({}, async (receiver) => {
    await post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.equal(receiver.arrivals.length, 0, 'nothing kept unless asked');
  });
});

test('close() waits for a delayed answer, stops listening, and can be called twice', async () => {
  const receiver = await startReceiver({ port: 0, latencyMs: 150 });
  const pending = post(receiver.url + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
  // Close while the answer is delayed: the request has arrived (it is counted before the delay).
  await waitForStats(receiver, (s) => s.totals.requests === 1, 'the request');
  await Promise.all([receiver.close(), receiver.close()]);
  assert.equal((await pending).status, 200, 'the in-flight request was answered');
  await assert.rejects(fetch(receiver.url + '/healthz'));
});

test('a port in use is an error from startReceiver, not a crash', async () => {
  await withReceiver({}, async (receiver) => {
    await assert.rejects(startReceiver({ port: receiver.port }), /EADDRINUSE/);
  });
});
