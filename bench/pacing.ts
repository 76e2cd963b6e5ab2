/**
 * pacing: how true the engine's rate is as the server sees it. At 500, 2000 and 5000 requests/s
 * for a few seconds, the target (a bare node:http server in a child process) notes each
 * arrival on its own clock; arrival k (in arrival order) is compared with the first
 * arrival + k/rate. Figures: achieved rate (first to last arrival), and lateness p50, p99,
 * max. Goals: rate within 1%, p99 lateness under 5 ms.
 *
 * Baseline, same run, same target: the floor of timer pacing — a bare loop that sets one
 * setTimeout to each due time and sends a fixed, pre-signed request through an undici Pool.
 * Then the engine with each transport, replaying a file of stat envelopes (validated,
 * signed, one request each). Each sender runs one unmeasured second first, so the figures
 * are the steady state (a cold process adds tens of ms of lateness in its first second:
 * JIT). `BENCH_PACING_SECONDS` changes the measured length (default 5).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { encodeParams } from '../src/apis/encode.js';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { md5Sorted } from '../src/sign/md5-sorted.js';
import { benchOptions, fmt, printTable, quietIo, STAT_SECRET, STAT_SESSION_KEY, startBareTarget, writeStatEnvelopes, type BareTarget } from './replay-kit.js';

const SECONDS = Number(process.env.BENCH_PACING_SECONDS ?? 5);
const RATES = (process.env.BENCH_PACING_RATES ?? '500,2000,5000').split(',').map(Number);
const WARM_UP_SECONDS = 1;

interface Figures {
  readonly requests: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** As the target saw it: arrival k against the first arrival + k/rate. */
function figures(arrivals: number[], rate: number): Figures {
  arrivals.sort((a, b) => a - b);
  const first = arrivals[0]!;
  const lateness = arrivals.map((t, k) => t - (first + (k * 1000) / rate)).sort((a, b) => a - b);
  return {
    requests: arrivals.length,
    rate: ((arrivals.length - 1) * 1000) / (arrivals.at(-1)! - first),
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    max: lateness.at(-1)!,
  };
}

function fixedStatPath(): string {
  const uid = 'U0000000001';
  const params: Record<string, string> = { session_key: STAT_SESSION_KEY, ts: String(Math.floor(Date.now() / 1000)), app_id: '10002', uid, data: JSON.stringify([{ aid: 1000, uid, app_id: 10002 }]) };
  params.__md5 = md5Sorted(params, STAT_SECRET);
  return '/statistic/push_data/?' + encodeParams(params);
}

/** The baseline: one timer per due time, a fixed request, undici, 64 connections. */
async function timerLoop(url: string, rate: number, count: number): Promise<void> {
  const pool = new Pool(url, { connections: 64 });
  const requestPath = fixedStatPath();
  let inFlight = 0;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const t0 = performance.now();
    const send = (): void => {
      inFlight++;
      pool
        .request({ path: requestPath, method: 'POST' })
        .then((res) => res.body.text())
        .catch(() => undefined)
        .finally(() => {
          inFlight--;
          if (sent === count && inFlight === 0) resolve();
        });
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < count && t0 + (sent * 1000) / rate <= now + 0.5) {
        sent++;
        send();
      }
      if (sent < count) setTimeout(tick, Math.max(1, Math.ceil(t0 + (sent * 1000) / rate - performance.now())));
    };
    tick();
  });
  await pool.close();
}

async function engine(target: BareTarget, file: string, rate: number, transport: 'got' | 'undici', seconds = SECONDS): Promise<void> {
  const stats = new RunStats('replay', 1);
  const options = await benchOptions([file], target.url, { rate, durationMs: seconds * 1000, transport });
  const outcome = await runReplay(options, quietIo(), stats);
  if (outcome.undelivered > 0) throw new Error(`${outcome.undelivered} records were not delivered: the benchmark is broken`);
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-pacing-'));
  const target = await startBareTarget({ trackArrivals: true });
  try {
    console.log(`${SECONDS} s per row after ${WARM_UP_SECONDS} s of warm-up; target: bare node:http in a child process; lateness = arrival k − (first arrival + k/rate)`);
    const rows: string[][] = [];
    for (const rate of RATES) {
      const count = Math.round(rate * SECONDS);
      const file = path.join(dir, `envelopes-${rate}.ndjson`);
      await writeStatEnvelopes(file, count + 10);
      const runs: [string, (seconds: number) => Promise<void>][] = [
        ['baseline: setTimeout loop, undici', (seconds) => timerLoop(target.url, rate, Math.round(rate * seconds))],
        ['engine --transport undici', (seconds) => engine(target, file, rate, 'undici', seconds)],
        ['engine --transport got', (seconds) => engine(target, file, rate, 'got', seconds)],
      ];
      for (const [name, go] of runs) {
        // One unmeasured second first: the figures are the steady state, not the JIT warming up.
        await go(WARM_UP_SECONDS);
        await target.arrivals();
        await go(SECONDS);
        const f = figures(await target.arrivals(), rate);
        const off = ((f.rate - rate) / rate) * 100;
        rows.push([`${fmt(rate)}/s  ${name}`, fmt(f.requests), fmt(f.rate, 1), `${off >= 0 ? '+' : ''}${fmt(off, 2)}%`, fmt(f.p50, 2), fmt(f.p99, 2), fmt(f.max, 2)]);
      }
    }
    printTable(['rate  sender', 'requests', 'achieved/s', 'vs target', 'late p50 ms', 'late p99 ms', 'late max ms'], rows);
    console.log('goals: achieved within 1% of the target, p99 lateness < 5 ms');
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
