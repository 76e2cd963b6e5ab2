import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { describeSetup, serveOptions, type ServeArgs } from '../src/commands/serve.js';
import { startReceiver } from '../src/serve/receiver.js';

function args(overrides: Partial<ServeArgs> = {}): ServeArgs {
  return {
    debug: false,
    quiet: false,
    port: 8000,
    host: '127.0.0.1',
    failRate: 0,
    throttleRate: 0,
    retryAfter: 1,
    sudErrorRate: 0,
    sudFailFirst: false,
    dropAfterRate: 0,
    allowUnknownAid: false,
    recordSecrets: false,
    ...overrides,
  };
}

test('a rate outside 0..1 is a one-line usage error naming the flag', async () => {
  for (const [flag, key] of [
    ['--fail-rate', 'failRate'],
    ['--throttle-rate', 'throttleRate'],
    ['--sud-error-rate', 'sudErrorRate'],
    ['--drop-after-rate', 'dropAfterRate'],
  ] as const) {
    const error = await serveOptions(args({ [key]: 1.2 }), {}).then(
      () => undefined,
      (err: unknown) => err,
    );
    assert.ok(error instanceof UsageError, `${flag} 1.2 is refused`);
    assert.match(error.message, new RegExp(flag));
    assert.ok(!error.message.includes('\n'));
  }
  await assert.rejects(serveOptions(args({ failRate: Number.NaN }), {}), UsageError, 'a rate that is not a number');
});

test('port, retry-after, seed and latency are checked', async () => {
  await assert.rejects(serveOptions(args({ port: 70000 }), {}), /--port/);
  await assert.rejects(serveOptions(args({ port: 1.5 }), {}), /--port/);
  await assert.rejects(serveOptions(args({ retryAfter: -1 }), {}), /--retry-after/);
  await assert.rejects(serveOptions(args({ seed: -3 }), {}), /--seed/);
  await assert.rejects(serveOptions(args({ latency: '100-10' }), {}), /--latency/);
  const ok = await serveOptions(args({ latency: '10-100', seed: 9, failRate: 0.25, port: 0 }), {});
  assert.deepEqual(ok.latencyMs, [10, 100]);
  assert.equal(ok.seed, 9);
  assert.equal(ok.failRate, 0.25);
  assert.equal(ok.port, 0);
});

test('secrets come from the environment when no flag gives them, and a flag wins', async () => {
  const env = { REPLAY_STAT_SECRET: 'from-env', REPLAY_SUD_APP_ID: 'app-env', REPLAY_SUD_APP_SECRET: 'sud-env' };
  const fromEnv = await serveOptions(args(), env);
  assert.deepEqual([fromEnv.credentials?.statSecret, fromEnv.credentials?.sudAppId, fromEnv.credentials?.sudAppSecret], ['from-env', 'app-env', 'sud-env']);
  const fromFlag = await serveOptions(args({ statSecret: 'from-flag' }), env);
  assert.equal(fromFlag.credentials?.statSecret, 'from-flag');
});

test('an SUD app id without its secret (or the reverse) is a usage error', async () => {
  await assert.rejects(serveOptions(args({ sudAppId: 'a' }), {}), /--sud-app-secret/);
  await assert.rejects(serveOptions(args(), { REPLAY_SUD_APP_SECRET: 'x' }), /--sud-app-id/);
});

test('the setup lines say what is verified and how it misbehaves, and never show a secret', async () => {
  const options = await serveOptions(
    args({ port: 0, statSecret: 'stat-SECRET-value', failRate: 0.1, latency: '5', seed: 77, sudFailFirst: true }),
    { REPLAY_SUD_APP_ID: 'app-9', REPLAY_SUD_APP_SECRET: 'sud-SECRET-value' },
  );
  const receiver = await startReceiver(options);
  try {
    const text = describeSetup(options, receiver).join('\n');
    assert.match(text, /stat __md5: verified/);
    assert.match(text, /app id app-9/);
    assert.match(text, /503 on 10%/);
    assert.match(text, /seed 77/);
    assert.doesNotMatch(text, /SECRET-value/);
  } finally {
    await receiver.close();
  }
});
