/**
 * validate: 1,000,000 generated stat events through `report-replay validate` (the built
 * CLI, a child process), next to a bare readline + JSON.parse loop over the same file in
 * the same run. Goal (issue 2): ≥ 50% of the bare loop's speed, peak RSS < 150 MB.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, measureNode } from './child.js';

const COUNT = Number(process.env.BENCH_VALIDATE_COUNT ?? 1_000_000);
const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));
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

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-validate-'));
  const file = join(dir, 'stat.ndjson');
  try {
    await writeStatFile(file, COUNT);
    const mb = statSync(file).size / 1e6;
    console.log(`${fmt(COUNT)} stat events, ${fmt(mb, 1)} MB`);
    const rows: { name: string; ms: number; rss: number }[] = [];
    for (let round = 0; round < 2; round++) {
      const bare = await measureNode(['-e', BARE, file]);
      const ours = await measureNode([CLI, 'validate', file, '--api', 'stat', '--quiet']);
      if (ours.code !== 0) throw new Error(`validate exited ${ours.code}: ${ours.stderr.slice(0, 500)}`);
      rows.push({ name: 'bare readline + JSON.parse', ms: bare.ms, rss: bare.maxRssMb }, { name: 'report-replay validate', ms: ours.ms, rss: ours.maxRssMb });
    }
    const best = (name: string) => rows.filter((r) => r.name === name).sort((a, b) => a.ms - b.ms)[0]!;
    const bare = best('bare readline + JSON.parse');
    const ours = best('report-replay validate');
    for (const r of [bare, ours]) {
      console.log(`${r.name.padEnd(28)} ${fmt(r.ms / 1000, 2).padStart(6)} s  ${fmt(COUNT / (r.ms / 1000)).padStart(9)} records/s  peak RSS ${fmt(r.rss)} MB`);
    }
    const ratio = bare.ms / ours.ms;
    console.log(`validate speed = ${fmt(ratio * 100)}% of the bare loop (goal ≥ 50%); peak RSS ${fmt(ours.rss)} MB (goal < 150 MB)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
