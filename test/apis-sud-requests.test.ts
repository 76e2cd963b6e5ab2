import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseExact, stringifyExact } from '../src/json/exact.js';
import type { JsonObject, ValidRecord } from '../src/records.js';
import type { BuildOptions, Credentials } from '../src/apis/api.js';
import { sudReportGameInfo, withSudCredentials } from '../src/apis/sud/index.js';

const lines = readFileSync(new URL('../../samples/ndjson/sud.ndjson', import.meta.url), 'utf8').trim().split('\n');
const START_LINE = lines[0]!;
const SETTLE_LINE = lines[1]!;

function buildOptions(credentials: Credentials = {}, keepAuth = false): BuildOptions {
  return {
    batchSize: 50,
    maxUrlBytes: 8000,
    statParams: 'query',
    baseUrlBytes: 21,
    ts: 'keep',
    keepAuth,
    downloadOpenidField: 'oepnid',
    credentials,
    nowSeconds: () => 1_700_000_000,
  };
}

function validRecord(value: JsonObject, seq = 0): ValidRecord {
  return { origin: { file: 'sud.ndjson', line: seq + 1, input: 0 }, endpoint: 'sud.report_game_info', value, meta: {}, seq };
}

describe('SUD request builder', () => {
  test('sends each record at once as one request whose body is the record serialized exactly', () => {
    const builder = sudReportGameInfo.createBuilder(buildOptions());
    const record = validRecord(parseExact(START_LINE) as JsonObject);
    const requests = builder.add(record);
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.equal(request!.body, START_LINE, 'the seed example, compact, key order kept');
    assert.equal(request!.endpoint, 'sud.report_game_info');
    assert.equal(request!.path, '/sud/report_game_info');
    assert.deepEqual(request!.headers, { 'content-type': 'application/json' });
    assert.deepEqual(request!.records, [record]);
    assert.equal(request!.duplicateKey, 'game_start:ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz');
    assert.equal(request!.params, undefined);
    assert.equal(builder.held, 0);
    assert.deepEqual(builder.due(Date.now(), 0), []);
    assert.deepEqual(builder.flush(), []);
  });

  test('writes mg_id past 2^53 digit for digit', () => {
    const builder = sudReportGameInfo.createBuilder(buildOptions());
    const value = parseExact(SETTLE_LINE) as JsonObject;
    (value.report_msg as JsonObject).mg_id = 9223372036854775807n;
    (value.report_msg as JsonObject).mg_id_str = '9223372036854775807';
    const body = builder.add(validRecord(value))[0]!.body!;
    assert.ok(body.includes('"mg_id":9223372036854775807,'), body);
    assert.ok(builder.add(validRecord(parseExact(SETTLE_LINE) as JsonObject))[0]!.body!.includes('"mg_id":1461227817776713818,'));
  });

  test('sends the record as judged: configured credentials are applied before, not here', () => {
    const builder = sudReportGameInfo.createBuilder(buildOptions({ sudUid: 'leader-9', sudSsToken: 'tok-9' }));
    assert.equal(builder.add(validRecord(parseExact(START_LINE) as JsonObject))[0]!.body, START_LINE);
  });

  test('sends unknown fields and truncated strings as validation left them', () => {
    const value = parseExact(SETTLE_LINE) as JsonObject;
    (value.report_msg as JsonObject).season = { id: 3 };
    (value.report_msg as JsonObject).report_game_info_key = 'é'.repeat(40);
    const checked = sudReportGameInfo.validate(value, { allowUnknownAid: false, nowMs: 0 });
    const body = sudReportGameInfo.createBuilder(buildOptions()).add(validRecord(checked.value))[0]!.body!;
    const sent = JSON.parse(body) as { report_msg: JsonObject };
    assert.deepEqual(sent.report_msg.season, { id: 3 });
    assert.equal(sent.report_msg.report_game_info_key, 'é'.repeat(32));
  });
});

describe('SUD credentials (issue 13 #12): one function applies them', () => {
  const record = (): JsonObject => parseExact(START_LINE) as JsonObject;

  test('configured uid and ss_token replace the record\'s, in place, without modifying it', () => {
    const value = record();
    const applied = withSudCredentials(value, { sudUid: 'leader-9', sudSsToken: 'tok-9' }, false);
    assert.equal(stringifyExact(applied), START_LINE.replace('"uid":"u1","ss_token":"fyRTOsubRLCGrRvKoKm7wIcMM1DL7cfb"', '"uid":"leader-9","ss_token":"tok-9"'));
    assert.equal(value.uid, 'u1', 'the record is not modified');
  });

  test('only the configured credential is replaced; nothing configured returns the record itself', () => {
    const applied = withSudCredentials(record(), { sudSsToken: 'tok-9' }, false);
    assert.equal(applied.uid, 'u1');
    assert.equal(applied.ss_token, 'tok-9');
    const value = record();
    assert.equal(withSudCredentials(value, {}, false), value);
  });

  test('with keepAuth the record\'s own win and configuration fills only what is missing or empty', () => {
    const value = record();
    assert.equal(withSudCredentials(value, { sudUid: 'leader-9', sudSsToken: 'tok-9' }, true), value);
    const { uid: _uid, ...noUid } = record();
    const filled = withSudCredentials({ ...noUid, ss_token: '' }, { sudUid: 'leader-9', sudSsToken: 'tok-9' }, true);
    assert.equal(filled.uid, 'leader-9');
    assert.equal(filled.ss_token, 'tok-9');
  });
});

describe('SUD record keys', () => {
  test('the duplicate key is report_type and game_round_id', () => {
    assert.equal(sudReportGameInfo.duplicateKey!(parseExact(SETTLE_LINE) as JsonObject), 'game_settle:ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz');
  });

  test('uniquify suffixes game_round_id per loop, leaves loop 0 and the input alone', () => {
    const value = parseExact(START_LINE) as JsonObject;
    assert.equal(sudReportGameInfo.uniquify!(value, 0), value);
    const second = sudReportGameInfo.uniquify!(value, 2);
    assert.equal((second.report_msg as JsonObject).game_round_id, 'ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz-L2');
    assert.equal(sudReportGameInfo.duplicateKey!(second), 'game_start:ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz-L2');
    assert.equal((value.report_msg as JsonObject).game_round_id, 'ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz');
    assert.equal((second.report_msg as JsonObject).mg_id, 1461227817776713818n);
  });

  test('shards by game_round_id, so a round start and settle share a shard', () => {
    const a = sudReportGameInfo.shardKey(parseExact(START_LINE) as JsonObject);
    assert.equal(a, 'ce56b6lzi1a7-cehorlmy01pq-cqkdd39jyrmz');
    assert.equal(sudReportGameInfo.shardKey(parseExact(SETTLE_LINE) as JsonObject), a);
  });

  test('the time of a start is battle_start_at and of a settle battle_end_at, in ms', () => {
    assert.equal(sudReportGameInfo.timeOf(parseExact(START_LINE) as JsonObject), 1638845715_000);
    assert.equal(sudReportGameInfo.timeOf(parseExact(SETTLE_LINE) as JsonObject), 1638845720_000);
    assert.equal(sudReportGameInfo.timeOf({ report_type: 'x', report_msg: {} }), undefined);
  });
});

describe('SUD response interpretation', () => {
  const interpret = (status: number, body: string, headers: Record<string, string> = {}) => sudReportGameInfo.interpret({ status, body, headers });

  test('a 2xx with ret_code 0 is success', () => {
    assert.deepEqual(interpret(200, '{"ret_code":0,"ret_msg":""}'), { ok: true });
    assert.deepEqual(interpret(201, '{"ret_code":0}'), { ok: true });
  });

  test('a 2xx with another ret_code fails with the API policy and its message', () => {
    assert.deepEqual(interpret(200, '{"ret_code":1001,"ret_msg":"ss_token expired"}'), { ok: false, cause: 'ret_code 1001', retry: 'api', message: 'ss_token expired' });
    assert.equal(sudReportGameInfo.retryPolicy.delayMs, 60_000);
    assert.deepEqual(sudReportGameInfo.retryPolicy, { retries: 3, delayMs: 60000, backoff: 'fixed' });
  });

  test('a 2xx that is not JSON or has no ret_code is a bad response, retried by the API policy', () => {
    for (const body of ['', 'OK', '[]', '{"code":0}', '{"ret_code":"0"}']) {
      const outcome = interpret(200, body);
      assert.equal(outcome.ok, false, body);
      if (!outcome.ok) {
        assert.equal(outcome.cause, 'bad response', body);
        assert.equal(outcome.retry, 'api', body);
      }
    }
  });

  test('429 and 5xx are transport failures honouring Retry-After in seconds', () => {
    assert.deepEqual(interpret(429, '', { 'retry-after': '7' }), { ok: false, cause: 'http 429', retry: 'transport', retryAfterMs: 7000 });
    assert.deepEqual(interpret(503, 'busy', { 'Retry-After': '0' }), { ok: false, cause: 'http 503', retry: 'transport', retryAfterMs: 0 });
    assert.deepEqual(interpret(500, ''), { ok: false, cause: 'http 500', retry: 'transport' });
  });

  test('other 4xx are final', () => {
    assert.deepEqual(interpret(400, '{"ret_code":1}'), { ok: false, cause: 'http 400', retry: 'none' });
    assert.deepEqual(interpret(404, ''), { ok: false, cause: 'http 404', retry: 'none' });
  });

  test('names sud-hmac as the default signer', () => {
    assert.equal(sudReportGameInfo.signing.signer, 'sud-hmac');
  });
});
