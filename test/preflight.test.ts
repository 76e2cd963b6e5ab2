/**
 * The pre-flight: what a replay needs before it sends (an endpoint's URL, its signer's
 * credentials, stat's session_key) is checked before anything is sent, by one mechanism,
 * naming what is missing and where.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import { stringifyExact } from '../src/json/exact.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { describeTimeSpan } from '../src/replay/intake/preflight.js';
import { ConfigError } from '../src/errors.js';
import { replayOptions, STAT_SECRET, statRecord, sudRecord, tempDir, testIo, writeNdjson } from './helpers/replay.js';

const NOW_S = Math.floor(Date.now() / 1000);

test('a SUD-only replay needs only --sud-url; an endpoint without a URL is named with the flag it needs, before anything is sent', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const sud = await writeNdjson(path.join(dir, 'sud.ndjson'), [sudRecord(1), sudRecord(2)]);
  const mixed = await writeNdjson(path.join(dir, 'mixed.ndjson'), [sudRecord(3), { ...statRecord(1), session_key: 'k' }]);
  const sudUrl = `${receiver.url}/sud/report_game_info`;

  const only = await runCli(['replay', sud, '--sud-url', sudUrl, '--quiet']);
  assert.equal(only.code, 0, only.stderr);
  assert.equal(receiver.stats().byEndpoint['sud.report_game_info']!.accepted, 2);

  const statToo = await runCli(['replay', mixed, '--sud-url', sudUrl, '--stat-secret', STAT_SECRET]);
  assert.equal(statToo.code, 2);
  assert.match(statToo.stderr, /^report-replay: cannot send stat\.push_data requests \(the first is at .*mixed\.ndjson:2\): missing a URL: --target/);
  const none = await runCli(['replay', sud]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /cannot send sud\.report_game_info requests .*: missing a URL: --sud-url or --target/);
  const explicit = await runCli(['replay', sud, '--api', 'sud']);
  assert.match(explicit.stderr, /^report-replay: cannot send sud\.report_game_info requests: missing a URL: --sud-url or --target/, 'with --api the endpoint is known: no record named');
  assert.equal(receiver.stats().totals.requests, 2, 'nothing more was sent');
});

test('a stat record that would go without a session_key stops the replay before anything is sent, naming the flag, the file and the line', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const sud = sudRecord(1);
  const withKey = { ...statRecord(2), session_key: 'logged-key' };
  const withoutKey = statRecord(3);
  const file = await writeNdjson(path.join(dir, 'events.ndjson'), [sud, withKey, withoutKey]);
  const common = ['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--quiet'];

  const refused = await runCli(common);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /^report-replay: cannot send the stat\.push_data record at .*events\.ndjson:3: it needs --stat-session-key \(or stat\.sessionKey in the config, or REPLAY_STAT_SESSION_KEY\)/);
  assert.equal(receiver.stats().totals.requests, 0, 'not even the SUD record before it was sent');

  const fromStdin = await runCli(['replay', '-', '--format', 'ndjson', ...common.slice(2)], { input: [withoutKey].map((r) => stringifyExact(r)).join('\n') + '\n' });
  assert.equal(fromStdin.code, 2, 'stdin cannot be read ahead: its batch is checked before it is sent');
  assert.match(fromStdin.stderr, /record at -:1: it needs --stat-session-key/);
  assert.equal(receiver.stats().totals.requests, 0);

  const configured = await runCli(common, { env: { REPLAY_STAT_SESSION_KEY: 'configured-key' } });
  assert.equal(configured.code, 0, configured.stderr);
  const carried = await writeNdjson(path.join(dir, 'carried.ndjson'), [withKey, sud]);
  const own = await runCli(['replay', carried, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--quiet']);
  assert.equal(own.code, 0, `a record that carries its own session_key needs none configured\n${own.stderr}`);
  assert.equal(receiver.stats().totals.rejected, 0);
});

test('the read ahead stops at the first record that lacks something, without reading the rest of the input', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const lines = [stringifyExact(statRecord(0))];
  for (let i = 1; i < 2000; i++) lines.push(stringifyExact(sudRecord(i)));
  const whole = gzipSync(lines.join('\n') + '\n');
  // The end of the file is cut off: reading that far would fail with a gzip error instead.
  const cut = path.join(dir, 'cut.ndjson.gz');
  await writeFile(cut, whole.subarray(0, whole.length - 200));
  const r = await runCli(['replay', cut, '--dry-run', '--stat-secret', STAT_SECRET]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /record at .*cut\.ndjson\.gz:1: it needs --stat-session-key/);
  assert.doesNotMatch(r.stderr, /gzip/);
});

test('on a terminal the read ahead shows a progress line, and a missing signer credential names the first record that needs it', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const records = [];
  for (let i = 0; i < 500; i++) records.push(sudRecord(i));
  records.push(statRecord(1));
  const file = await writeNdjson(path.join(dir, 'late-stat.ndjson'), records);
  const io = testIo();
  Object.assign(io.stdout, { isTTY: true, columns: 200 });
  const options = await replayOptions([file], 'http://127.0.0.1:9', { credentials: { statSessionKey: 'k' }, progress: true, dryRun: true });
  await assert.rejects(runReplay(options, io, new RunStats('replay', 5)), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /cannot send stat\.push_data requests \(the first is at .*late-stat\.ndjson:501\): missing --stat-secret/);
    return true;
  });
  assert.match(io.stdout.text, /\rchecking the inputs before sending: [\d,]+ read {2}\d+%/);
});

test('--pace original says the span of the log and the run time before starting, and warns beyond an hour', async (t) => {
  const { dir, remove } = await tempDir();
  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(async () => {
    await receiver.close();
    await remove();
  });
  const event = (ts: number) => ({ uid: 'u1', app_id: 10002, aid: 1000, ts, session_key: 'k' });
  const file = await writeNdjson(path.join(dir, 'two-hours.ndjson'), [event(NOW_S - 7200), event(NOW_S - 3600), event(NOW_S)]);
  const r = await runCli(['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--pace', 'original', '--duration', '1s', '--quiet']);
  assert.match(r.stderr, /--pace original: the log spans 2 h 0 min \(.* UTC to .* UTC\); at --speed 1 the replay takes about 2 h 0 min/);
  assert.match(r.stderr, /warning: this replay will run for more than an hour \(about 2 h 0 min\); --speed 2 would take about an hour/);
  assert.equal(receiver.stats().totals.requests, 1, 'the first event went at once; the others were due beyond --duration');
});

test('the span preview: no warning within an hour, the speed that makes an hour beyond it', () => {
  const hour = 3_600_000;
  assert.equal(describeTimeSpan({ first: 0, min: 0, max: 10 * hour }, 20).warning, undefined);
  assert.match(describeTimeSpan({ first: 0, min: 0, max: 10 * hour }, 20).lines[0]!, /spans 10 h 0 min .* at --speed 20 the replay takes about 30 min 0 s/);
  assert.match(describeTimeSpan({ first: 0, min: 0, max: 3 * 24 * hour }, 1).warning!, /about 3 days 0 h\); --speed 72 would take about an hour/);
  assert.match(describeTimeSpan(undefined, 1).lines[0]!, /no record has a time of its own/);
});
