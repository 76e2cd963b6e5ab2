import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from './helpers/cli.js';
import { tempDir, type Ends } from './helpers/temp.js';
import { allEndpoints } from '../src/apis/registry.js';
import { COMMON_RULES } from '../src/findings.js';
import type { Report } from '../src/report/report.js';

const tmp = (t: Ends) => tempDir(t, 'cli-validate');

test('the good samples, NDJSON and CSV, validate with exit 0', async () => {
  const r = await runCli(['validate', 'samples/ndjson', 'samples/csv']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^OK \d+ records, \d+ valid in /);
  for (const id of ['stat.push_data', 'sud.report_game_info', 'download.checkAppUpdate', 'download.downloadEvent']) assert.match(r.stdout, new RegExp(id.replace('.', '\\.')));
});

test('the bad log names every rule with its file:line, and exits 1', async () => {
  const r = await runCli(['validate', 'samples/bad', '--json', '--max-examples', '50']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as Report;
  const seen = new Set(report.findings.map((f) => f.rule));
  // Tested with hostile files below; stat.url_too_long only in replay, which knows the target (records-e2e.test.ts).
  const readerOnly = new Set(['input.encoding', 'input.line_too_long', 'stat.url_too_long']);
  const expected = [...allEndpoints().flatMap((e) => e.rules.map((rule) => rule.id)), ...COMMON_RULES.map((rule) => rule.id)].filter((id) => !readerOnly.has(id));
  const missing = [...new Set(expected)].filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], `rules with no example in samples/bad: ${missing.join(', ')}`);
  const where = (rule: string) => report.findings.find((f) => f.rule === rule)!.examples.map((e) => `${e.file}:${e.line} ${e.path}`);
  assert.deepEqual(where('stat.unknown_aid'), ['samples/bad/stat.ndjson:1 aid']);
  assert.deepEqual(where('sud.mg_id_mismatch'), ['samples/bad/sud.ndjson:5 report_msg.mg_id']);
  assert.deepEqual(where('download.bad_begintime'), ['samples/bad/download.ndjson:5 begintime']);
  assert.deepEqual(where('json.syntax'), ['samples/bad/records.ndjson:1 ']);
  assert.deepEqual(where('csv.row'), ['samples/bad/ragged.csv:3 ']);
  assert.equal(report.totals.records, report.totals.valid + report.totals.invalid);
});

test('--strict turns warnings into exit 1', async (t) => {
  const dir = tmp(t);
  const file = join(dir, 'warn.ndjson');
  // aid 2002 without game_v: a warning only.
  writeFileSync(file, '{"aid":2002,"uid":"u1","app_id":15154545,"game_id":12}\n');
  const plain = await runCli(['validate', file]);
  assert.equal(plain.code, 0, plain.stdout);
  assert.match(plain.stdout, /1 with warnings/);
  const strict = await runCli(['validate', file, '--strict']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /error   stat\.missing_game_v/);
});

test('--failed writes the invalid records, typed and replayable, with _error; --report writes the JSON report', async (t) => {
  const dir = tmp(t);
  const failed = join(dir, 'failed.ndjson');
  const reportFile = join(dir, 'report.json');
  const r = await runCli(['validate', 'samples/bad/sud.ndjson', '--failed', failed, '--report', reportFile, '--quiet']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', '--quiet prints no table');
  const lines = readFileSync(failed, 'utf8').trim().split('\n');
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  assert.equal(lines.length, report.totals.invalid);
  const mismatch = lines.find((l) => l.includes('sud.mg_id_mismatch'))!;
  assert.match(mismatch, /"mg_id":1461227817776713818[,}]/, 'int64 digits exact in the failed file');
  const parsed = JSON.parse(mismatch.replace(/"mg_id":(\d+)/, '"mg_id":"$1"'));
  assert.equal(parsed._api, 'sud.report_game_info');
  assert.equal(parsed._source, 'samples/bad/sud.ndjson:5');
  // The failed file is itself valid input: it validates to the same errors.
  const again = await runCli(['validate', failed, '--json']);
  assert.equal(again.code, 1);
  assert.equal((JSON.parse(again.stdout) as Report).totals.invalid, lines.length);
});

test('stdin with --format, and without it a one-line usage error', async () => {
  const input = readFileSync('samples/ndjson/download.ndjson');
  const ok = await runCli(['validate', '-', '--format', 'ndjson'], { input });
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await runCli(['validate', '-'], { input });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^report-replay: .*--format/);
});

test('integers past 2^53 survive CSV too (mg_id digit for digit into --failed)', async (t) => {
  const dir = tmp(t);
  const csv = join(dir, 'sud.csv');
  const failed = join(dir, 'failed.ndjson');
  writeFileSync(
    csv,
    'report_type,uid,ss_token,report_msg.mg_id,report_msg.mg_id_str,report_msg.room_id,report_msg.game_mode,report_msg.game_round_id,report_msg.battle_start_at,report_msg.players,report_msg.report_game_info_extras\n' +
      'game_start,u1,tok,1461227817776713818,1461227817776713819,r1,1,round-1,1638845715,"[{""uid"":""u1"",""is_ai"":0}]",x\n',
  );
  const r = await runCli(['validate', csv, '--failed', failed, '--quiet']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(readFileSync(failed, 'utf8'), /"mg_id":1461227817776713818,"mg_id_str":"1461227817776713819"/);
});

test('hostile input: clear one-line messages naming the file, exit 1 or 2, never a stack trace', async (t) => {
  const dir = tmp(t);
  const garbage = join(dir, 'garbage.ndjson');
  writeFileSync(garbage, Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919) % 256)));
  const truncated = join(dir, 'cut.ndjson.gz');
  const gz = gzipSync(readFileSync('samples/ndjson/stat.ndjson'));
  writeFileSync(truncated, gz.subarray(0, gz.length - 20));
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'aid,uid,app_id\n1000,u1,1\n1000,u1\n1000,u1,1,extra\n');
  const bigLine = join(dir, 'big.ndjson');
  writeFileSync(bigLine, JSON.stringify({ aid: 1000, uid: 'u'.repeat(5 * 1024 * 1024), app_id: 1 }) + '\n{"aid":1000,"uid":"u2","app_id":1}\n');
  const badUtf8 = join(dir, 'utf8.ndjson');
  writeFileSync(badUtf8, Buffer.concat([Buffer.from('{"aid":1000,"uid":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","app_id":1}\n')]));

  const cases: { args: string[]; code: number; pattern: RegExp; stream: 'stdout' | 'stderr' }[] = [
    { args: ['validate', join(dir, 'missing.ndjson')], code: 2, pattern: /missing\.ndjson: no such file/, stream: 'stderr' },
    { args: ['validate', truncated], code: 2, pattern: /cut\.ndjson\.gz: .*gzip/, stream: 'stderr' },
    { args: ['validate', garbage], code: 1, pattern: /json\.syntax|input\.encoding|input\.line_too_long/, stream: 'stdout' },
    { args: ['validate', ragged], code: 1, pattern: /ragged\.csv:3: row has 2 cells, the header has 3[\s\S]*ragged\.csv:4: row has 4 cells/, stream: 'stdout' },
    { args: ['validate', bigLine], code: 0, pattern: /OK 2 records, 2 valid/, stream: 'stdout' },
    { args: ['validate', badUtf8], code: 1, pattern: /input\.encoding[\s\S]*utf8\.ndjson:1/, stream: 'stdout' },
  ];
  for (const c of cases) {
    const r = await runCli(c.args);
    assert.equal(r.code, c.code, `${c.args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.match(r[c.stream], c.pattern, `${c.args.join(' ')}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --debug');
  }
});

test('unknown flags and commands are usage errors with exit 2', async () => {
  const r = await runCli(['validate', 'samples/ndjson', '--no-such-flag']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^report-replay: unknown option --no-such-flag/);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /say which command/);
});

test('--help shows examples', async () => {
  const r = await runCli(['validate', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /--strict/);
});
