import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';

// Distinctive values, so any leak is found by a plain search.
const SECRETS = {
  statSecret: 'STATSECRET-9f3a1c',
  sessionKey: 'SESSIONKEY-77e1b2',
  ssToken: 'SSTOKEN-c0ffee42',
  appSecret: 'APPSECRET-d15ea5e',
};

function assertNoSecret(where: string, text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) assert.ok(!text.includes(value), `${name} leaked into ${where}`);
}

test('no secret reaches stdout, stderr, the report or the failed file: replay, dry run, and errors', async (t) => {
  const dir = tempDir(t, 'secrets');
  const config = join(dir, 'replay.json');
  writeFileSync(config, JSON.stringify({ stat: { sessionKey: '${MY_SESSION_KEY}' }, sud: { ssToken: SECRETS.ssToken, uid: 'leader', appId: 'app-1' } }));
  const receiver = await startReceiver({ port: 0, statSecret: SECRETS.statSecret, sudAppId: 'app-1', sudAppSecret: SECRETS.appSecret });
  try {
    const env = { MY_SESSION_KEY: SECRETS.sessionKey, REPLAY_SUD_APP_SECRET: SECRETS.appSecret };
    const report = join(dir, 'report.json');
    const failed = join(dir, 'failed.ndjson');
    const common = ['--config', config, '--stat-secret', SECRETS.statSecret];

    const run = await runCli(['replay', 'samples/ndjson', 'samples/bad/stat.ndjson', '--target', receiver.url, ...common, '--report', report, '--failed', failed], { env });
    assert.equal(run.code, 1, run.stderr); // the bad file makes it exit 1; the good records are delivered
    assert.equal(receiver.stats().totals.rejected, 0, 'signed with the real secrets: nothing refused');
    assert.ok(receiver.stats().totals.accepted > 0);
    assertNoSecret('replay stdout', run.stdout);
    assertNoSecret('replay stderr', run.stderr);
    assertNoSecret('the report', readFileSync(report, 'utf8'));
    assertNoSecret('the failed file', readFileSync(failed, 'utf8'));

    const json = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--target', receiver.url, ...common, '--json'], { env });
    assertNoSecret('--json', json.stdout + json.stderr);

    const dry = await runCli(['replay', 'samples/ndjson', '--dry-run', '--print-requests', ...common], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assertNoSecret('--print-requests', dry.stdout + dry.stderr);
    assert.match(dry.stdout, /session_key=\*\*\*/, 'the session key is shown masked');
    assert.match(dry.stdout, /"ss_token\\?":\\?"\*\*\*\\?"/, 'the SUD token is shown masked');

    // Error paths: a bad target, a plugin that fails, a bad config — still nothing.
    const badTarget = await runCli(['replay', 'samples/ndjson', '--target', `ftp://${SECRETS.statSecret}@x`, ...common], { env });
    assert.equal(badTarget.code, 2);
    assertNoSecret('bad target error', badTarget.stdout + badTarget.stderr);
    const badPlugin = await runCli(['replay', 'samples/ndjson/stat.ndjson', '--target', receiver.url, '--signer', './no-such-signer.mjs', ...common, '--debug'], { env });
    assert.equal(badPlugin.code, 2);
    assertNoSecret('plugin error (--debug)', badPlugin.stdout + badPlugin.stderr);
    assert.ok(existsSync(config));
  } finally {
    await receiver.close();
  }
});
