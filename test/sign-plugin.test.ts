import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Credentials, Endpoint, PendingRequest } from '../src/apis/api.js';
import { downloadEventEndpoint } from '../src/apis/download/index.js';
import { statPushData } from '../src/apis/stat/index.js';
import { sudReportGameInfo } from '../src/apis/sud/index.js';
import { ConfigError } from '../src/errors.js';
import { missingCredentials, resolveSigner, signRequest } from '../src/sign/index.js';
import { makeTempDir } from './helpers/temp.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE = './samples/signers/sha256-signer.mjs';

const statEndpoint: Endpoint = statPushData;
const sudEndpoint: Endpoint = sudReportGameInfo;
const creds: Credentials = { statSecret: 'stat-secret-1', sudAppId: 'app', sudAppSecret: 'sud-secret-2' };

function hmac256(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

describe('the sample sha256 signer plugin', () => {
  it('signs stat parameters sorted by name as a sign parameter and headers', async () => {
    const signer = await resolveSigner(SAMPLE, statEndpoint, creds, REPO);
    const request: PendingRequest = {
      endpoint: 'stat.push_data',
      records: [],
      path: '/statistic/push_data/',
      params: { session_key: 'k', ts: '100', app_id: '1', uid: 'u', data: '[{"aid":1000,"uid":"u","app_id":1}]' },
      paramsIn: 'query',
      headers: {},
    };
    await signRequest(request, signer, creds, 1_700_000_000, false);
    const expected = hmac256('stat-secret-1', '1700000000\napp_id=1&data=[{"aid":1000,"uid":"u","app_id":1}]&session_key=k&ts=100&uid=u');
    assert.deepEqual(Object.keys(request.params!), ['session_key', 'ts', 'app_id', 'uid', 'data', 'sign']);
    assert.equal(request.params!.sign, expected);
    assert.deepEqual(request.headers, { 'X-Signature': expected, 'X-Timestamp': '1700000000' });
  });

  it('signs a SUD body with headers only', async () => {
    const signer = await resolveSigner(SAMPLE, sudEndpoint, creds, REPO);
    const body = '{"report_type":"game_start"}';
    const request: PendingRequest = { endpoint: 'sud.report_game_info', records: [], path: '/sud', body, headers: {} };
    await signRequest(request, signer, creds, 5, false);
    assert.deepEqual(request.headers, { 'X-Signature': hmac256('sud-secret-2', `5\n${body}`), 'X-Timestamp': '5' });
    assert.equal(request.params, undefined);
  });

  it('leaves download requests unsigned and needs the natural secret of each API', async () => {
    const signer = await resolveSigner(SAMPLE, downloadEventEndpoint, creds, REPO);
    const request: PendingRequest = { endpoint: 'download.downloadEvent', records: [], path: '/service/downloadEvent', params: { appid: '1' }, paramsIn: 'form', headers: {} };
    await signRequest(request, signer, creds, 5, false);
    assert.deepEqual(request.params, { appid: '1' });
    assert.deepEqual(request.headers, {});
    assert.deepEqual(signer.needs(statEndpoint), ['statSecret']);
    assert.deepEqual(signer.needs(sudEndpoint), ['sudAppSecret']);
    assert.deepEqual(signer.needs(downloadEventEndpoint), []);
    assert.deepEqual(missingCredentials(signer, [statEndpoint, sudEndpoint, downloadEventEndpoint], {}), [
      '--stat-secret (or stat.secret in the config, or REPLAY_STAT_SECRET)',
      '--sud-app-secret (or sud.appSecret in the config, or REPLAY_SUD_APP_SECRET)',
    ]);
  });

  it('is loaded once per file, whichever endpoint asks', async () => {
    const a = await resolveSigner(SAMPLE, statEndpoint, creds, REPO);
    const b = await resolveSigner(join(REPO, SAMPLE), sudEndpoint, creds, '/');
    assert.equal(a, b);
    assert.equal(a.name, SAMPLE);
  });
});

describe('signer plugin errors', () => {
  let dir = '';
  let remove = async (): Promise<void> => {};
  before(async () => {
    ({ dir, remove } = await makeTempDir('sign-plugin'));
    const files: Record<string, string> = {
      'named-only.mjs': 'export function sign() { return {}; }\n',
      'not-a-function.mjs': 'export default 42;\n',
      'throws-on-load.mjs': 'throw new Error("cannot start:\\nsecond line");\n',
      'syntax.mjs': 'export default function (\n',
      'leaks.mjs': 'export default function ({ secret }) { throw new Error(`bad key ${secret}`); }\n',
      'bad-output.mjs': 'export default function () { return { params: { sign: { nested: true } } }; }\n',
      'from-cwd.mjs': 'export default function () { return { headers: { "X-From": "cwd" } }; }\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  });
  after(() => remove());

  async function configError(spec: string): Promise<ConfigError> {
    try {
      await resolveSigner(spec, statEndpoint, creds, dir);
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.message.includes('\n'), false, err.message);
      return err;
    }
    throw new Error(`${spec} loaded`);
  }

  it('names a missing file', async () => {
    const err = await configError('./nope.mjs');
    assert.match(err.message, /^signer plugin \.\/nope\.mjs not found \(looked for .*nope\.mjs\)$/);
  });

  it('refuses a folder', async () => {
    assert.match((await configError('.')).message, /^signer plugin \. is not a file/);
  });

  it('refuses a module without a default export function', async () => {
    assert.match((await configError('./named-only.mjs')).message, /^signer plugin \.\/named-only\.mjs has no default export function$/);
    assert.match((await configError('./not-a-function.mjs')).message, /has no default export function/);
  });

  it('reports a module that fails to load in one line', async () => {
    assert.equal((await configError('./throws-on-load.mjs')).message, 'signer plugin ./throws-on-load.mjs failed to load: cannot start:');
    assert.match((await configError('./syntax.mjs')).message, /^signer plugin \.\/syntax\.mjs failed to load: /);
  });

  it('hides the secret when a plugin fails while signing', async () => {
    const signer = await resolveSigner('./leaks.mjs', statEndpoint, creds, dir);
    const request: PendingRequest = { endpoint: 'stat.push_data', records: [], path: '/', params: { ts: '1' }, headers: {} };
    await assert.rejects(signRequest(request, signer, creds, 1, false), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, 'signer plugin ./leaks.mjs failed to sign a stat.push_data request: bad key ***');
      return true;
    });
  });

  it('refuses an answer that is not text parameters', async () => {
    const signer = await resolveSigner('./bad-output.mjs', statEndpoint, creds, dir);
    await assert.rejects(async () => signer.sign({ endpoint: 'stat.push_data', params: {}, nowSeconds: 1 }), /returned params\.sign that is not text/);
  });

  it('resolves a relative path from the working directory by default', async () => {
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const signer = await resolveSigner('./from-cwd.mjs', statEndpoint, creds);
      assert.deepEqual(await signer.sign({ endpoint: 'stat.push_data', nowSeconds: 1 }), { headers: { 'X-From': 'cwd' } });
    } finally {
      process.chdir(previous);
    }
  });
});
