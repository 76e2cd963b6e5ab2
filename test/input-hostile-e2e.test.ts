/**
 * Hostile input through the built CLI, validate and replay to the real receiver: a CSV row
 * whose quote never closes (issue 13 #17) and a record nested 10,000 levels deep (issue 15
 * #8) are invalid records at their file:line; everything before them is judged and sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import type { Report } from '../src/report/report.js';
import { STAT_SECRET, statRecord, tempDir, writeNdjson } from './helpers/replay.js';
import { writeFile } from 'node:fs/promises';

const DEEP = '['.repeat(10_000) + ']'.repeat(10_000);

function examples(report: Report, rule: string): string[] {
  return (report.findings.find((f) => f.rule === rule)?.examples ?? []).map((e) => `${path.basename(e.file)}:${e.line}`);
}

test('issue 13 #17: a CSV row with an unterminated quote is an invalid record; the rows before it are judged and delivered (exit 1)', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const now = Math.floor(Date.now() / 1000) - 60;
  const rows = ['aid,uid,app_id,game_id,game_v,v,ts', ...[1, 2, 3].map((i) => `2003,user-${i},10002,7,1.2.0,${i},${now}`), `2003,user-4,10002,7,"1.2.0,4,${now}`, `2003,user-5,10002,7,1.2.0,5,${now}`];
  const file = path.join(dir, 'open-quote.csv');
  await writeFile(file, rows.join('\n') + '\n');

  const validated = await runCli(['validate', file, '--json']);
  assert.equal(validated.code, 1, validated.stderr);
  const report = JSON.parse(validated.stdout) as Report;
  assert.deepEqual(examples(report, 'csv.row'), ['open-quote.csv:5']);
  assert.match(report.findings.find((f) => f.rule === 'csv.row')!.examples[0]!.message, /a quoted cell in this row is never closed/);
  assert.equal(report.totals.valid, 3);

  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(() => receiver.close());
  const replayed = await runCli(['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', 'k', '--failed', path.join(dir, 'failed.ndjson')]);
  assert.equal(replayed.code, 1, replayed.stderr + replayed.stdout);
  assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 3, 'the three rows before the open quote arrived');
  const failed = (await readFile(path.join(dir, 'failed.ndjson'), 'utf8')).trim().split('\n');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!, /"_source":".*open-quote\.csv:5"/);
});

test('issue 15 #8: a record nested 10,000 deep is input.too_deep at its file:line in validate, replay (to the receiver), the reports, --failed and --resume', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = await writeNdjson(path.join(dir, 'deep.ndjson'), [statRecord(1), `{"aid":2003,"uid":"user-1","app_id":10002,"x":${DEEP}}`, statRecord(2), `{"uid":"u","app_id":10002,"ts":"1700000000","data":"${'['.repeat(100)}${']'.repeat(100)}"}`]);
  const csv = path.join(dir, 'deep.csv');
  await writeFile(csv, `report_type,uid,ss_token,report_msg.players\ngame_start,u1,t1,"${DEEP}"\n`);

  const validated = await runCli(['validate', file, csv, '--json', '--report', path.join(dir, 'report.json')]);
  assert.equal(validated.code, 1, validated.stderr);
  assert.doesNotMatch(validated.stderr, /Maximum call stack|RangeError/);
  const report = JSON.parse(validated.stdout) as Report;
  assert.deepEqual(examples(report, 'input.too_deep'), ['deep.ndjson:2', 'deep.ndjson:4', 'deep.csv:2']);
  // The table's preview of the examples does not crash either.
  const table = await runCli(['validate', file, csv]);
  assert.equal(table.code, 1, table.stderr);
  assert.match(table.stdout, /input\.too_deep/);

  const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
  t.after(() => receiver.close());
  const args = ['replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', 'k', '--failed', path.join(dir, 'failed.ndjson'), '--checkpoint', path.join(dir, 'run.ckpt'), '--report', path.join(dir, 'replay.json')];
  const replayed = await runCli(args);
  assert.equal(replayed.code, 1, replayed.stderr + replayed.stdout);
  assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 2);
  const failed = (await readFile(path.join(dir, 'failed.ndjson'), 'utf8')).trim().split('\n');
  assert.equal(failed.length, 2);
  assert.match(failed[0]!, /input\.too_deep/);
  const replayReport = JSON.parse(await readFile(path.join(dir, 'replay.json'), 'utf8')) as Report;
  assert.deepEqual(examples(replayReport, 'input.too_deep'), ['deep.ndjson:2', 'deep.ndjson:4']);
  const resumed = await runCli([...args, '--resume']);
  assert.doesNotMatch(resumed.stderr, /Maximum call stack|RangeError|internal error/);
  assert.ok(resumed.code === 0 || resumed.code === 1, resumed.stderr);
  assert.equal(receiver.stats().byEndpoint['stat.push_data']!.records, 2, 'nothing is sent again');
});

test('issue 15 #8: the receiver answers a too-deep body or data text with a refusal, never a crash', async (t) => {
  const receiver = await startReceiver({ port: 0 });
  t.after(() => receiver.close());
  const sud = await fetch(`${receiver.url}/sud/report_game_info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"report_type":"game_start","report_msg":${DEEP}}` });
  const answer = (await sud.json()) as { ret_code: number; ret_msg: string };
  assert.equal(answer.ret_code, 1001);
  assert.match(answer.ret_msg, /deeper than 64 levels/);
  const data = encodeURIComponent(`[{"aid":1000,"uid":"u","app_id":1,"x":${DEEP}}]`);
  const stat = await fetch(`${receiver.url}/statistic/push_data/?session_key=k&ts=1700000000&app_id=1&uid=u&data=${data}`, { method: 'POST' });
  assert.equal(stat.status, 400);
  assert.match(await stat.text(), /input\.too_deep/);
});

test('a lone surrogate in a record (uid "\\ud800") is input.encoding at its line, not a crash when its URL is encoded', async (t) => {
  const { dir, remove } = await tempDir();
  t.after(remove);
  const file = path.join(dir, 'surrogate.ndjson');
  await writeFile(file, '{"aid":1001,"uid":"\\ud800","app_id":1}\n{"aid":1001,"uid":"ok","app_id":1}\n');
  const r = await runCli(['replay', file, '--dry-run', '--stat-secret', 's', '--stat-session-key', 'k', '--json']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /internal error|URI malformed/);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(examples(report, 'input.encoding'), ['surrogate.ndjson:1']);
  assert.equal(report.totals.valid, 1);
});
