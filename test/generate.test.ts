import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import { getEndpoint } from '../src/apis/registry.js';
import { FEATURES } from '../src/apis/stat/features.js';
import { UsageError, UserError } from '../src/errors.js';
import { generateOptions, runGenerate, type GenerateArgs } from '../src/commands/generate.js';
import { BASE_EPOCH_SECONDS, generateRecords, generatedApis, type GeneratedApi } from '../src/generate/index.js';
import { CsvRows, csvCell, writeRecords } from '../src/generate/writer.js';
import { makeTempDir } from './helpers/temp.js';
import { readRecords } from '../src/input/read.js';
import { resolveInputs } from '../src/input/sources.js';
import type { JsonObject } from '../src/records.js';
import { RunStats } from '../src/report/stats.js';
import { RecordJudge } from '../src/validate/judge.js';

const SEEDS = [1, 42, 2 ** 40 + 7];
const ENDPOINT_OF: Record<GeneratedApi, string> = { stat: 'stat.push_data', sud: 'sud.report_game_info', download: '' };
const NOW_MS = Date.now();

/** A Writable that keeps what it is given, as text. */
class Collector extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function generateText(api: GeneratedApi, count: number, seed: number, format: 'ndjson' | 'csv'): Promise<string> {
  const out = new Collector();
  await runGenerate({ api, count, seed, format }, out);
  return out.text;
}

function records(api: GeneratedApi, count: number, seed: number): JsonObject[] {
  return [...generateRecords(api, count, seed)];
}

function withoutMeta(record: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key in record) if (!key.startsWith('_')) out[key] = record[key];
  return out;
}

/** Generate to a file, read it back as a user's `validate` would, and judge every record. */
async function judgeGeneratedFile(api: GeneratedApi, count: number, seed: number, format: 'ndjson' | 'csv'): Promise<RunStats> {
  const { dir, remove } = await makeTempDir('generate');
  try {
    const file = path.join(dir, `${api}.${format}`);
    const out = createWriteStream(file);
    await runGenerate({ api, count, seed, format }, out);
    out.end();
    await once(out, 'close');
    const stats = new RunStats('validate', 3);
    const judge = new RecordJudge({ api, strict: false, allowUnknownAid: false, nowMs: NOW_MS }, stats);
    for await (const batch of readRecords(await resolveInputs([file]))) for (const raw of batch) judge.judge(raw);
    return stats;
  } finally {
    await remove();
  }
}

function assertClean(stats: RunStats, count: number, what: string): void {
  const totals = stats.totals();
  const tallies = stats.findings.tallies();
  assert.deepEqual(tallies.map((t) => `${t.rule} ×${t.count}: ${t.examples[0]?.message}`), [], `${what}: findings`);
  assert.equal(totals.records, count, `${what}: records read`);
  assert.equal(totals.valid, count, `${what}: valid records`);
  assert.equal(totals.warnings, 0, `${what}: records with warnings`);
}

test('generated records of every API pass their endpoint validation with no finding at all, for several seeds', () => {
  for (const api of generatedApis()) {
    for (const seed of SEEDS) {
      for (const record of generateRecords(api, 3000, seed)) {
        const endpointId = api === 'download' ? String(record._api) : ENDPOINT_OF[api]!;
        const endpoint = getEndpoint(endpointId);
        assert.ok(endpoint, `${api} seed ${seed}: endpoint ${endpointId}`);
        const { findings } = endpoint.validate(withoutMeta(record), { allowUnknownAid: false, nowMs: NOW_MS });
        assert.deepEqual(findings, [], `${api} seed ${seed}: ${JSON.stringify(record, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
    }
  }
});

test('generated NDJSON read back through the input reader validates 100%, int64 mg_ids included', async () => {
  for (const api of generatedApis()) {
    for (const seed of SEEDS) assertClean(await judgeGeneratedFile(api, 2000, seed, 'ndjson'), 2000, `${api} ndjson seed ${seed}`);
  }
});

test('generated CSV read back through the input reader (dotted headers, JSON cells, fromCsv) validates 100%', async () => {
  for (const api of generatedApis()) {
    for (const seed of SEEDS) assertClean(await judgeGeneratedFile(api, 2000, seed, 'csv'), 2000, `${api} csv seed ${seed}`);
  }
});

test('the same seed gives byte-identical output and another seed gives other records', async () => {
  for (const api of generatedApis()) {
    for (const format of ['ndjson', 'csv'] as const) {
      const first = await generateText(api, 1500, 7, format);
      const again = await generateText(api, 1500, 7, format);
      const other = await generateText(api, 1500, 8, format);
      assert.equal(again, first, `${api} ${format}: same seed`);
      assert.notEqual(other, first, `${api} ${format}: other seed`);
      const lines = first.split('\n');
      assert.equal(lines.pop(), '', `${api} ${format}: output ends with a newline`);
      assert.equal(lines.length, format === 'csv' ? 1501 : 1500, `${api} ${format}: one line per record (plus the CSV header)`);
    }
  }
});

test('10,000 stat records use every aid of the feature table, with v, game_id and game_v exactly where the aid carries them', () => {
  const seen = new Set<number>();
  const uids = new Set<string>();
  const appIds = new Set<number>();
  let lastTs = 0;
  for (const r of records('stat', 10_000, 3)) {
    const aid = r.aid as number;
    const feature = FEATURES.get(aid);
    assert.ok(feature, `aid ${aid} is in the table`);
    seen.add(aid);
    uids.add(r.uid as string);
    appIds.add(r.app_id as number);
    assert.equal('v' in r, feature.v !== undefined, `v on aid ${aid}`);
    if (feature.v !== undefined) assert.ok(Number.isInteger(r.v), `v of aid ${aid} is an integer`);
    assert.equal('game_id' in r && 'game_v' in r, feature.game, `game_id/game_v on aid ${aid}`);
    const ts = r.ts as number;
    assert.ok(ts >= lastTs, 'ts never goes back');
    lastTs = ts;
  }
  assert.deepEqual([...seen].sort(), [...FEATURES.keys()].sort(), 'every aid appears');
  assert.ok(uids.size >= 200 && uids.size <= 1000, `a few hundred distinct uids (got ${uids.size})`);
  assert.ok(appIds.size >= 3 && appIds.size <= 10, `a handful of app_ids (got ${appIds.size})`);
  const first = records('stat', 1, 3)[0]!.ts as number;
  assert.ok(first >= BASE_EPOCH_SECONDS && first < BASE_EPOCH_SECONDS + 61 * 86_400, 'ts starts in early 2026, whatever the wall clock');
});

test('stat play times (2003) and target game ids (2017) vary', () => {
  const playTimes = new Set<unknown>();
  const targets = new Set<unknown>();
  for (const r of records('stat', 10_000, 11)) {
    if (r.aid === 2003) playTimes.add(r.v);
    if (r.aid === 2017) targets.add(r.v);
  }
  assert.ok(playTimes.size > 20, `play times vary (${playTimes.size})`);
  assert.ok(targets.size > 3, `target game ids vary (${targets.size})`);
});

test('SUD rounds: a game_start then the game_settle of the same round, unique round ids, int64 mg_id, AI players, shared ranks on a draw', () => {
  const started = new Map<string, JsonObject>();
  const settled = new Set<string>();
  let aiPlayers = 0;
  let draws = 0;
  for (const r of records('sud', 5000, 5)) {
    const msg = r.report_msg as JsonObject;
    const round = msg.game_round_id as string;
    assert.equal(typeof msg.mg_id, 'bigint', 'mg_id is past 2^53, kept exact');
    assert.ok((msg.mg_id as bigint) > 2n ** 53n);
    assert.equal(msg.mg_id_str, (msg.mg_id as bigint).toString());
    if (r.report_type === 'game_start') {
      assert.ok(!started.has(round), `round ${round} starts once`);
      started.set(round, msg);
      const players = msg.players as JsonObject[];
      assert.ok(players.some((p) => p.uid === r.uid && p.is_ai === 0), 'the leader is a human player of the round');
      for (const p of players) if (p.is_ai === 1) {
        aiPlayers++;
        assert.ok([0, 1, 2, 3].includes(p.ai_level as number), 'AI players carry ai_level');
      }
    } else {
      assert.equal(r.report_type, 'game_settle');
      const start = started.get(round);
      assert.ok(start, `settle of ${round} comes after its start`);
      assert.ok(!settled.has(round), `round ${round} settles once`);
      settled.add(round);
      assert.equal(msg.battle_start_at, start.battle_start_at);
      assert.equal(msg.battle_duration, (msg.battle_end_at as number) - (msg.battle_start_at as number));
      const results = msg.results as JsonObject[];
      assert.equal(results.length, (start.players as unknown[]).length, 'every player has a result');
      assert.equal(results[0]!.rank, 1, 'ranks start at 1');
      if (results[1]!.rank === 1) draws++;
    }
  }
  assert.equal(settled.size, started.size, 'every round started is settled within the count');
  assert.ok(started.size >= 2000, 'about half are starts');
  assert.ok(aiPlayers > 100, `AI players appear (${aiPlayers})`);
  assert.ok(draws > 10, `draws appear (${draws})`);
});

test('download: both endpoints, successes and failures with consistent errorCode/errorMsg and file sizes, some Chinese messages', () => {
  const tally = new Map<string, number>();
  let chinese = 0;
  for (const r of records('download', 5000, 9)) {
    const endpoint = r._api as string;
    const ok = r.errorCode === '0';
    tally.set(`${endpoint} ${ok ? 'ok' : 'failed'}`, (tally.get(`${endpoint} ${ok ? 'ok' : 'failed'}`) ?? 0) + 1);
    if (ok) assert.ok(r.errorMsg === undefined, 'no error message on success');
    else assert.ok(typeof r.errorMsg === 'string' && r.errorMsg !== '', 'a failure says why');
    if (typeof r.errorMsg === 'string' && /[\u4e00-\u9fff]/.test(r.errorMsg)) chinese++;
    if (endpoint === 'download.downloadEvent') {
      assert.equal(r.resultCode, ok ? 0 : 1);
      if (ok) assert.equal(r.filesize, r.totalfilesize);
      else assert.ok((r.filesize as number) <= (r.totalfilesize as number));
      assert.match(r.begintime as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    } else {
      assert.equal(r.updateType !== undefined, r.resultCode === 1, 'updateType exactly when an update is offered');
    }
  }
  for (const key of ['download.checkAppUpdate ok', 'download.checkAppUpdate failed', 'download.downloadEvent ok', 'download.downloadEvent failed']) {
    assert.ok((tally.get(key) ?? 0) > 20, `${key}: ${tally.get(key) ?? 0}`);
  }
  assert.ok(chinese > 20, `Chinese error messages appear (${chinese})`);
});

test('CSV cells are quoted when they hold commas, quotes or line breaks, and nested fields come from dotted columns', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell(12345678901234567890n), '12345678901234567890');
  assert.equal(csvCell(undefined), '');
  const rows = new CsvRows(['a', 'msg.id', 'msg.list', 'missing']);
  assert.equal(rows.header, 'a,msg.id,msg.list,missing');
  assert.equal(rows.row({ a: 'x', msg: { id: 2n ** 60n, list: [{ u: 'p,q' }] } }), `x,${2n ** 60n},"[{""u"":""p,q""}]",`);
});

test('count 0 writes nothing for NDJSON and only the header for CSV', async () => {
  assert.equal(await generateText('stat', 0, 1, 'ndjson'), '');
  assert.equal(await generateText('sud', 0, 1, 'csv').then((t) => t.split('\n').length), 2);
});

test('the writer waits for drain: a slow reader never has more than about one chunk buffered', async () => {
  let maxBuffered = 0;
  let text = '';
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
      text += chunk.toString('utf8');
      setImmediate(done);
    },
  });
  const summary = await writeRecords(generateRecords('stat', 20_000, 4), { format: 'ndjson', columns: [] }, slow);
  assert.deepEqual(summary, { records: 20_000, complete: true });
  assert.equal(text, await generateText('stat', 20_000, 4, 'ndjson'), 'nothing lost or reordered');
  assert.ok(text.length > 1_000_000, 'the output is far larger than what may be buffered');
  // One 64 KiB chunk (plus the line that crossed the mark) is written before waiting for drain.
  assert.ok(maxBuffered <= 2 * 64 * 1024, `buffered at most about one chunk (saw ${maxBuffered} bytes)`);
});

test('a reader that goes away (EPIPE) ends the output quietly; another write error is an I/O error', async () => {
  const failing = (code: string) =>
    new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error(`write ${code}`), { code }));
      },
    });
  const piped = await writeRecords(generateRecords('stat', 100_000, 1), { format: 'ndjson', columns: [] }, failing('EPIPE'));
  assert.equal(piped.complete, false);
  assert.ok(piped.records < 100_000, 'generation stopped early');
  await assert.rejects(
    writeRecords(generateRecords('stat', 100_000, 1), { format: 'ndjson', columns: [] }, failing('EIO')),
    (err: unknown) => err instanceof UserError && /cannot write the output.*EIO/.test(err.message),
  );
});

test('bad generate flags are usage errors with one-line messages', () => {
  const base: GenerateArgs = { api: 'stat', count: 10, format: 'ndjson', debug: false, quiet: false };
  assert.deepEqual(generateOptions(base), { api: 'stat', count: 10, format: 'ndjson', seed: 1 });
  assert.equal(generateOptions({ ...base, count: '1_000_000' }).count, 1_000_000);
  assert.equal(generateOptions({ ...base, count: '1e6', seed: '42' }).count, 1_000_000);
  assert.equal(generateOptions({ ...base, seed: '42' }).seed, 42);
  const bad: [Partial<GenerateArgs>, RegExp][] = [
    [{ api: undefined }, /--api is required/],
    [{ api: 'stats' }, /--api must be one of sud, stat, download, not "stats"/],
    [{ count: undefined }, /--count is required/],
    [{ count: -1 }, /--count must be a whole number/],
    [{ count: 2.5 }, /--count must be a whole number/],
    [{ count: Number.NaN }, /--count must be a whole number/],
    [{ format: 'xml' }, /--format must be ndjson or csv/],
    [{ count: 'abc' }, /--count must be a whole number of 0 or more, not "abc"/],
    [{ count: '' }, /--count must be a whole number/],
    [{ seed: -3 }, /--seed must be a whole number/],
    [{ seed: '1.5' }, /--seed must be a whole number of 0 or more, not "1.5"/],
  ];
  for (const [change, message] of bad) {
    assert.throws(
      () => generateOptions({ ...base, ...change }),
      (err: unknown) => err instanceof UsageError && message.test(err.message) && !err.message.includes('\n'),
      JSON.stringify(change),
    );
  }
});
