import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli, type Running } from './helpers/cli.js';
import { CHECK_APP_UPDATE, FORM, STAT_PATH, form, post, statParams } from './helpers/serve.js';

/** Start `report-replay serve …` and wait for its first line; it is stopped after the test, whatever happens. */
async function startServe(t: { after(fn: () => void): void }, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Running & { firstLine: string; output(): string }> {
  const running = startCli(['serve', ...args], { env });
  t.after(() => running.child.kill('SIGKILL'));
  const firstLine = await running.line(/^/);
  return { ...running, firstLine, output: () => running.stdout() + running.stderr() };
}

async function stop(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  running.child.kill(signal);
  return (await running.exited).code;
}

test('serve --port 0 prints "listening on http://127.0.0.1:PORT" first, answers there, and SIGTERM ends it with exit 0', async (t) => {
  const running = await startServe(t, ['--port', '0']);
  try {
    const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(running.firstLine);
    assert.ok(match, `first line: ${running.firstLine}`);
    assert.notEqual(Number(match[2]), 0);
    const answer = await post(match[1] + '/service/checkAppUpdate', { headers: FORM, body: form(CHECK_APP_UPDATE) });
    assert.equal(answer.text, '{"code":0}');
  } finally {
    const code = await stop(running, 'SIGTERM');
    assert.equal(code, 0);
  }
  assert.match(running.output(), /1 requests \(1 accepted/);
});

test('SIGINT also ends serve cleanly with exit 0', async (t) => {
  const running = await startServe(t, ['--port', '0', '--quiet']);
  assert.equal(await stop(running, 'SIGINT'), 0);
});

test('a secret from the environment is enforced and never printed', async (t) => {
  const secret = 'env-stat-secret-123';
  const running = await startServe(t, ['--port', '0'], { REPLAY_STAT_SECRET: secret });
  try {
    const url = running.firstLine.replace('listening on ', '');
    const answer = await post(`${url}${STAT_PATH}?${form(statParams())}`);
    assert.equal(answer.status, 403, 'unsigned stat request refused');
  } finally {
    assert.equal(await stop(running, 'SIGTERM'), 0);
  }
  assert.ok(!running.output().includes(secret));
});

test('serve --fail-rate 2 exits 2 with a one-line message', async () => {
  const { code, stderr } = await runCli(['serve', '--port', '0', '--fail-rate', '2']);
  assert.equal(code, 2);
  assert.match(stderr, /--fail-rate/);
  assert.equal(stderr.trim().split('\n').filter((line) => !line.includes('hint:')).length, 1);
});
