import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimit, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';
import { startReceiver } from '../src/serve/receiver.js';
import { serveOptions } from '../src/commands/serve.js';

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
  const receiver = await startReceiver({ credentials: { statSecret: SECRETS.statSecret, sudAppId: 'app-1', sudAppSecret: SECRETS.appSecret }, port: 0 });
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

/** A temp folder for one test, removed after it. */
function scratch(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a password in --target is masked in every message and never stored in the checkpoint', async (t) => {
  const dir = scratch(t);
  const receiver = await startReceiver({ port: 0 });
  t.after(() => receiver.close());
  const password = 'URLPASSWORD-5e3c1d';
  const target = receiver.url.replace('http://', `http://backfill:${password}@`);
  const checkpoint = join(dir, 'run.ckpt');
  const first = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--target', target, '--checkpoint', checkpoint]);
  assert.equal(first.code, 0, first.stderr);
  assert.ok(!readFileSync(checkpoint, 'utf8').includes(password), 'the checkpoint holds the target without its password');
  // Resuming with other options is refused with both fingerprints in the message: no password in it.
  const other = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--target', target, '--checkpoint', checkpoint, '--resume', '--strict']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /other options/);
  assert.ok(!(other.stdout + other.stderr).includes(password), other.stderr);
  const bad = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--target', `ftp://backfill:${password}@host`, '--debug']);
  assert.equal(bad.code, 2);
  assert.ok(!(bad.stdout + bad.stderr).includes(password), bad.stderr);
});

test('a --signer plugin that throws while loading or signing cannot print a secret, with --debug too', async (t) => {
  const dir = scratch(t);
  const loading = join(dir, 'loading.mjs');
  writeFileSync(loading, "throw new Error(`cannot start with ${process.env.REPLAY_STAT_SECRET} and ${process.env.REPLAY_STAT_SESSION_KEY}`);\n");
  const signing = join(dir, 'signing.mjs');
  writeFileSync(
    signing,
    'export default function sign({ params, body, secret }) {\n' +
      '  const token = body ? JSON.parse(body).ss_token : "";\n' +
      '  throw new Error(`refused ${secret} ${params?.session_key ?? ""} ${token}`);\n' +
      '}\n',
  );
  const env = { REPLAY_STAT_SECRET: SECRETS.statSecret, REPLAY_STAT_SESSION_KEY: SECRETS.sessionKey };
  const sudCredentials = ['--sud-ss-token', SECRETS.ssToken, '--sud-uid', 'leader', '--sud-app-secret', SECRETS.appSecret, '--sud-app-id', 'a1'];
  const runs: { what: string; args: string[]; message: RegExp }[] = [];
  for (const debug of [[], ['--debug']]) {
    runs.push({ what: `plugin load error ${debug.join('')}`, args: ['replay', 'samples/ndjson/stat.ndjson', '--dry-run', '--signer', loading, ...debug], message: /signer plugin .*loading\.mjs failed to load: cannot start with \*\*\* and \*\*\*/ });
    for (const input of ['samples/ndjson/stat.ndjson', 'samples/ndjson/sud.ndjson']) {
      runs.push({ what: `plugin sign error ${input} ${debug.join('')}`, args: ['replay', input, '--dry-run', '--signer', signing, ...sudCredentials, ...debug], message: /failed to sign/ });
    }
  }
  const results = await mapLimit(runs, 3, (run) => runCli(run.args, { env }));
  runs.forEach((run, i) => {
    const r = results[i]!;
    assert.equal(r.code, 2, `${run.what}\n${r.stderr}`);
    assert.match(r.stderr, run.message, run.what);
    assertNoSecret(run.what, r.stdout + r.stderr);
  });
});

test('a secret typed by mistake as an input or a target is not echoed', async () => {
  const asInput = await runCli(['replay', SECRETS.statSecret, '--stat-secret', SECRETS.statSecret, '--dry-run']);
  assert.equal(asInput.code, 2);
  assert.match(asInput.stderr, /^report-replay: \*\*\*: no such file/);
  const asTarget = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--target', SECRETS.ssToken, '--sud-ss-token', SECRETS.ssToken]);
  assert.equal(asTarget.code, 2);
  assert.match(asTarget.stderr, /--target \*\*\* is not a URL/);
  const fromConfig = await runCli(['replay', SECRETS.sessionKey, '--dry-run'], { env: { REPLAY_STAT_SESSION_KEY: SECRETS.sessionKey } });
  assertNoSecret('an input named like a secret from the environment', fromConfig.stdout + fromConfig.stderr);
});

test('a ${VAR} in a config field that is not secret is not repeated in an error', async (t) => {
  const dir = scratch(t);
  const config = join(dir, 'replay.json');
  writeFileSync(config, JSON.stringify({ target: '${MY_TARGET}', defaultEnvironment: '${MY_ENV}', environments: { staging: {} } }));
  const value = 'http://internal-host-7f2a:99999';
  const r = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--config', config], { env: { MY_TARGET: value, MY_ENV: 'prod-9c1e' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /target: must be an http:\/\/ or https:\/\/ URL/);
  assert.ok(!r.stderr.includes('internal-host-7f2a'), r.stderr);
  writeFileSync(config, JSON.stringify({ target: 'http://127.0.0.1:9', defaultEnvironment: '${MY_ENV}', environments: { staging: {} } }));
  const env = await runCli(['replay', 'samples/ndjson/sud.ndjson', '--config', config], { env: { MY_ENV: 'prod-9c1e' } });
  assert.match(env.stderr, /defaultEnvironment \(the value of \$\{MY_ENV\}\) is not one of the environments \(staging\)/);
  assert.ok(!env.stderr.includes('prod-9c1e'), env.stderr);
});

test('serve --record masks session_key, ss_token and the signing secrets unless --record-secrets', async (t) => {
  const dir = scratch(t);
  const statSecret = SECRETS.statSecret;
  const send = async (options: { record: string; recordSecrets?: boolean }) => {
    const receiver = await startReceiver({ port: 0, credentials: { statSecret }, ...options });
    try {
      const params = new URLSearchParams({ session_key: SECRETS.sessionKey, ts: '1700000000', app_id: '1', uid: 'u', data: `[{"aid":1000,"uid":"u","app_id":1,"v":"${statSecret}"}]` });
      await fetch(`${receiver.url}/statistic/push_data/?${params}`, { method: 'POST' });
      const body = JSON.stringify({ report_type: 'game_start', report_msg: {}, uid: 'u', ss_token: SECRETS.ssToken });
      await fetch(`${receiver.url}/sud/report_game_info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    } finally {
      await receiver.close();
    }
    return readFileSync(options.record, 'utf8');
  };
  const masked = await send({ record: join(dir, 'masked.ndjson') });
  assert.equal(masked.trim().split('\n').length, 2);
  assertNoSecret('the --record file', masked);
  assert.match(masked, /session_key=\*\*\*/);
  assert.match(masked, /\\"ss_token\\":\\"\*\*\*\\"/);
  const kept = await send({ record: join(dir, 'kept.ndjson'), recordSecrets: true });
  assert.ok(kept.includes(SECRETS.sessionKey) && kept.includes(SECRETS.ssToken), '--record-secrets keeps them');
  const options = await serveOptions({ port: 0, host: '127.0.0.1', failRate: 0, throttleRate: 0, retryAfter: 1, sudErrorRate: 0, sudFailFirst: false, dropAfterRate: 0, allowUnknownAid: false, debug: false, quiet: false, record: 'x', recordSecrets: true }, {});
  assert.equal(options.recordSecrets, true, 'the flag reaches the receiver');
});
