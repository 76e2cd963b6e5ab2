/**
 * generate: 10,000,000 stat records from `report-replay generate` (the built CLI, a child
 * process) into /dev/null, next to a bare loop in the same run that writes the same
 * number of one fixed JSON line, chunked the same way. Figures: records/s, and the
 * child's peak RSS (process.resourceUsage().maxRSS, printed at exit by a preloaded hook),
 * which must stay flat whatever the count.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COUNT = Number(process.env.BENCH_GENERATE_COUNT ?? 10_000_000);
const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));

/** The same number of lines, one fixed stat event, in 64 KiB chunks: the floor of writing. */
const BARE = `
const line = JSON.stringify({ uid: '66873ECD51CA', app_id: 10001, ts: 1768176000, aid: 2003, game_id: 12, game_v: '7.8.8', v: 120 }) + '\\n';
const count = Number(process.argv[1]);
let chunk = '';
for (let i = 0; i < count; i++) {
  chunk += line;
  if (chunk.length >= 65536) { process.stdout.write(chunk); chunk = ''; }
}
process.stdout.write(chunk);
`;

const HOOK = "process.on('exit', () => { require('fs').writeSync(2, '\\nMAXRSS_KB=' + process.resourceUsage().maxRSS + '\\n'); });\n";

interface Measure {
  readonly ms: number;
  readonly maxRssMb: number;
}

/** Run node with `args`, stdout to /dev/null; wall time and the child's peak RSS. */
function measure(hook: string, args: readonly string[]): Promise<Measure> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', hook, ...args], { stdio: ['ignore', devNull, 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`child exited ${code}: ${stderr.slice(0, 500)}`));
      const m = /MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, maxRssMb: m ? Number(m[1]) / 1024 : NaN });
    });
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-bench-generate-'));
  const hook = join(dir, 'rss-hook.cjs');
  writeFileSync(hook, HOOK);
  try {
    console.log(`${fmt(COUNT)} stat records to /dev/null, best of 2 rounds`);
    const rows: { name: string; ms: number; rss: number }[] = [];
    for (let round = 0; round < 2; round++) {
      const bare = await measure(hook, ['-e', BARE, String(COUNT)]);
      const ours = await measure(hook, [CLI, 'generate', '--api', 'stat', '--count', String(COUNT), '--seed', String(round + 1)]);
      rows.push({ name: 'bare loop, one fixed line', ms: bare.ms, rss: bare.maxRssMb }, { name: 'report-replay generate --api stat', ms: ours.ms, rss: ours.maxRssMb });
    }
    const best = (name: string) => rows.filter((r) => r.name === name).sort((a, b) => a.ms - b.ms)[0]!;
    const bare = best('bare loop, one fixed line');
    const ours = best('report-replay generate --api stat');
    for (const r of [bare, ours]) {
      console.log(`${r.name.padEnd(36)} ${fmt(r.ms / 1000, 2).padStart(7)} s  ${fmt(COUNT / (r.ms / 1000)).padStart(11)} records/s  peak RSS ${fmt(r.rss, 1)} MB`);
    }
    console.log(`generate runs at ${fmt((bare.ms / ours.ms) * 100, 1)}% of the bare loop's speed; peak RSS ${fmt(ours.rss, 1)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
