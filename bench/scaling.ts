/**
 * scaling: `replay --workers N` (README "Worker threads") and `replay --processes N`
 * (docs/scaling-out.md "One machine"), flat out against the same
 * minimal target as `throughput` (a bare node:http server in a child process), next to
 * autocannon with the same 64 connections, in the same run. Every sender is the built CLI
 * in its own process (autocannon excepted), so N = 1 is measured the same way as N = 2, 4:
 * `replay FILE --transport undici --concurrency 64 --workers W` (with `--processes N`: each
 * shard with `--workers 0`, as shards never use threads). Rates are counted on the target's
 * clock (first to last arrival).
 *
 * Nothing here knows the machine: the same benchmark on a bigger machine shows what more
 * cores give. On this project's 2-core machine the target itself takes one core, so the
 * table is a floor. `BENCH_SCALING_SCALE` scales the loads, `BENCH_SCALING_ROUNDS`
 * (default 3) the rounds (interleaved; the median round counts), `BENCH_SCALING_WORKERS` the
 * W measured (default 0,1,2,4; threads start only on inputs of 4 MiB or more, which the
 * default scale's 100,000 envelopes are), `BENCH_SCALING_PROCESSES` the N (default 2,4; 1 is
 * `--workers 0`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { worthThreads } from '../src/workers/units.js';
import { defaultReplayWorkers } from '../src/workers/defaults.js';
import { arrivalRate, fixedStatPath, fmt, printTable, STAT_SECRET, STAT_SESSION_KEY, startBareTarget, writeStatEnvelopes, type BareTarget } from './replay-kit.js';

const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));
const SCALE = Number(process.env.BENCH_SCALING_SCALE ?? 1);
const CONNECTIONS = 64;
const AUTOCANNON_SECONDS = Math.max(1, Math.round(5 * SCALE));
const REQUESTS = Math.round(100_000 * SCALE);
const ROUNDS = Math.max(1, Number(process.env.BENCH_SCALING_ROUNDS ?? 3));
const WORKERS = (process.env.BENCH_SCALING_WORKERS ?? '0,1,2,4').split(',').map(Number);
const PROCESSES = (process.env.BENCH_SCALING_PROCESSES ?? '2,4').split(',').map(Number);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** The built CLI, flat out with `flags` (`--workers W` or `--processes N`); fails the benchmark unless every request went. */
function cliRun(target: BareTarget, file: string, flags: readonly string[]): Promise<void> {
  const args = [CLI, 'replay', file, '--target', target.url, '--stat-secret', STAT_SECRET, '--stat-session-key', STAT_SESSION_KEY, '--transport', 'undici', '--concurrency', String(CONNECTIONS), ...flags, '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const succeeded = code === 0 ? (JSON.parse(stdout) as { totals: { succeeded: number } }).totals.succeeded : -1;
      if (succeeded !== REQUESTS) reject(new Error(`replay ${flags.join(' ')} exited ${code}, ${succeeded} of ${REQUESTS} delivered: the benchmark is broken\n${stderr}`));
      else resolve();
    });
  });
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-scaling-'));
  const target = await startBareTarget({ trackArrivals: true });
  try {
    const file = path.join(dir, 'stat.ndjson');
    await writeStatEnvelopes(file, REQUESTS);
    // Below this size a run starts no thread (README "Worker threads"): the workers rows would all be --workers 0.
    if (!worthThreads((await stat(file)).size, {})) console.log('note: the input is under 4 MiB, so every --workers row runs on one thread: raise BENCH_SCALING_SCALE');
    console.log(`load average (1/5/15 min) at the start: ${loadavg().map((l) => fmt(l, 2)).join(' / ')}`);
    console.log(`${CONNECTIONS} connections/in flight in all (split among the processes); target: bare node:http in a child process; rates on the target's clock`);
    console.log(`the built CLI, ${fmt(REQUESTS)} stat envelopes (read, validated, signed each); ${ROUNDS} rounds interleaved after an unmeasured warm-up; the median round counts`);
    await autocannon({ url: target.url + fixedStatPath(), connections: CONNECTIONS, duration: 1, method: 'POST' });
    await target.arrivals();
    // What a replay without --workers would start here, against this (local) target.
    const defaultHere = defaultReplayWorkers([target.url]);
    const senders = [
      { name: `autocannon -c ${CONNECTIONS}, fixed request, ${AUTOCANNON_SECONDS} s`, go: () => autocannon({ url: target.url + fixedStatPath(), connections: CONNECTIONS, duration: AUTOCANNON_SECONDS, method: 'POST' }).then(() => {}) },
      ...WORKERS.map((w) => ({ name: `replay --transport undici --workers ${w}${w === defaultHere ? ' (default here)' : ''}`, go: () => cliRun(target, file, ['--workers', String(w)]) })),
      ...PROCESSES.map((n) => ({ name: `replay --transport undici --processes ${n} (--workers 0 each)`, go: () => cliRun(target, file, ['--processes', String(n), '--workers', '0']) })),
    ];
    const rates = senders.map(() => [] as number[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, sender] of senders.entries()) {
        await target.arrivals();
        await sender.go();
        rates[i]!.push(arrivalRate(await target.arrivals()));
      }
    }
    // A shared machine's load changes every figure: say what it was.
    console.log(`load average (1/5/15 min) at the end: ${loadavg().map((l) => fmt(l, 2)).join(' / ')}`);
    const cannon = median(rates[0]!);
    const one = median(rates[1] ?? [NaN]);
    printTable(
      ['sender', 'req/s (median)', 'all rounds', 'of autocannon', 'of the first replay row'],
      senders.map((sender, i) => {
        const each = rates[i]!.map((r, round) => r / rates[0]![round]!);
        return [
          sender.name,
          fmt(median(rates[i]!)),
          rates[i]!.map((r) => fmt(r)).join(' '),
          i === 0 ? 'baseline' : `${fmt(median(rates[i]!) / cannon, 2)} (rounds ${fmt(Math.min(...each), 2)}–${fmt(Math.max(...each), 2)})`,
          i === 0 ? '' : fmt(median(rates[i]!) / one, 2),
        ];
      }),
    );
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
