import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.js';
import { loadConfig, parseConfig, resolveCredentials, section, selectEnvironment } from '../src/config/config.js';
import { ConfigError } from '../src/errors.js';

test('a config file with ${ENV} references resolves them from the environment', () => {
  const config = parseConfig(JSON.stringify({ target: 'http://127.0.0.1:8000', stat: { secret: '${MY_SECRET}', sessionKey: 'k-${SUFFIX}' } }), 'c.json', {
    MY_SECRET: 's3cret',
    SUFFIX: '42',
  });
  assert.equal(section(config, 'stat').secret, 's3cret');
  assert.equal(section(config, 'stat').sessionKey, 'k-42');
});

test('every problem in a config file is reported at once, in plain words', () => {
  const text = JSON.stringify({ target: 'ftp://x', stat: { secret: 5, sesionKey: 'typo' }, sud: { appSecret: '${NOT_SET_ANYWHERE}' }, extra: true });
  assert.throws(
    () => parseConfig(text, 'c.json', {}),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const m = err.message;
      assert.match(m, /^c\.json: \d+ problems:/);
      assert.match(m, /sud\.appSecret: refers to \$\{NOT_SET_ANYWHERE\}, which is not set/);
      assert.match(m, /target: must be an http:\/\/ or https:\/\/ URL/);
      assert.match(m, /stat\.secret: expected string/);
      assert.match(m, /stat: unknown key "sesionKey"/);
      assert.match(m, /unknown key "extra"/);
      return true;
    },
  );
});

test('a config file that is not JSON gets one line naming it', () => {
  assert.throws(() => parseConfig('{ "target": ', 'bad.json', {}), /bad\.json: not valid JSON/);
});

test('a missing config file is a config error naming the file', async () => {
  await assert.rejects(loadConfig(join(tmpdir(), 'no-such-config-rr.json'), {}), /--config .*no-such-config-rr\.json: cannot read it: no such file/);
});

test('loadConfig reads a real file', async (t) => {
  const dir = tempDir(t, 'config');
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ target: 'http://127.0.0.1:9' }));
  assert.equal((await loadConfig(file, {})).target, 'http://127.0.0.1:9');
});

test('an environment overrides the top level, field by field', () => {
  const config = parseConfig(
    JSON.stringify({
      target: 'http://top',
      stat: { secret: 'top-secret', sessionKey: 'top-key' },
      environments: { staging: { target: 'http://staging', stat: { secret: 'staging-secret' } } },
    }),
    'c.json',
    {},
  );
  const env = selectEnvironment(config, 'staging');
  assert.equal(env.target, 'http://staging');
  assert.equal(section(env, 'stat').secret, 'staging-secret');
  assert.equal(section(env, 'stat').sessionKey, 'top-key');
  assert.equal(selectEnvironment(config, undefined).target, 'http://top');
  assert.throws(() => selectEnvironment(config, 'prod'), /--env prod: no such environment in the config \(known: staging\)/);
});

test('defaultEnvironment applies when --env is not given, and must exist', () => {
  const config = parseConfig(JSON.stringify({ target: 'http://top', defaultEnvironment: 'a', environments: { a: { target: 'http://a' } } }), 'c.json', {});
  assert.equal(selectEnvironment(config, undefined).target, 'http://a');
  assert.throws(() => parseConfig(JSON.stringify({ defaultEnvironment: 'zz' }), 'c.json', {}), /defaultEnvironment "zz" is not one of the environments/);
});

test('credentials: flags win over the environment, which wins over the config', () => {
  const environment = { stat: { secret: 'from-config', sessionKey: 'config-key' }, sud: { uid: 'config-uid' } };
  const env = { REPLAY_STAT_SECRET: 'from-env', REPLAY_SUD_UID: '' };
  const creds = resolveCredentials(environment, env, { statSecret: 'from-flag' });
  assert.equal(creds.statSecret, 'from-flag');
  assert.equal(creds.statSessionKey, 'config-key');
  assert.equal(creds.sudUid, 'config-uid', 'an empty variable counts as unset');
  assert.equal(resolveCredentials(environment, env, {}).statSecret, 'from-env');
  assert.equal(resolveCredentials({}, {}, {}).sudAppSecret, undefined);
});
