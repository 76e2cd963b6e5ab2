/**
 * throughput: the engine flat out (no --rate, 64 in flight) against a minimal target (a
 * bare node:http server in a child process answering 200), next to a bare client of the
 * same library in the same run:
 *   - `--transport undici` vs autocannon with the same 64 connections (goal ≥ 0.7);
 *   - `--transport got` (the default) vs a bare loop of got calls, 64 workers (goal ≥ 0.9);
 *   - each engine again with `--checkpoint` (journal intent: every request's records are
 *     journaled in flight before it is sent, and settled after): its cost (goal ≤ 5%);
 *   - each engine again with `--results FILE` (one NDJSON line per attempt): its cost
 *     (goal ≤ 10%).
 * The bare clients send one fixed, pre-signed request; the engine replays a file of stat
 * envelopes, so each of its requests is also read, validated, built and signed. Every rate
 * is counted on the target's clock (first to last arrival). Loads are bounded by count
 * (engine, got loop) or time (autocannon): `BENCH_THROUGHPUT_SCALE` scales them.
 *
 * On a shared 2-core machine one run of each can be off by a third (another process takes
 * a core for a while), so every sender first runs once unmeasured (JIT warm-up), then
 * `BENCH_THROUGHPUT_ROUNDS` (default 3) measured rounds go interleaved, and each figure is
 * the sender's median round: a disturbance during one round moves neither median.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import got from 'got';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { ResultsTap } from '../src/results/tap.js';
import { ResultsWriter } from '../src/results/writer.js';
import { arrivalRate, benchOptions, fixedStatPath, fmt, printTable, quietIo, startBareTarget, writeStatEnvelopes, type BareTarget } from './replay-kit.js';

const SCALE = Number(process.env.BENCH_THROUGHPUT_SCALE ?? 1);
const CONNECTIONS = 64;
const AUTOCANNON_SECONDS = Math.max(1, Math.round(5 * SCALE));
const UNDICI_REQUESTS = Math.round(150_000 * SCALE);
const GOT_REQUESTS = Math.round(20_000 * SCALE);
/** Requests of each unmeasured warm-up run: undici's, then got's (about a second each). */
const WARM_UP_REQUESTS = Math.round(20_000 * SCALE);
const WARM_UP_GOT_REQUESTS = Math.round(WARM_UP_REQUESTS / 4);
/** Rounds measured per sender, interleaved (A B C D, A B C D, …): the median counts. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 3));

async function autocannonRun(target: BareTarget): Promise<void> {
  await autocannon({ url: target.url + fixedStatPath(), connections: CONNECTIONS, duration: AUTOCANNON_SECONDS, method: 'POST' });
}

/** 64 workers, each awaiting one got call after another, through one keep-alive instance. */
async function gotLoop(target: BareTarget, requests: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const client = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false, decompress: false });
  const url = target.url + fixedStatPath();
  let left = requests;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await client.post(url);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
}

async function engineRun(target: BareTarget, file: string, transport: 'got' | 'undici', expected: number, checkpointFile?: string, resultsFile?: string): Promise<void> {
  const stats = new RunStats('replay', 1);
  const checkpoint = checkpointFile === undefined ? {} : { checkpointFile, restart: true };
  // --results as the command wires it (commands/run-outputs.ts): one tap, one writer.
  const writer = resultsFile === undefined ? undefined : new ResultsWriter(resultsFile, process.stdout);
  const tap = writer ? new ResultsTap([writer.write]) : undefined;
  const observer = tap ? { attempt: tap.attempt.bind(tap), settled: tap.settled.bind(tap) } : {};
  const outcome = await runReplay(await benchOptions([file], target.url, { transport, concurrency: CONNECTIONS, ...checkpoint }), quietIo(), stats, observer);
  tap?.flush();
  writer?.close();
  if (writer && writer.lines !== expected) throw new Error(`--results wrote ${writer.lines} lines of ${expected}: the benchmark is broken`);
  const sent = stats.totals().requests;
  if (outcome.undelivered > 0 || sent !== expected) throw new Error(`the engine sent ${sent} requests of ${expected}, ${outcome.undelivered} undelivered: the benchmark is broken`);
}

/** The middle value (the lower middle of an even count): one disturbed round does not move it. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-throughput-'));
  const target = await startBareTarget({ trackArrivals: true });
  try {
    const undiciFile = path.join(dir, 'undici.ndjson');
    const gotFile = path.join(dir, 'got.ndjson');
    const warmFile = path.join(dir, 'warm.ndjson');
    const warmGotFile = path.join(dir, 'warm-got.ndjson');
    await writeStatEnvelopes(undiciFile, UNDICI_REQUESTS);
    await writeStatEnvelopes(gotFile, GOT_REQUESTS);
    await writeStatEnvelopes(warmFile, WARM_UP_REQUESTS);
    await writeStatEnvelopes(warmGotFile, WARM_UP_GOT_REQUESTS);
    console.log(`${CONNECTIONS} connections/in flight; target: bare node:http in a child process; rates on the target's clock`);
    console.log(`each sender warmed up unmeasured, then measured ${ROUNDS} times, rounds interleaved; the median round counts`);
    // Unmeasured: JIT-compile every sender's code first, so no measured round pays for it.
    await autocannon({ url: target.url + fixedStatPath(), connections: CONNECTIONS, duration: 1, method: 'POST' });
    await engineRun(target, warmFile, 'undici', WARM_UP_REQUESTS);
    await gotLoop(target, WARM_UP_GOT_REQUESTS);
    await engineRun(target, warmGotFile, 'got', WARM_UP_GOT_REQUESTS);
    await target.arrivals();

    const senders = [
      { name: `autocannon -c ${CONNECTIONS}, fixed request, ${AUTOCANNON_SECONDS} s`, go: () => autocannonRun(target) },
      { name: 'engine --transport undici (read, validate, sign each)', go: () => engineRun(target, undiciFile, 'undici', UNDICI_REQUESTS) },
      { name: `bare got loop, ${CONNECTIONS} workers, fixed request`, go: () => gotLoop(target, GOT_REQUESTS) },
      { name: 'engine --transport got (read, validate, sign each)', go: () => engineRun(target, gotFile, 'got', GOT_REQUESTS) },
      { name: 'engine --transport undici --checkpoint', go: () => engineRun(target, undiciFile, 'undici', UNDICI_REQUESTS, path.join(dir, 'undici.ckpt')) },
      { name: 'engine --transport got --checkpoint', go: () => engineRun(target, gotFile, 'got', GOT_REQUESTS, path.join(dir, 'got.ckpt')) },
      { name: 'engine --transport undici --results', go: () => engineRun(target, undiciFile, 'undici', UNDICI_REQUESTS, undefined, path.join(dir, 'undici.results.ndjson')) },
      { name: 'engine --transport got --results', go: () => engineRun(target, gotFile, 'got', GOT_REQUESTS, undefined, path.join(dir, 'got.results.ndjson')) },
    ];
    const rounds = senders.map(() => [] as { requests: number; rate: number }[]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, sender] of senders.entries()) {
        await target.arrivals();
        await sender.go();
        const arrivals = await target.arrivals();
        rounds[i]!.push({ requests: arrivals.length, rate: arrivalRate(arrivals) });
      }
    }
    const rates = rounds.map((r) => r.map((m) => m.rate));
    const [cannon, undici, bareGot, engineGot] = rates.map(median) as [number, number, number, number, number, number, number, number];
    // Each round's ratio too: how far one round can stray on a shared machine.
    const spread = (engine: number, bare: number): string => {
      const each = rates[engine]!.map((rate, round) => rate / rates[bare]![round]!);
      return `${fmt(Math.min(...each), 2)}–${fmt(Math.max(...each), 2)}`;
    };
    const ratio = [
      'baseline',
      `${fmt(undici / cannon, 2)} of autocannon (goal ≥ 0.7; rounds ${spread(1, 0)})`,
      'baseline',
      `${fmt(engineGot / bareGot, 2)} of bare got (goal ≥ 0.9; rounds ${spread(3, 2)})`,
      `${fmt(median(rates[4]!) / undici, 3)} of the engine without (goal ≥ 0.95; rounds ${spread(4, 1)})`,
      `${fmt(median(rates[5]!) / engineGot, 3)} of the engine without (goal ≥ 0.95; rounds ${spread(5, 3)})`,
      `${fmt(median(rates[6]!) / undici, 3)} of the engine without (goal ≥ 0.90; rounds ${spread(6, 1)})`,
      `${fmt(median(rates[7]!) / engineGot, 3)} of the engine without (goal ≥ 0.90; rounds ${spread(7, 3)})`,
    ];
    printTable(
      ['sender', 'requests', 'req/s (median)', 'all rounds', 'ratio'],
      senders.map((sender, i) => [sender.name, fmt(rounds[i]![0]!.requests), fmt(median(rates[i]!)), rates[i]!.map((r) => fmt(r)).join(' '), ratio[i]!]),
    );
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
