/**
 * throughput: the engine flat out (no --rate, 64 in flight) against a minimal target (a
 * bare node:http server in a child process answering 200), next to a bare client of the
 * same library in the same run:
 *   - `--transport undici` vs autocannon with the same 64 connections (goal ≥ 0.7);
 *   - `--transport got` (the default) vs a bare loop of got calls, 64 workers (goal ≥ 0.9).
 * The bare clients send one fixed, pre-signed request; the engine replays a file of stat
 * envelopes, so each of its requests is also read, validated, built and signed. Every rate
 * is counted on the target's clock (first to last arrival). Loads are bounded by count
 * (engine, got loop) or time (autocannon): `BENCH_THROUGHPUT_SCALE` scales them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import got from 'got';
import { encodeParams } from '../src/apis/encode.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { md5Sorted } from '../src/sign/md5-sorted.js';
import { benchOptions, fmt, printTable, quietIo, STAT_SECRET, startBareTarget, writeStatEnvelopes, type BareTarget } from './replay-kit.js';

const SCALE = Number(process.env.BENCH_THROUGHPUT_SCALE ?? 1);
const CONNECTIONS = 64;
const AUTOCANNON_SECONDS = Math.max(1, Math.round(5 * SCALE));
const UNDICI_REQUESTS = Math.round(150_000 * SCALE);
const GOT_REQUESTS = Math.round(20_000 * SCALE);

function fixedStatPath(): string {
  const uid = 'U0000000001';
  const params: Record<string, string> = { ts: String(Math.floor(Date.now() / 1000)), app_id: '10002', uid, data: JSON.stringify([{ aid: 1000, uid, app_id: 10002 }]) };
  params.__md5 = md5Sorted(params, STAT_SECRET);
  return '/statistic/push_data/?' + encodeParams(params);
}

/** Requests per second on the target's clock, n−1 intervals between first and last arrival. */
function arrivalRate(arrivals: readonly number[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const t of arrivals) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return ((arrivals.length - 1) * 1000) / (last - first);
}

async function autocannonRun(target: BareTarget): Promise<void> {
  await autocannon({ url: target.url + fixedStatPath(), connections: CONNECTIONS, duration: AUTOCANNON_SECONDS, method: 'POST' });
}

/** 64 workers, each awaiting one got call after another, through one keep-alive instance. */
async function gotLoop(target: BareTarget): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const client = got.extend({ agent: { http: agent }, retry: { limit: 0 }, throwHttpErrors: false, decompress: false });
  const url = target.url + fixedStatPath();
  let left = GOT_REQUESTS;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left--;
      await client.post(url);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
}

async function engineRun(target: BareTarget, file: string, transport: 'got' | 'undici', expected: number): Promise<void> {
  const stats = new RunStats('replay', 1);
  const outcome = await runReplay(await benchOptions([file], target.url, { transport, concurrency: CONNECTIONS }), quietIo(), stats);
  const sent = stats.totals().requests;
  if (outcome.undelivered > 0 || sent !== expected) throw new Error(`the engine sent ${sent} requests of ${expected}, ${outcome.undelivered} undelivered: the benchmark is broken`);
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-throughput-'));
  const target = await startBareTarget({ trackArrivals: true });
  try {
    const undiciFile = path.join(dir, 'undici.ndjson');
    const gotFile = path.join(dir, 'got.ndjson');
    await writeStatEnvelopes(undiciFile, UNDICI_REQUESTS);
    await writeStatEnvelopes(gotFile, GOT_REQUESTS);
    console.log(`${CONNECTIONS} connections/in flight; target: bare node:http in a child process; rates on the target's clock`);
    const measured: { name: string; requests: number; rate: number }[] = [];
    const measure = async (name: string, go: () => Promise<void>): Promise<number> => {
      await target.arrivals();
      await go();
      const arrivals = await target.arrivals();
      const rate = arrivalRate(arrivals);
      measured.push({ name, requests: arrivals.length, rate });
      return rate;
    };
    const cannon = await measure(`autocannon -c ${CONNECTIONS}, fixed request, ${AUTOCANNON_SECONDS} s`, () => autocannonRun(target));
    const undici = await measure('engine --transport undici (read, validate, sign each)', () => engineRun(target, undiciFile, 'undici', UNDICI_REQUESTS));
    const bareGot = await measure(`bare got loop, ${CONNECTIONS} workers, fixed request`, () => gotLoop(target));
    const engineGot = await measure('engine --transport got (read, validate, sign each)', () => engineRun(target, gotFile, 'got', GOT_REQUESTS));
    const ratio = new Map([
      [measured[1]!.name, `${fmt(undici / cannon, 2)} of autocannon (goal ≥ 0.7)`],
      [measured[3]!.name, `${fmt(engineGot / bareGot, 2)} of bare got (goal ≥ 0.9)`],
    ]);
    printTable(
      ['sender', 'requests', 'req/s', 'ratio'],
      measured.map((m) => [m.name, fmt(m.requests), fmt(m.rate), ratio.get(m.name) ?? 'baseline']),
    );
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
