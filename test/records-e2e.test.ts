/**
 * What a record is judged as and sent as, through the built CLI: validate and replay (to the
 * real receiver, or --dry-run) give one verdict, and what is sent is what was logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { stringifyExact } from '../src/json/exact.js';
import { sudRecord, tempDir, writeNdjson } from './helpers/replay.js';

const CONFIGURED_TOKEN = 'configured-ss-token-5f1e';

function rules(stdout: string): string[] {
  return (JSON.parse(stdout) as Report).findings.map((f) => `${f.rule}×${f.count}`);
}

test('issue 13 #12: SUD uid/ss_token from --config or REPLAY_* make a record without them valid, in validate as in replay', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const lines = [0, 1, 2].map((i) => {
    const { uid: _uid, ss_token: _token, ...bare } = sudRecord(i);
    return bare;
  });
  const file = await writeNdjson(path.join(dir, 'sud.ndjson'), lines);
  const config = path.join(dir, 'replay.json');
  await writeFile(config, JSON.stringify({ sud: { uid: 'leader', ssToken: CONFIGURED_TOKEN } }));

  const alone = await runCli(['validate', file, '--json']);
  assert.equal(alone.code, 1);
  assert.deepEqual(rules(alone.stdout), ['sud.missing_field×6']);
  const withConfig = await runCli(['validate', file, '--json', '--config', config]);
  assert.equal(withConfig.code, 0, withConfig.stdout);
  const withEnv = await runCli(['validate', file, '--json'], { env: { REPLAY_SUD_UID: 'leader', REPLAY_SUD_SS_TOKEN: CONFIGURED_TOKEN } });
  assert.equal(withEnv.code, 0, withEnv.stdout);

  // Replay agrees; the receiver gets the configured values; --failed (every delivery fails
  // here) holds the records as logged, never the configured token.
  const receiver = await startReceiver({ port: 0, record: path.join(dir, 'received.ndjson'), recordSecrets: true, sudErrorRate: 1, seed: 1 });
  t.after(() => receiver.close());
  const failed = path.join(dir, 'failed.ndjson');
  const replayed = await runCli(['replay', file, '--target', receiver.url, '--sud-uid', 'leader', '--sud-ss-token', CONFIGURED_TOKEN, '--retries', '0', '--failed', failed, '--json']);
  assert.equal(replayed.code, 1, replayed.stderr);
  assert.equal(receiver.stats().byEndpoint['sud.report_game_info']!.requests, 3, 'every record was valid and sent');
  await receiver.close();
  const received = (await readFile(path.join(dir, 'received.ndjson'), 'utf8')).trim().split('\n');
  assert.ok(received.every((line) => line.includes(`\\"ss_token\\":\\"${CONFIGURED_TOKEN}\\"`) && line.includes('\\"uid\\":\\"leader\\"')));
  const written = await readFile(failed, 'utf8');
  assert.equal(written.trim().split('\n').length, 3);
  assert.ok(!written.includes(CONFIGURED_TOKEN), 'no configured secret in --failed');
  assert.ok(!replayed.stdout.includes(CONFIGURED_TOKEN));
});

test('issue 13 #10: duplicate keys get one verdict, last wins, with or without a 16-digit run on the line', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = path.join(dir, 'dup.ndjson');
  await writeFile(
    file,
    [
      '{"aid":1001,"uid":"U","app_id":10002,"note":"a","note":"b"}',
      '{"aid":1001,"uid":"U","app_id":10002,"note":"a","note":"b","trace":1461227817776713818}',
      '{"aid":"x","uid":"U","app_id":10002,"aid":1001,"trace":1461227817776713818}',
      '{"aid":1001,"uid":"U","app_id":10002,"aid":"x","trace":1461227817776713818}',
    ].join('\n') + '\n',
  );
  const r = await runCli(['validate', file, '--json']);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    report.findings.map((f) => `${f.rule}:${f.examples.map((e) => e.line).join(',')}`),
    ['stat.bad_aid:4'],
  );
});

test('issue 13 #11: numbers of unknown fields are sent as their text (SUD body, stat event, download parameter); in a typed field such a number is the wrong type', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const sud = sudRecord(1);
  const sudLine = stringifyExact(sud).replace('"report_game_info_extras":""', '"report_game_info_extras":"","big":1e400,"tiny":2.5e-400,"ratio":1.50');
  const statLine = '{"aid":1001,"uid":"U","app_id":10002,"ts":1700000000,"ratio":1.50,"huge":1e400,"exp":1E5,"zero":-0}';
  const downloadLine =
    '{"_api":"download.checkAppUpdate","errorCode":"0","appid":6101,"openid":"o","totaltime":6,"platform":1,"ver_addr":"v","version":1.10,"build":"1","resultCode":0,"versionType":0,"extra":2.5e-400}';
  const typed = ['{"aid":1001,"uid":"U","app_id":1.0}', '{"aid":1E3,"uid":"U","app_id":10002}'];
  const file = path.join(dir, 'numbers.ndjson');
  await writeFile(file, [sudLine, statLine, downloadLine, ...typed].join('\n') + '\n');

  const r = await runCli(['replay', file, '--dry-run', '--print-requests', '--stat-secret', 's', '--stat-session-key', 'k', '--quiet'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.code, 1, r.stderr);
  const requests = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { url: string; body: string | null });
  const body = requests.find((q) => q.url.endsWith('/sud/report_game_info'))!.body!;
  assert.match(body, /"big":1e400,"tiny":2\.5e-400,"ratio":1\.50\}/);
  const stat = decodeURIComponent(requests.find((q) => q.url.includes('/statistic/'))!.url);
  assert.match(stat, /"ratio":1\.50,"huge":1e400,"exp":1E5,"zero":-0\}\]/);
  const download = requests.find((q) => q.url.endsWith('/service/checkAppUpdate'))!.body!;
  assert.match(download, /&version=1\.10&/);
  assert.match(download, /&extra=2\.5e-400$/);

  const validated = await runCli(['validate', file, '--json']);
  const report = JSON.parse(validated.stdout) as Report;
  const errors = report.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}:${f.examples.map((e) => `${e.line} ${e.path}=${String(e.value)}`).join(',')}`);
  assert.deepEqual(errors.sort(), ['stat.bad_aid:5 aid=1E3', 'stat.bad_app_id:4 app_id=1.0']);
});

test('issue 13 #9: an envelope whose events leave out uid or app_id is invalid in validate and refused by the receiver', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = path.join(dir, 'envelope.ndjson');
  await writeFile(file, '{"uid":"E1","app_id":1,"ts":1700000000,"session_key":"k","data":[{"aid":1000}]}\n');
  const r = await runCli(['validate', file, '--json']);
  assert.equal(r.code, 1);
  assert.deepEqual(
    (JSON.parse(r.stdout) as Report).findings.map((f) => `${f.rule}@${f.examples[0]!.path}`).sort(),
    ['stat.missing_app_id@data[0].app_id', 'stat.missing_uid@data[0].uid'],
  );
  const receiver = await startReceiver({ port: 0 });
  t.after(() => receiver.close());
  const answer = await fetch(`${receiver.url}/statistic/push_data/?session_key=k&ts=1700000000&app_id=1&uid=E1&data=${encodeURIComponent('[{"aid":1000}]')}`, { method: 'POST' });
  assert.equal(answer.status, 400);
  assert.match(await answer.text(), /stat\.missing_uid: data\[0\]\.uid/);
});

test('issue 13 #14: replay refuses an event whose request can never be under --max-url-bytes (stat.url_too_long) and sends the rest', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const ts = Math.floor(Date.now() / 1000) - 60;
  const event = (i: number, note = '') => ({ aid: 1001, uid: 'U', app_id: 10002, ts, n: i, ...(note && { note }) });
  const file = await writeNdjson(path.join(dir, 'long.ndjson'), [event(1), event(2, 'x'.repeat(2000)), event(3)]);
  const receiver = await startReceiver({ credentials: { statSecret: 's' }, port: 0, record: path.join(dir, 'received.ndjson') });
  t.after(() => receiver.close());
  const r = await runCli(['replay', file, '--target', receiver.url, '--stat-secret', 's', '--stat-session-key', 'k', '--max-url-bytes', '1000', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  const finding = report.findings.find((f) => f.rule === 'stat.url_too_long')!;
  assert.deepEqual(finding.examples.map((e) => `${path.basename(e.file)}:${e.line}`), ['long.ndjson:2']);
  assert.match(finding.examples[0]!.message, /not under --max-url-bytes 1000/);
  assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 2);
  await receiver.close();
  for (const line of (await readFile(path.join(dir, 'received.ndjson'), 'utf8')).trim().split('\n')) {
    const { url } = JSON.parse(line) as { url: string };
    assert.ok(Buffer.byteLength(receiver.url + url) < 1000);
  }
  // validate knows no target and no --max-url-bytes: the record is valid there (README).
  assert.equal((await runCli(['validate', file])).code, 0);
});

test('issue 13 #15: __ fields are never sent; stat\'s __md5 is its parameter, for the others it is metadata', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = path.join(dir, 'underscore.ndjson');
  await writeFile(
    file,
    [
      '{"_api":"download.checkAppUpdate","errorCode":"0","appid":6101,"openid":"o","totaltime":6,"platform":1,"ver_addr":"v","version":"1","build":"1","resultCode":0,"versionType":0,"__md5":"0123456789abcdef0123456789abcdef","__trace":"t1"}',
      `{"uid":"U","app_id":10002,"ts":"1700000000","session_key":"k","__md5":"0123456789abcdef0123456789abcdef","__trace":"t2","data":[{"aid":1001,"uid":"U","app_id":10002}]}`,
    ].join('\n') + '\n',
  );
  const r = await runCli(['replay', file, '--dry-run', '--print-requests', '--keep-auth', '--stat-secret', 's', '--quiet'], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const [download, stat] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { url: string; body: string | null });
  assert.doesNotMatch(download!.body!, /__md5|__trace/);
  assert.match(stat!.url, /&__md5=0123456789abcdef0123456789abcdef$/, 'the logged signature, kept with --keep-auth');
  assert.doesNotMatch(stat!.url, /__trace/);
});
