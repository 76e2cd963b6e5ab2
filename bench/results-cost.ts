/**
 * `node dist/bench/results-cost.js`: what `--results FILE` costs the engine flat out, as CPU
 * time per request of the replay process (`process.cpuUsage`; the target runs in its own
 * process), which stays steady on a shared machine where wall-clock rates swing by half
 * between rounds. The engine runs alternately without and with --results (ABAB…) on the
 * same file of stat envelopes against the same bare target, 64 in flight; each pair's
 * ratio is without/with, i.e. the speed with results as a share of the speed without
 * (docs/BENCHMARKS.md). `BENCH_RESULTS_REQUESTS` (default 60,000), `BENCH_RESULTS_ROUNDS` (6).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { ResultsTap } from '../src/results/tap.js';
import { ResultsWriter } from '../src/results/writer.js';
import { benchOptions, fmt, printTable, quietIo, startBareTarget, writeStatEnvelopes } from './replay-kit.js';

const REQUESTS = Number(process.env.BENCH_RESULTS_REQUESTS ?? 60_000);
const ROUNDS = Number(process.env.BENCH_RESULTS_ROUNDS ?? 6);
const TRANSPORT = (process.env.BENCH_RESULTS_TRANSPORT ?? 'undici') as 'undici' | 'got';

async function cpuPerRequest(url: string, file: string, resultsFile: string | undefined): Promise<number> {
  const stats = new RunStats('replay', 1);
  const writer = resultsFile === undefined ? undefined : new ResultsWriter(resultsFile, process.stdout);
  const tap = writer ? new ResultsTap([writer.write]) : undefined;
  const observer = tap ? { attempt: tap.attempt.bind(tap), settled: tap.settled.bind(tap) } : {};
  const options = await benchOptions([file], url, { transport: TRANSPORT, concurrency: 64 });
  const before = process.cpuUsage();
  await runReplay(options, quietIo(), stats, observer);
  tap?.flush();
  writer?.close();
  const used = process.cpuUsage(before);
  if (stats.totals().requests !== REQUESTS || (writer && writer.lines !== REQUESTS)) throw new Error('the benchmark is broken: not every request was sent or written');
  return (used.user + used.system) / REQUESTS;
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-results-'));
const target = await startBareTarget({});
try {
  const file = path.join(dir, 'stat.ndjson');
  const results = path.join(dir, 'results.ndjson');
  await writeStatEnvelopes(file, REQUESTS);
  await cpuPerRequest(target.url, file, results); // warm-up, unmeasured
  const without: number[] = [];
  const withResults: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    without.push(await cpuPerRequest(target.url, file, undefined));
    withResults.push(await cpuPerRequest(target.url, file, results));
  }
  const ratios = without.map((w, i) => w / withResults[i]!);
  console.log(`${TRANSPORT}, ${fmt(REQUESTS)} requests per run, ${ROUNDS} pairs; results file ${fmt((await stat(results)).size / REQUESTS)} bytes per line`);
  printTable(
    ['engine', 'CPU µs/request (median)', 'rounds'],
    [
      ['without --results', fmt(median(without), 2), without.map((v) => fmt(v, 1)).join(' ')],
      ['with --results', fmt(median(withResults), 2), withResults.map((v) => fmt(v, 1)).join(' ')],
    ],
  );
  console.log(`speed with --results as a share of without: median ${fmt(median(ratios), 3)} (pairs ${fmt(Math.min(...ratios), 3)}–${fmt(Math.max(...ratios), 3)}); goal ≥ 0.90`);
} finally {
  await target.stop();
  await rm(dir, { recursive: true, force: true });
}
