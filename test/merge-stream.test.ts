/**
 * `merge` streams its inputs: a report file is never held whole, the parts merge does not
 * use are never built, and a file that is not a report stops at its first wrong character.
 */
import { judge } from './helpers/stats.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { JsonStreamError, readJsonValue } from '../src/json/stream.js';
import { RunStats } from '../src/report/stats.js';
import { buildReport, reportJson } from '../src/report/report.js';

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

test('one JSON value, read from chunks split anywhere, the same as JSON.parse', async () => {
  const text = JSON.stringify({ a: [1, -2.5e3, true, false, null], 'k\u00e9y': 'v\\"\n\u4e2d\ud83d\ude00', nested: { e: [], o: {} } });
  for (let size = 1; size <= 7; size++) {
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
    assert.deepEqual(await readJsonValue(chunks(...parts)), JSON.parse(text), `chunks of ${size}`);
  }
  assert.deepEqual(await readJsonValue(chunks('"\\u00e9\\u4e2d"')), 'é中');
});

test('what the caller does not keep is parsed but not built', async () => {
  const value = await readJsonValue(chunks('{"keep":{"a":1},"skip":{"huge":"', 'x'.repeat(1000), '"},"list":[0,1,2,3]}'), (p) => p[0] !== 'skip' && !(p[0] === 'list' && (p[1] as number) >= 2));
  assert.deepEqual(value, { keep: { a: 1 }, list: [0, 1] });
});

test('a syntax error, or text after the value, stops reading at once', async () => {
  let pulled = 0;
  async function* log(): AsyncGenerator<string> {
    pulled++;
    yield '{"aid":1000,"uid":"u1"}\n{"aid":1001';
    pulled++;
    throw new Error('read past the first chunk');
  }
  await assert.rejects(readJsonValue(log()), (err: unknown) => err instanceof JsonStreamError && /more than one JSON value/.test(err.message));
  assert.equal(pulled, 1, 'the second chunk was never asked for');
  for (const bad of ['{"a" 1}', '[1,]', '{"a":tru}', '"open', '', '{"a":1}}', '01']) {
    await assert.rejects(readJsonValue(chunks(bad)), JsonStreamError, bad);
  }
});

test('merge reads a report far larger than its memory allows: what it does not use is passed over', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-merge-stream-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const stats = new RunStats('validate', 3);
  judge(stats, 'stat.push_data', 10, true);
  stats.finish();
  const report = reportJson(buildReport(stats, { exitCode: 0 }));
  // 96 MB of a field merge does not read (a future field, a huge note): more than the 48 MB heap the child gets.
  const big = path.join(dir, 'big.json');
  const out = createWriteStream(big);
  out.write('{"padding":"');
  const block = 'p'.repeat(1024 * 1024);
  for (let i = 0; i < 96; i++) if (!out.write(block)) await once(out, 'drain');
  out.end('",' + report.slice(1));
  await once(out, 'close');
  const small = path.join(dir, 'small.json');
  await writeFile(small, report);
  const r = await runCli(['merge', big, small, '--json'], { env: { NODE_OPTIONS: '--max-old-space-size=48' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { totals: { records: number } }).totals.records, 20);
});
