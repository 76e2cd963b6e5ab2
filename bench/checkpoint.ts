/**
 * Two figures, each next to its baseline in the same run:
 *
 * 1. The journal's cost to the engine (goal: `--checkpoint` costs at most 5% throughput,
 *    docs/BENCHMARKS.md): the engine flat out with `--transport undici`, 64 in flight, against
 *    a bare target in a child process, without and with `--checkpoint`, alternating (A B A B),
 *    after an unmeasured warm-up of each. Per round: the rate on the target's clock, and the
 *    replay's CPU time per request (`process.cpuUsage` of this process; the target runs in its
 *    own) between 10% and 90% of the run, which a loaded machine disturbs far less than wall time. The ratio is the median
 *    of the per-round ratios (rounds pair a run without with the run with right after it).
 *    `BENCH_CHECKPOINT_REQUESTS` (default 60,000) and `BENCH_CHECKPOINT_ROUNDS` (default 6).
 *
 * 2. Checkpoint bookkeeping: a million lines taken and settled as a replay settles them (in
 * pairs, the second first: mostly in order), journaled to a file in the temp folder
 * (deleted afterwards), next to a bare in-memory tracker doing the same bookkeeping — a Set
 * of lines settled above a watermark — in the same run. Each runs twice; the faster counts.
 * Goal: amortized O(1) per line, under 5 µs a line (a million in under 5 s). The test suite
 * checks that every settle is kept; how fast is measured here, where a busy machine cannot
 * fail it.
 *
 *   npm run bench -- checkpoint     (both)
 *   node dist/bench/checkpoint.js [lines]      (the bookkeeping only; default 1,000,000 lines)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Checkpoint } from '../src/replay/checkpoint/checkpoint.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { benchOptions, fmt, printTable, quietIo, startBareTarget, writeStatEnvelopes, type BareTarget } from './replay-kit.js';

const LINES = Number(process.argv[2] === undefined || process.argv[2] === 'engine' ? 1_000_000 : process.argv[2]);
/** The engine journals between event-loop turns; so does this loop, every so many lines. */
const TURN_EVERY = 20_000;

interface Tracker {
  take(line: number): void;
  settle(line: number): void;
  settledThrough(): number;
}

/** The bare loop: the watermark and a Set of settled lines above it, nothing written. */
function bareTracker(): Tracker {
  const settled = new Set<number>();
  let watermark = 0;
  return {
    take: () => {},
    settle: (line) => {
      settled.add(line);
      while (settled.delete(watermark + 1)) watermark++;
    },
    settledThrough: () => watermark,
  };
}

async function timed(tracker: Tracker, lines: number): Promise<number> {
  const started = performance.now();
  for (let line = 1; line < lines; line += 2) {
    tracker.take(line);
    tracker.take(line + 1);
    tracker.settle(line + 1);
    tracker.settle(line);
    if (line % TURN_EVERY === 1) await Promise.resolve();
  }
  const ms = performance.now() - started;
  if (tracker.settledThrough() !== lines) throw new Error(`settled through ${tracker.settledThrough()}, not ${lines}: the benchmark is broken`);
  return ms;
}

async function bestOf(runs: number, once: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, await once());
  return best;
}

const REQUESTS = Number(process.env.BENCH_CHECKPOINT_REQUESTS ?? 60_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_CHECKPOINT_ROUNDS ?? 6));
const IN_FLIGHT = 64;

interface EngineRound {
  readonly rate: number;
  readonly cpuUsPerRequest: number;
}

/**
 * One flat-out replay of `file`: the rate on the target's clock, and this process's CPU per
 * request in the steady middle of the run — from the sample at which 10% of the requests
 * were sent to the one at 90% (sampled every 50 ms) — so that what a checkpoint costs once
 * per run (fingerprinting the input, the durable first and last snapshot) does not count as
 * throughput.
 */
async function engineRound(target: BareTarget, file: string, requests: number, checkpointFile?: string): Promise<EngineRound> {
  await target.arrivals();
  const stats = new RunStats('replay', 1);
  const checkpoint = checkpointFile === undefined ? {} : { checkpointFile, restart: true };
  const options = await benchOptions([file], target.url, { transport: 'undici', concurrency: IN_FLIGHT, ...checkpoint });
  let from: { requests: number; cpu: NodeJS.CpuUsage } | undefined;
  let to: { requests: number; cpu: NodeJS.CpuUsage } | undefined;
  const sampler = setInterval(() => {
    const sent = stats.totals().requests;
    if (!from && sent >= requests * 0.1) from = { requests: sent, cpu: process.cpuUsage() };
    else if (from && !to && sent >= requests * 0.9) to = { requests: sent, cpu: process.cpuUsage() };
  }, 50);
  const outcome = await runReplay(options, quietIo(), stats).finally(() => clearInterval(sampler));
  const sent = stats.totals().requests;
  if (outcome.undelivered > 0 || sent !== requests) throw new Error(`the engine sent ${sent} requests of ${requests}, ${outcome.undelivered} undelivered: the benchmark is broken`);
  if (!from || !to) throw new Error('the run was too short to sample: raise BENCH_CHECKPOINT_REQUESTS');
  const used = process.cpuUsage(from.cpu);
  const usedTo = process.cpuUsage(to.cpu);
  const cpuUs = used.user + used.system - (usedTo.user + usedTo.system);
  const arrivals = await target.arrivals();
  let first = Infinity;
  let last = -Infinity;
  for (const t of arrivals) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return { rate: ((arrivals.length - 1) * 1000) / (last - first), cpuUsPerRequest: cpuUs / (to.requests - from.requests) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

/** The engine without and with --checkpoint, alternating, in the same run. */
export async function journalCost(requests = REQUESTS, rounds = ROUNDS): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-journal-'));
  const target = await startBareTarget({ trackArrivals: true });
  try {
    const file = path.join(dir, 'stat.ndjson');
    await writeStatEnvelopes(file, requests);
    const ckpt = path.join(dir, 'run.ckpt');
    await engineRound(target, file, requests);
    await engineRound(target, file, requests, ckpt);
    const without: EngineRound[] = [];
    const withJournal: EngineRound[] = [];
    for (let round = 0; round < rounds; round++) {
      without.push(await engineRound(target, file, requests));
      withJournal.push(await engineRound(target, file, requests, ckpt));
    }
    const rateRatios = withJournal.map((w, i) => w.rate / without[i]!.rate);
    const cpuRatios = withJournal.map((w, i) => without[i]!.cpuUsPerRequest / w.cpuUsPerRequest);
    const range = (values: readonly number[]) => `${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)}`;
    console.log(`engine --transport undici flat out, ${IN_FLIGHT} in flight, ${fmt(requests)} stat requests a round; ${rounds} rounds, without and with --checkpoint alternating`);
    printTable(
      ['engine', 'req/s (median)', 'rounds', 'CPU µs/request (median)', 'rounds'],
      [
        ['without --checkpoint', fmt(median(without.map((r) => r.rate))), without.map((r) => fmt(r.rate)).join(' '), fmt(median(without.map((r) => r.cpuUsPerRequest)), 2), without.map((r) => fmt(r.cpuUsPerRequest, 1)).join(' ')],
        ['with --checkpoint (journal intent)', fmt(median(withJournal.map((r) => r.rate))), withJournal.map((r) => fmt(r.rate)).join(' '), fmt(median(withJournal.map((r) => r.cpuUsPerRequest)), 2), withJournal.map((r) => fmt(r.cpuUsPerRequest, 1)).join(' ')],
      ],
    );
    console.log(`with / without, median of the rounds' ratios: rate ${fmt(median(rateRatios), 3)} (rounds ${range(rateRatios)}); CPU-bound speed ${fmt(median(cpuRatios), 3)} (rounds ${range(cpuRatios)}); goal ≥ 0.95`);
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(lines = LINES): Promise<void> {
  await journalCost();
  console.log('');
  await bookkeeping(lines);
}

async function bookkeeping(lines: number): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-checkpoint-'));
  try {
    let n = 0;
    const checkpointMs = await bestOf(2, async () => {
      const checkpoint = await Checkpoint.open(path.join(dir, `run-${++n}.ckpt`), { resume: false, fingerprint: 'bench', inputs: [{ name: 'in.ndjson' }] });
      const ms = await timed({ take: (l) => checkpoint.take(0, l), settle: (l) => checkpoint.settle(0, l), settledThrough: () => checkpoint.settledThrough(0) }, lines);
      await checkpoint.close();
      return ms;
    });
    const bareMs = await bestOf(2, () => timed(bareTracker(), lines));
    console.log(`${fmt(lines)} lines taken and settled, in pairs (the second first); best of 2`);
    printTable(
      ['tracker', 'ms', 'µs per line', 'vs bare'],
      [
        ['bare: watermark + Set, in memory', fmt(bareMs), fmt((bareMs * 1000) / lines, 2), '1.00'],
        ['Checkpoint, journaled to a file', fmt(checkpointMs), fmt((checkpointMs * 1000) / lines, 2), fmt(checkpointMs / bareMs, 2)],
      ],
    );
    console.log('goal: under 5 µs per line (a million in under 5 s)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (invokedAs === import.meta.url) await (process.argv[2] === 'engine' ? journalCost() : bookkeeping(LINES));
