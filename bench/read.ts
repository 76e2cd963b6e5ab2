/**
 * Reader throughput: `readRecords` next to the bare loops it must keep up with (docs/BENCHMARKS.md § Measured before building),
 * over the same generated file in the temp folder (deleted afterwards). Each pipeline runs
 * twice and the faster run counts, so a cold page cache does not decide the result.
 *
 *   node dist/bench/read.js [lines]      (default 1,000,000 NDJSON lines, 500,000 CSV rows)
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Parser } from 'csv-parse';
import { readRecords } from '../src/input/read.js';
import type { InputSource } from '../src/input/sources.js';

function statEvent(i: number): Record<string, unknown> {
  return { _api: 'stat', aid: 2002, uid: `u${i % 5000}`, app_id: 1001, game_id: 7 + (i % 30), game_v: `1.2.${i % 9}`, ts: 1700000000 + i };
}

async function writeLines(file: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  let text = '';
  for (let i = 0; i < count; i++) {
    text += line(i);
    if (text.length > 1 << 20) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
}

async function bestOf(runs: number, work: () => Promise<number>): Promise<{ count: number; perSecond: number }> {
  let best = 0;
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    count = await work();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, count / seconds);
  }
  return { count, perSecond: best };
}

async function bareReadline(file: string): Promise<number> {
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line !== '') {
      JSON.parse(line);
      count++;
    }
  }
  return count;
}

async function bareSplit(file: string): Promise<number> {
  let count = 0;
  let pending: Buffer | undefined;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let pos = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, pos)) {
      const line = pending ? Buffer.concat([pending, chunk.subarray(0, nl)]).toString() : chunk.toString('utf8', pos, nl);
      pending = undefined;
      pos = nl + 1;
      if (line !== '') {
        JSON.parse(line);
        count++;
      }
    }
    pending = pos < chunk.length ? chunk.subarray(pos) : undefined;
  }
  return count;
}

async function bareCsvParse(file: string): Promise<number> {
  let count = 0;
  for await (const _row of createReadStream(file).pipe(new Parser({ columns: true }))) count++;
  return count;
}

async function reader(source: InputSource): Promise<number> {
  let count = 0;
  for await (const batch of readRecords([source])) count += batch.length;
  return count;
}

function row(name: string, result: { count: number; perSecond: number }, base?: number): string {
  const relative = base === undefined ? '' : `  ${((result.perSecond / base) * 100).toFixed(0)}% of the first`;
  return `  ${name.padEnd(34)} ${Math.round(result.perSecond / 1000).toString().padStart(6)} k/s  (${result.count} records)${relative}`;
}

export async function run(): Promise<void> {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const rows = Math.round(lines / 2);
  const dir = await mkdtemp(path.join(tmpdir(), 'report-replay-bench-read-'));
  try {
    const ndjson = path.join(dir, 'events.ndjson');
    await writeLines(ndjson, lines, (i) => `${JSON.stringify(statEvent(i))}\n`);
    console.log(`NDJSON, ${lines} stat event lines:`);
    const readline = await bestOf(2, () => bareReadline(ndjson));
    console.log(row('readline + JSON.parse', readline));
    console.log(row('Buffer split + JSON.parse', await bestOf(2, () => bareSplit(ndjson)), readline.perSecond));
    const source: InputSource = { name: ndjson, path: ndjson, format: 'ndjson', gzip: false };
    console.log(row('readRecords', await bestOf(2, () => reader(source)), readline.perSecond));

    const csv = path.join(dir, 'events.csv');
    const header = Object.keys(statEvent(0));
    await writeLines(csv, rows + 1, (i) => `${i === 0 ? header.join(',') : Object.values(statEvent(i)).join(',')}\n`);
    console.log(`CSV, ${rows} rows of the same events:`);
    const bare = await bestOf(2, () => bareCsvParse(csv));
    console.log(row('csv-parse stream, columns: true', bare));
    console.log(row('readRecords', await bestOf(2, () => reader({ name: csv, path: csv, format: 'csv', gzip: false })), bare.perSecond));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
