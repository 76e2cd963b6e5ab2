import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../src/errors.js';
import { stringifyExact } from '../src/json/exact.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { downloadRecord, replayOptions, SESSION_KEY, STAT_SECRET, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

const SUD_TOKEN = 'sud-ss-token-SECRET';
const SUD_APP_ID = 'app-1001';
const SUD_APP_SECRET = 'sud-app-secret-SECRET';

interface Printed {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

describe('dry run', () => {
  test('--print-requests writes the exact signed requests with every secret masked, and sends nothing', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const sud = sudRecord(5);
      const events = [statRecord(1, 1), statRecord(2, 1)];
      const file = await writeNdjson(path.join(dir, 'mixed.ndjson'), [sud, ...events, downloadRecord(9)]);
      const io = testIo();
      const stats = new RunStats('replay --dry-run', 5);
      const credentials = { statSecret: STAT_SECRET, statSessionKey: SESSION_KEY, sudSsToken: SUD_TOKEN, sudAppId: SUD_APP_ID, sudAppSecret: SUD_APP_SECRET };
      const outcome = await runReplay(await replayOptions([file], receiver.url, { dryRun: true, printRequests: true, credentials }), io, stats);

      assert.equal(receiver.stats().totals.requests, 0, 'nothing was sent');
      assert.equal(outcome.undelivered, 0);
      const totals = stats.totals();
      assert.equal(totals.requests, 3, 'SUD, one stat batch, download');
      assert.equal(totals.succeeded, 0);
      assert.equal(totals.failed, 0);
      for (const secret of [STAT_SECRET, SESSION_KEY, SUD_TOKEN, SUD_APP_SECRET]) {
        assert.ok(!io.stdout.text.includes(secret) && !io.stdout.text.includes(encodeURIComponent(secret)), `${secret} is not printed`);
      }
      const printed = io.stdout.text.trim().split('\n').map((line) => JSON.parse(line) as Printed);
      assert.equal(printed.length, 3);
      const byPath = new Map(printed.map((p) => [new URL(p.url).pathname, p]));

      // SUD: the body with the configured ss_token (masked in print), signed over the real bytes.
      const sudPrinted = byPath.get('/sud/report_game_info')!;
      const realBody = stringifyExact({ ...sud, ss_token: SUD_TOKEN });
      assert.equal(sudPrinted.url, `${receiver.url}/sud/report_game_info`);
      assert.equal(sudPrinted.body, stringifyExact({ ...sud, ss_token: '***' }));
      assert.match(sudPrinted.body, /"mg_id":1461227817776713818,/, 'int64 digit for digit');
      const { 'Sud-Timestamp': ts, 'Sud-Nonce': nonce, 'Sud-Signature': signature, 'Sud-AppId': appId } = sudPrinted.headers;
      assert.equal(appId, SUD_APP_ID);
      const expected = createHmac('sha1', SUD_APP_SECRET).update(`${SUD_APP_ID}\n${ts}\n${nonce}\n${realBody}\n`).digest('hex');
      assert.equal(signature, expected);

      // stat: both events of the user in one request, parameters in the query, __md5 over the real values.
      const statPrinted = byPath.get('/statistic/push_data/')!;
      assert.equal(statPrinted.body, null);
      const data = '[' + events.map(({ ts: _ts, ...event }) => JSON.stringify(event)).join(',') + ']';
      const params: Record<string, string> = { session_key: SESSION_KEY, ts: String(events[0]!.ts), app_id: '10002', uid: 'user-0', data };
      const signed = Object.keys(params).sort().map((k) => `${k}=${params[k]}`).join('&') + STAT_SECRET;
      const md5 = createHash('md5').update(signed, 'utf8').digest('hex');
      const query = Object.entries({ ...params, session_key: 'MASK', __md5: md5 })
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join('&')
        .replace('session_key=MASK', 'session_key=***');
      assert.equal(statPrinted.url, `${receiver.url}/statistic/push_data/?${query}`);

      const downloadPrinted = byPath.get('/service/downloadEvent')!;
      assert.match(downloadPrinted.headers['content-type']!, /x-www-form-urlencoded/);
      assert.match(downloadPrinted.body!, /(^|&)oepnid=player-9(&|$)/);
    } finally {
      await receiver.close();
      await remove();
    }
  });
});

describe('credentials', () => {
  test('a replay that lacks a credential it needs stops before sending anything, naming it', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const file = await writeNdjson(path.join(dir, 'mixed.ndjson'), [sudRecord(1), statRecord(1), sudRecord(2)]);
      const failedFile = path.join(dir, 'failed.ndjson');
      await assert.rejects(
        runReplay(await replayOptions([file], receiver.url, { credentials: {}, failedFile }), testIo(), new RunStats('replay', 5)),
        (err: unknown) => err instanceof ConfigError && /--stat-secret/.test(err.message) && /stat\.push_data/.test(err.message),
      );
      assert.equal(receiver.stats().totals.requests, 0, 'not even the SUD records were sent');

      // With --api naming the endpoint, the check comes before any file is opened.
      await assert.rejects(
        runReplay(await replayOptions([file], receiver.url, { credentials: {}, failedFile, judge: { api: 'stat', strict: false, allowUnknownAid: false, nowMs: Date.now() } }), testIo(), new RunStats('replay', 5)),
        ConfigError,
      );
      assert.equal(receiver.stats().totals.requests, 0);
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('with --api auto, a record needing a missing credential deep in a later file still stops the run before anything is sent', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const sud = await writeNdjson(path.join(dir, 'a-sud.ndjson'), Array.from({ length: 2000 }, (_, i) => sudRecord(i + 1)));
      const stat = await writeNdjson(path.join(dir, 'b-stat.ndjson'), [statRecord(1)]);
      await assert.rejects(
        runReplay(await replayOptions([sud, stat], receiver.url, { credentials: {} }), testIo(), new RunStats('replay', 5)),
        (err: unknown) => err instanceof ConfigError && /--stat-secret/.test(err.message),
      );
      assert.equal(receiver.stats().totals.requests, 0, 'none of the 2000 SUD records went before the stat record was seen');
    } finally {
      await receiver.close();
      await remove();
    }
  });

  test('a credential only another API needs is not asked for', async () => {
    const { dir, remove } = await tempDir();
    const receiver = await startReceiver({ port: 0 });
    try {
      const file = await writeNdjson(path.join(dir, 'sud.ndjson'), [sudRecord(1), sudRecord(2)]);
      const stats = new RunStats('replay', 5);
      const failedFile = path.join(dir, 'failed.ndjson');
      const outcome = await runReplay(await replayOptions([file], receiver.url, { credentials: {}, failedFile }), testIo(), stats);
      assert.equal(outcome.undelivered, 0);
      assert.equal(stats.totals().succeeded, 2);
      assert.equal(receiver.stats().totals.records, 2);
      assert.ok(existsSync(failedFile));
    } finally {
      await receiver.close();
      await remove();
    }
  });
});
