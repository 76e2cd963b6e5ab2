/**
 * validate: 1,000,000 generated records per API (stat events, SUD reports, download events)
 * through `report-replay validate` (the built CLI, a child process) with `--workers 0, 1, 2,
 * 4` and the default, each next to a bare single-thread readline + JSON.parse loop over the
 * same file in the same round. Goals (issue 12): with default workers ≥ 100% of the bare
 * loop for each API, ≥ 55% with --workers 0; peak RSS < 250 MB with workers. Rounds
 * interleave the runs, so a load that comes and goes hits every row alike; each row shows
 * its best time and the ratio of each round. The benchmark is the same on any machine:
 * more cores, more threads by default (availableParallelism() − 1 workers).
 *
 * BENCH_VALIDATE_COUNT, BENCH_VALIDATE_ROUNDS, BENCH_VALIDATE_APIS (e.g. `sud,stat`) narrow it.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, measureNode, type ChildMeasure } from './child.js';
import { writeGenerated } from './replay-kit.js';

const COUNT = Number(process.env.BENCH_VALIDATE_COUNT ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_VALIDATE_ROUNDS ?? 2);
const APIS = (process.env.BENCH_VALIDATE_APIS ?? 'stat,sud,download').split(',') as Api[];
const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));
const DEFAULT_WORKERS = Math.max(1, availableParallelism() - 1);
const WORKERS = [...new Set([0, 1, 2, 4, DEFAULT_WORKERS])].sort((a, b) => a - b);

type Api = 'stat' | 'sud' | 'download';

const AIDS = [1000, 1001, 1002, 1003, 2001, 2002, 2003, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 3001, 3002, 3011, 3012, 3013, 3014, 3021, 3022];
const G = new Set(AIDS.filter((a) => a >= 1003));
const V: Record<number, () => number> = { 1003: () => 7, 2003: () => 120, 2017: () => 42 };

async function writeStatFile(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const aid = AIDS[i % AIDS.length]!;
    const event: Record<string, unknown> = { aid, uid: `dev-${(i * 7919) % 5000}`, app_id: 15154545 + (i % 3) };
    if (G.has(aid)) Object.assign(event, { game_id: 12 + (i % 40), game_v: '7.8.8' });
    if (V[aid]) event.v = V[aid]();
    chunk += JSON.stringify(event) + '\n';
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const BARE = `
const rl = require('readline').createInterface({ input: require('fs').createReadStream(process.argv[1]), crlfDelay: Infinity });
let n = 0, bad = 0;
rl.on('line', (l) => { if (!l) return; try { JSON.parse(l); n++; } catch { bad++; } });
rl.on('close', () => console.log(n));
`;

interface Row {
  readonly name: string;
  readonly workers: number | undefined;
  readonly runs: ChildMeasure[];
  /** This row's time / the bare loop's time, per round. */
  readonly ratios: number[];
}

async function benchApi(api: Api, file: string): Promise<void> {
  const mb = statSync(file).size / 1e6;
  console.log(`\n${api}: ${fmt(COUNT)} records, ${fmt(mb, 1)} MB; ${ROUNDS} rounds; ${availableParallelism()} cores, default --workers ${DEFAULT_WORKERS}`);
  const bare: Row = { name: 'bare readline + JSON.parse', workers: undefined, runs: [], ratios: [] };
  const rows: Row[] = WORKERS.map((w) => ({ name: `validate --workers ${w}${w === DEFAULT_WORKERS ? ' (default)' : ''}`, workers: w, runs: [], ratios: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    const base = await measureNode(['-e', BARE, file]);
    bare.runs.push(base);
    for (const row of rows) {
      const run = await measureNode([CLI, 'validate', file, '--api', api, '--quiet', '--workers', String(row.workers)]);
      if (run.code !== 0) throw new Error(`validate --workers ${row.workers} exited ${run.code}: ${run.stderr.slice(0, 500)}`);
      row.runs.push(run);
      row.ratios.push(base.ms / run.ms);
    }
  }
  console.log(`| ${api} | best time | records/s | peak RSS | speed vs bare loop, each round |`);
  console.log('|---|---|---|---|---|');
  for (const row of [bare, ...rows]) {
    const best = [...row.runs].sort((a, b) => a.ms - b.ms)[0]!;
    const rss = Math.max(...row.runs.map((r) => r.maxRssMb));
    const ratios = row.workers === undefined ? 'baseline' : row.ratios.map((r) => `${fmt(r * 100)}%`).join(' ');
    console.log(`| ${row.name} | ${fmt(best.ms / 1000, 2)} s | ${fmt(COUNT / (best.ms / 1000))} | ${fmt(rss)} MB | ${ratios} |`);
  }
  // Each row's best time against the bare loop's best: a load that came and went in one round
  // (which the per-round ratios show) flatters no row.
  const bestTime = (row: Row) => Math.min(...row.runs.map((r) => r.ms));
  const bestRatio = (row: Row) => bestTime(bare) / bestTime(row);
  const single = rows.find((r) => r.workers === 0)!;
  const dflt = rows.find((r) => r.workers === DEFAULT_WORKERS)!;
  const dfltRss = Math.max(...dflt.runs.map((r) => r.maxRssMb));
  console.log(
    `${api}: default workers ${fmt(bestRatio(dflt) * 100)}% of the bare loop (goal ≥ 100%), --workers 0 ${fmt(bestRatio(single) * 100)}% (goal ≥ 55%), ` +
      `peak RSS with workers ${fmt(dfltRss)} MB (goal < 250 MB); best time against the bare loop's best`,
  );
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-validate-'));
  try {
    for (const api of APIS) {
      const file = join(dir, `${api}.ndjson`);
      if (api === 'stat') await writeStatFile(file, COUNT);
      else await writeGenerated(file, [{ api, count: COUNT }]);
      await benchApi(api, file);
      rmSync(file, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
