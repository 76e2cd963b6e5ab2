import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CHECK_APP_UPDATE, FORM, STAT_PATH, form, post, statParams } from './serve-helpers.js';

/** dist/test/ → the package root's bin/. */
const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly firstLine: string;
  output(): string;
}

/** Start `report-replay serve …` and wait for its first line (bounded: 10 s). */
async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const deadline = Date.now() + 10_000;
  while (!stdout.includes('\n')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serve did not start (exit ${child.exitCode}): ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, firstLine: stdout.slice(0, stdout.indexOf('\n')), output: () => stdout + stderr };
}

async function stop(running: Running, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(running.child, 'exit');
  running.child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

test('serve --port 0 prints "listening on http://127.0.0.1:PORT" first, answers there, and SIGTERM ends it with exit 0', async () => {
  const running = await startServe(['--port', '0']);
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

test('SIGINT also ends serve cleanly with exit 0', async () => {
  const running = await startServe(['--port', '0', '--quiet']);
  assert.equal(await stop(running, 'SIGINT'), 0);
});

test('a secret from the environment is enforced and never printed', async () => {
  const secret = 'env-stat-secret-123';
  const running = await startServe(['--port', '0'], { REPLAY_STAT_SECRET: secret });
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
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--fail-rate', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 2);
  assert.match(stderr, /--fail-rate/);
  assert.equal(stderr.trim().split('\n').filter((line) => !line.includes('hint:')).length, 1);
});
