/**
 * Adding an API is one folder plus one registry line (docs/API.md, "Adding an API"): the
 * test-only `fake` API (fixtures/fake-api/) is registered by fixtures/fake-cli.ts, the CLI's
 * entry with one more line, and the real CLI — spawned as a child — validates it, dry-runs
 * it, generates it, serves it and replays to it, without any other folder knowing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { md5Sorted } from '../src/sign/md5-sorted.js';
import { ROOT, startNode, type CliResult, type Running } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';
import { waitFor } from './helpers/wait.js';
import { FORM, form, get, post } from './helpers/serve.js';

const FAKE_CLI = path.join(ROOT, 'dist/test/fixtures/fake-cli.js');
const SECRET = 'fake-secret-4821';
const ENV = { REPLAY_FAKE_SECRET: SECRET };

const VALID = [
  { _api: 'fake.ping', player: 'p1', score: 3 },
  { player: 'p2', score: 0 },
  { player: 'p3', score: 1200 },
];
const INVALID = { player: 'p4', score: -1 };

function ndjson(dir: string, name: string, records: readonly object[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
  return file;
}

function runFake(args: readonly string[], env: NodeJS.ProcessEnv = ENV): Promise<CliResult> {
  const running = startNode([FAKE_CLI, ...args], { env });
  running.child.stdin.end('');
  return running.exited;
}

function tmp(t: Ends): string {
  return tempDir(t, 'fake-api');
}

test('validate: the fake API is detected, judged by its own rules and reported under its endpoint id', async (t) => {
  const dir = tmp(t);
  const ok = await runFake(['validate', ndjson(dir, 'ok.ndjson', VALID), '--json']);
  assert.equal(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { byEndpoint: Record<string, { records: number; valid: number }> };
  assert.equal(report.byEndpoint['fake.ping']?.records, 3);
  assert.equal(report.byEndpoint['fake.ping']?.valid, 3);

  const bad = await runFake(['validate', ndjson(dir, 'bad.ndjson', [...VALID, INVALID]), '--api', 'fake']);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(bad.stdout, /fake\.score/);
  assert.match(bad.stdout, /bad\.ndjson:4/);
});

test('replay --dry-run --print-requests: built, signed with md5-sorted under its own secret, at its own path', async (t) => {
  const dir = tmp(t);
  const file = ndjson(dir, 'ok.ndjson', VALID);
  const { code, stdout, stderr } = await runFake(['replay', file, '--dry-run', '--print-requests', '--target', 'http://127.0.0.1:8000', '--quiet']);
  assert.equal(code, 0, stderr);
  const requests = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { url: string; body: string });
  assert.equal(requests.length, 3);
  for (const [i, request] of requests.entries()) {
    assert.equal(request.url, 'http://127.0.0.1:8000/fake/ping');
    const params = Object.fromEntries(new URLSearchParams(request.body));
    const record = VALID[i]!;
    assert.deepEqual({ player: params.player, score: params.score }, { player: record.player, score: String(record.score) });
    assert.equal(params.__md5, md5Sorted({ player: record.player, score: String(record.score) }, SECRET));
  }
  assert.ok(!stdout.includes(SECRET) && !stderr.includes(SECRET), 'the secret is never printed');

  const unsigned = await runFake(['replay', file, '--dry-run', '--target', 'http://127.0.0.1:8000'], {});
  assert.equal(unsigned.code, 2, 'a replay that cannot sign stops before sending');
  assert.match(unsigned.stderr, /REPLAY_FAKE_SECRET/);
});

test('its credential is a flag of replay and serve, declared in its folder alone: --fake-secret signs (and is never printed)', async (t) => {
  const replayHelp = await runFake(['replay', '--help'], {});
  assert.match(replayHelp.stdout, /--fake-secret +fake md5 signing secret \(REPLAY_FAKE_SECRET\)/);
  const serveHelp = await runFake(['serve', '--help'], {});
  assert.match(serveHelp.stdout, /--fake-secret +verify fake __md5 \(md5-sorted\) with this secret; also REPLAY_FAKE_SECRET/);

  const flagSecret = 'flag-secret-9173';
  const file = ndjson(tmp(t), 'ok.ndjson', VALID.slice(0, 1));
  const { code, stdout, stderr } = await runFake(['replay', file, '--dry-run', '--print-requests', '--target', 'http://127.0.0.1:8000', '--fake-secret', flagSecret, '--quiet'], {});
  assert.equal(code, 0, stderr);
  const params = Object.fromEntries(new URLSearchParams((JSON.parse(stdout.trim()) as { body: string }).body));
  assert.equal(params.__md5, md5Sorted({ player: 'p1', score: '3' }, flagSecret));
  assert.ok(!stdout.includes(flagSecret) && !stderr.includes(flagSecret), 'the secret is never printed');
});

test('its own URL and request flags are replay flags, declared in its folder alone: --fake-url and --fake-bonus take effect', async (t) => {
  const replayHelp = await runFake(['replay', '--help'], {});
  assert.equal(replayHelp.code, 0, replayHelp.stderr);
  assert.match(replayHelp.stdout, /--fake-url +full URL of the fake ping endpoint/);
  assert.match(replayHelp.stdout, /--fake-bonus +fake points added to every score sent +\[number\] \[default: 0\]/);
  assert.match(replayHelp.stdout, /fake\s+alone needs only --fake-url/);
  const serveHelp = await runFake(['serve', '--help'], {});
  assert.match(serveHelp.stdout, /--upstream-fake-url +with --upstream: forward fake requests to this URL instead/);

  const file = ndjson(tmp(t), 'ok.ndjson', VALID.slice(0, 1));
  const { code, stdout, stderr } = await runFake(['replay', file, '--dry-run', '--print-requests', '--fake-url', 'http://fake.example/in/', '--fake-bonus', '5', '--quiet']);
  assert.equal(code, 0, stderr);
  const request = JSON.parse(stdout.trim()) as { url: string; body: string };
  assert.equal(request.url, 'http://fake.example/in', 'its own URL, without the trailing slash');
  const params = Object.fromEntries(new URLSearchParams(request.body));
  assert.equal(params.score, '8', 'the bonus is added to the score 3');
  assert.equal(params.__md5, md5Sorted({ player: 'p1', score: '8' }, SECRET));

  const bad = await runFake(['replay', file, '--dry-run', '--fake-bonus', '-1', '--fake-url', 'nope']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--fake-url nope is not a URL/);
  assert.match(bad.stderr, /--fake-bonus must be a whole number ≥ 0, not -1/);
});

test('generate: the fake API generates records its own validate accepts', async (t) => {
  const dir = tmp(t);
  const generated = await runFake(['generate', '--api', 'fake', '--count', '5']);
  assert.equal(generated.code, 0, generated.stderr);
  const file = path.join(dir, 'generated.ndjson');
  writeFileSync(file, generated.stdout);
  const judged = await runFake(['validate', file]);
  assert.equal(judged.code, 0, judged.stdout + judged.stderr);
});

/** `serve --port 0` of the fake CLI; its URL once it listens. Stopped after the test. */
async function serveFake(t: Ends): Promise<{ running: Running; url: string }> {
  const running = startNode([FAKE_CLI, 'serve', '--port', '0'], { env: ENV });
  t.after(() => running.child.kill('SIGKILL'));
  const line = await running.line(/^listening on /);
  return { running, url: line.replace('listening on ', '') };
}

interface FakeStats {
  byEndpoint: Record<string, { requests: number; accepted: number; rejected: number; records: number }>;
}

test('serve routes the fake path to its answerer, checks its signature, counts it; replay delivers to it', async (t) => {
  const { running, url } = await serveFake(t);
  const params = { player: 'p9', score: '7' };
  const signed = await post(`${url}/fake/ping`, { headers: FORM, body: form({ ...params, __md5: md5Sorted(params, SECRET) }) });
  assert.equal(signed.status, 200);
  assert.equal(signed.text, '{"ok":true}');
  const forged = await post(`${url}/fake/ping`, { headers: FORM, body: form({ ...params, __md5: '0'.repeat(32) }) });
  assert.equal(forged.status, 403);
  const invalid = await post(`${url}/fake/ping`, { headers: FORM, body: form({ player: '', score: 'x', __md5: md5Sorted({ player: '', score: 'x' }, SECRET) }) });
  assert.equal(invalid.status, 400);

  const dir = tmp(t);
  const replay = await runFake(['replay', ndjson(dir, 'ok.ndjson', VALID), '--target', url, '--quiet']);
  assert.equal(replay.code, 0, replay.stderr);

  const stats = await waitFor(async () => {
    const s = JSON.parse((await get(`${url}/stats`)).text) as FakeStats;
    return s.byEndpoint['fake.ping']!.requests === 6 ? s : undefined;
  }, 'the fake endpoint to count 6 requests');
  assert.deepEqual(
    { accepted: stats.byEndpoint['fake.ping']!.accepted, rejected: stats.byEndpoint['fake.ping']!.rejected, records: stats.byEndpoint['fake.ping']!.records },
    { accepted: 4, rejected: 2, records: 4 },
  );
  running.child.kill('SIGTERM');
  assert.equal((await running.exited).code, 0);
  assert.ok(!running.stdout().includes(SECRET));
});
