/**
 * rss: peak resident memory of `report-replay replay` over a generated 1,000,000-record
 * file (stat events, SUD reports and download events: batched and unbatched requests, and
 * SUD's duplicate-key set), sending flat out with --transport undici to a bare node:http
 * target in a child process. The replay runs in its own child; its peak RSS is
 * `process.resourceUsage().maxRSS`, printed at exit by a preloaded hook (bench/child.ts),
 * so nothing in the measured code changes. Goal: under 200 MB, i.e. flat in the input size.
 *
 * Baselines, same run: an empty node process, and `report-replay validate` over the same
 * file (the same reading and judging, nothing sent). `BENCH_RSS_RECORDS` changes the count.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureNode, type ChildMeasure } from './child.js';
import { defaultReplayWorkers } from '../src/workers/defaults.js';
import { fmt, printTable, STAT_SECRET, STAT_SESSION_KEY, startBareTarget, writeGenerated } from './replay-kit.js';

const RECORDS = Number(process.env.BENCH_RSS_RECORDS ?? 1_000_000);
const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));
/** Bounds the replay: far more than it needs on a quiet machine, so a hang fails instead of hanging. */
const LIMIT_MS = 10 * 60_000;

function withLimit(run: Promise<ChildMeasure>, what: string): Promise<ChildMeasure> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${LIMIT_MS / 1000} s`)), LIMIT_MS)));
  return Promise.race([run, limit]).finally(() => clearTimeout(timer));
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-rss-'));
  const target = await startBareTarget();
  try {
    const file = path.join(dir, 'million.ndjson');
    const sud = Math.round(RECORDS * 0.2);
    const download = Math.round(RECORDS * 0.2);
    await writeGenerated(file, [
      { api: 'stat', count: RECORDS - sud - download },
      { api: 'sud', count: sud },
      { api: 'download', count: download },
    ]);
    const size = (await stat(file)).size;
    console.log(`${fmt(RECORDS)} records (${fmt(size / 2 ** 20)} MB NDJSON: 60% stat events, 20% SUD, 20% download); peak RSS of the child process`);

    const empty = await measureNode(['-e', '0']);
    const validate = await withLimit(measureNode([CLI, 'validate', file, '--quiet']), 'validate');
    const replayWith = async (extra: string[]): Promise<ChildMeasure> => {
      const args = [CLI, 'replay', file, '--target', target.url, '--stat-secret', STAT_SECRET, '--stat-session-key', STAT_SESSION_KEY, '--transport', 'undici', '--quiet', '--retries', '0', ...extra];
      const run = await withLimit(measureNode(args), 'replay');
      if (run.code !== 0) throw new Error(`replay exited ${run.code}: ${run.stderr.slice(0, 500)}`);
      return run;
    };
    const replay = await replayWith([]);
    // What one worker thread adds (README "Worker threads"), whatever the default is here.
    const threaded = await replayWith(['--workers', '1']);
    const row = (name: string, m: ChildMeasure): string[] => [name, fmt(m.maxRssMb, 1), fmt(m.ms / 1000, 1), fmt(RECORDS / (m.ms / 1000))];
    printTable(
      ['process', 'peak RSS MB', 'seconds', 'records/s'],
      [
        ['node -e 0 (baseline)', fmt(empty.maxRssMb, 1), fmt(empty.ms / 1000, 1), '-'],
        row('report-replay validate (baseline)', validate),
        row(`report-replay replay --transport undici (default --workers here: ${defaultReplayWorkers([target.url])})`, replay),
        row('report-replay replay --transport undici --workers 1', threaded),
      ],
    );
    console.log(`goal: replay peak RSS < 200 MB (${replay.maxRssMb < 200 ? 'met' : 'NOT met'}); with one worker thread ${fmt(threaded.maxRssMb, 1)} MB`);
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
