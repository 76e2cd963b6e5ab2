import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { Credentials, Endpoint, PendingRequest } from '../src/apis/api.js';
import { checkAppUpdateEndpoint, downloadEventEndpoint } from '../src/apis/download/index.js';
import { statPushData } from '../src/apis/stat/index.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';
import { ConfigError } from '../src/errors.js';
import { missingCredentials, noneSigner, resolveSigner, signRequest } from '../src/sign/index.js';
import { md5SortedSigner } from '../src/sign/md5-sorted.js';
import type { SignInput, SignOutput, Signer } from '../src/sign/signer.js';
import { sudHmacSigner } from '../src/sign/sud-hmac.js';

const statEndpoint: Endpoint = statPushData;
const sudEndpoint: Endpoint = sudReportGameInfo;

const STAT_SOURCE = '--stat-secret (or stat.secret in the config, or REPLAY_STAT_SECRET)';
const SUD_ID_SOURCE = '--sud-app-id (or sud.appId in the config, or REPLAY_SUD_APP_ID)';
const SUD_SECRET_SOURCE = '--sud-app-secret (or sud.appSecret in the config, or REPLAY_SUD_APP_SECRET)';

function statRequest(params: Record<string, string>): PendingRequest {
  return { endpoint: 'stat.push_data', records: [], path: '/statistic/push_data/', params, paramsIn: 'query', headers: {} };
}

function sudRequest(body: string): PendingRequest {
  return { endpoint: 'sud.report_game_info', records: [], path: '/sud/report_game_info', body, headers: { 'content-type': 'application/json' } };
}

/** A signer that records what it was given and answers with `output`. */
function spySigner(output: SignOutput): Signer & { readonly calls: SignInput[] } {
  const calls: SignInput[] = [];
  return {
    name: 'spy',
    calls,
    needs: () => [],
    sign(input) {
      calls.push(input);
      return output;
    },
  };
}

describe('resolveSigner', () => {
  it('uses each endpoint default when --signer is not given', async () => {
    assert.equal(await resolveSigner(undefined, statEndpoint, {}), md5SortedSigner);
    assert.equal(await resolveSigner(undefined, downloadEventEndpoint, {}), noneSigner);
    assert.equal(await resolveSigner(undefined, checkAppUpdateEndpoint, { statSecret: 's' }), noneSigner);
  });

  it('signs SUD only when its app credentials are configured', async () => {
    assert.equal(await resolveSigner(undefined, sudEndpoint, { sudAppId: 'app', sudAppSecret: 'secret' }), sudHmacSigner);
    assert.equal(await resolveSigner(undefined, sudEndpoint, {}), noneSigner);
    assert.equal(await resolveSigner(undefined, sudEndpoint, { sudAppId: '', sudAppSecret: '' }), noneSigner);
  });

  it('keeps sud-hmac when only half the SUD app credentials are set, so the other is asked for', async () => {
    const signer = await resolveSigner(undefined, sudEndpoint, { sudAppId: 'app' });
    assert.equal(signer, sudHmacSigner);
    assert.deepEqual(missingCredentials(signer, [sudEndpoint], { sudAppId: 'app' }), [SUD_SECRET_SOURCE]);
  });

  it('takes a built-in name for any endpoint', async () => {
    assert.equal(await resolveSigner('none', statEndpoint, {}), noneSigner);
    assert.equal(await resolveSigner('md5-sorted', statEndpoint, {}), md5SortedSigner);
    assert.equal(await resolveSigner('sud-hmac', sudEndpoint, {}), sudHmacSigner);
  });

  it('treats any other name as a plugin path and says when it is not there', async () => {
    await assert.rejects(resolveSigner('md5', statEndpoint, {}), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^signer plugin md5 not found/);
      assert.match(err.hint ?? '', /md5-sorted, sud-hmac and none/);
      return true;
    });
  });
});

describe('missingCredentials', () => {
  it('names the stat secret the way a user sets it', () => {
    assert.deepEqual(missingCredentials(md5SortedSigner, [statEndpoint], {}), [STAT_SOURCE]);
    assert.deepEqual(missingCredentials(md5SortedSigner, [statEndpoint], { statSecret: '' }), [STAT_SOURCE]);
    assert.deepEqual(missingCredentials(md5SortedSigner, [statEndpoint], { statSecret: 's' }), []);
  });

  it('asks only for what the endpoints in the run need', () => {
    assert.deepEqual(missingCredentials(md5SortedSigner, [downloadEventEndpoint, checkAppUpdateEndpoint], {}), []);
    assert.deepEqual(missingCredentials(sudHmacSigner, [sudEndpoint, statEndpoint], {}), [SUD_ID_SOURCE, SUD_SECRET_SOURCE]);
    assert.deepEqual(missingCredentials(noneSigner, [statEndpoint, sudEndpoint], {}), []);
  });

  it('names each missing credential once however many endpoints need it', () => {
    const twice: Signer = { ...noneSigner, needs: () => ['statSecret'] };
    assert.deepEqual(missingCredentials(twice, [statEndpoint, sudEndpoint, downloadEventEndpoint], {}), [STAT_SOURCE]);
  });
});

describe('signRequest', () => {
  const creds: Credentials = { statSecret: 'S', sudAppId: 'app-1', sudAppSecret: 'sud-secret' };

  it('appends the md5-sorted __md5 of SPEC §4 after the parameters', async () => {
    const request = statRequest({ session_key: 'k', ts: '100', app_id: '1', uid: 'u', data: '[]' });
    await signRequest(request, md5SortedSigner, creds, 1_700_000_000, false);
    const expected = createHash('md5').update('app_id=1&data=[]&session_key=k&ts=100&uid=uS', 'utf8').digest('hex');
    assert.deepEqual(Object.entries(request.params!), [
      ['session_key', 'k'],
      ['ts', '100'],
      ['app_id', '1'],
      ['uid', 'u'],
      ['data', '[]'],
      ['__md5', expected],
    ]);
  });

  it('recomputes a logged __md5 without signing it', async () => {
    const signer = spySigner({ params: { __md5: 'new' } });
    const request = statRequest({ __md5: 'old', ts: '100', uid: 'u' });
    await signRequest(request, signer, creds, 1, false);
    assert.deepEqual(signer.calls[0]!.params, { ts: '100', uid: 'u' });
    assert.deepEqual(Object.entries(request.params!), [['ts', '100'], ['uid', 'u'], ['__md5', 'new']]);
  });

  it('leaves a request with its logged auth untouched under --keep-auth', async () => {
    const signer = spySigner({ params: { __md5: 'new' }, headers: { 'X-Other': '1' } });
    const request = statRequest({ ts: '100', __md5: 'logged' });
    await signRequest(request, signer, creds, 1, true);
    assert.equal(signer.calls.length, 0);
    assert.deepEqual(request.params, { ts: '100', __md5: 'logged' });
    assert.deepEqual(request.headers, {});

    const sud = sudRequest('{}');
    sud.headers['Sud-Signature'] = 'logged';
    await signRequest(sud, signer, creds, 1, true);
    assert.equal(signer.calls.length, 0);
    assert.deepEqual(sud.headers, { 'content-type': 'application/json', 'Sud-Signature': 'logged' });
  });

  it('still signs under --keep-auth when the log carried no auth', async () => {
    const request = statRequest({ ts: '100' });
    await signRequest(request, spySigner({ params: { __md5: 'new' } }), creds, 1, true);
    assert.deepEqual(request.params, { ts: '100', __md5: 'new' });
  });

  it('gives the signer the endpoint secret, its app id and the clock', async () => {
    const signer = spySigner({});
    await signRequest(statRequest({ ts: '1' }), signer, creds, 42, false);
    await signRequest(sudRequest('{"a":1}'), signer, creds, 43, false);
    const download: PendingRequest = { endpoint: 'download.downloadEvent', records: [], path: '/service/downloadEvent', params: { appid: '1' }, paramsIn: 'form', headers: {} };
    await signRequest(download, signer, creds, 44, false);
    assert.deepEqual(signer.calls, [
      { endpoint: 'stat.push_data', nowSeconds: 42, params: { ts: '1' }, secret: 'S' },
      { endpoint: 'sud.report_game_info', nowSeconds: 43, body: '{"a":1}', secret: 'sud-secret', appId: 'app-1' },
      { endpoint: 'download.downloadEvent', nowSeconds: 44, params: { appid: '1' } },
    ]);
  });

  it('moves a returned parameter that already existed to the end, in the order returned', async () => {
    const request = statRequest({ a: '1', sign: 'old', b: '2' });
    await signRequest(request, spySigner({ params: { sign: 'x', nonce: 'n' } }), creds, 1, false);
    assert.deepEqual(Object.entries(request.params!), [['a', '1'], ['b', '2'], ['sign', 'x'], ['nonce', 'n']]);
  });

  it('adds SUD signature headers over the exact body, keeping the request headers', async () => {
    const body = '{"report_type":"game_start","report_msg":{"mg_id":1461227817776713818}}';
    const request = sudRequest(body);
    await signRequest(request, sudHmacSigner, creds, 1_700_000_123, false);
    const h = request.headers;
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['Sud-AppId'], 'app-1');
    assert.equal(h['Sud-Timestamp'], '1700000123');
    const expected = createHmac('sha1', 'sud-secret').update(`app-1\n1700000123\n${h['Sud-Nonce']}\n${body}\n`, 'utf8').digest('hex');
    assert.equal(h['Sud-Signature'], expected);
    assert.equal(request.body, body);
    assert.equal(request.params, undefined);
  });

  it('changes nothing with the none signer', async () => {
    const request = statRequest({ ts: '1' });
    await signRequest(request, noneSigner, creds, 1, false);
    assert.deepEqual(request.params, { ts: '1' });
    assert.deepEqual(request.headers, {});
  });
});
