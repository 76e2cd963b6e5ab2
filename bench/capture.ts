/**
 * capture: does `replay CAPTURE --pace original` reproduce a session's timing? (README,
 * "Capture a client, replay it later"; issue 11.) A client sends a mixed session — stat
 * envelopes in the query string, SUD JSON bodies, download forms — with irregular gaps
 * (0–40 ms, seeded) to `serve --record` (the receiver in this process). The capture's own
 * gaps, read back from its `time` fields, are the reference. The capture is then replayed
 * with `--pace original` at speed 1 and 4 to a bare node:http target in a child process that
 * notes each arrival on its own clock; arrival k is compared with the first arrival + the
 * capture's offset of request k / speed. Goal: inter-arrival times within 5 ms.
 *
 * The capture's times have 1 ms resolution (ISO 8601), so ±1 ms is the floor. Each replay
 * runs once unmeasured (speed 20) first: the figures are the steady state, not the JIT.
 * Baseline, same run, same target: a bare setTimeout loop at the same times (below).
 * `BENCH_CAPTURE_REQUESTS` changes the session's length (default 400, about 8 s).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { RunStats } from '../src/report/stats.js';
import { runReplay } from '../src/replay/engine.js';
import { startReceiver } from '../src/serve/receiver.js';
import { benchOptions, fmt, printTable, quietIo, STAT_SESSION_KEY, startBareTarget } from './replay-kit.js';
import { Prng } from '../src/prng.js';

const REQUESTS = Number(process.env.BENCH_CAPTURE_REQUESTS ?? 400);
const MAX_GAP_MS = 40;
const SPEEDS = [1, 4];

/** Request i of the session: path, headers, body. Every endpoint, in turn. */
function sessionRequest(i: number): { path: string; headers: Record<string, string>; body?: string } {
  const ts = String(Math.floor(Date.now() / 1000));
  const uid = `C${String(i % 50).padStart(6, '0')}`;
  switch (i % 3) {
    case 0: {
      const params = new URLSearchParams({ session_key: STAT_SESSION_KEY, ts, app_id: '10002', uid, data: JSON.stringify([{ aid: 1000, uid, app_id: 10002 }]) });
      return { path: `/statistic/push_data/?${params}`, headers: {} };
    }
    case 1: {
      // mg_id past 2^53, as SUD sends it: written as JSON text, never through a JS number.
      const msg = `{"mg_id":1461227817776713818,"mg_id_str":"1461227817776713818","room_id":"r1","game_mode":1,"game_round_id":"round-${i}","battle_start_at":1700000000,"players":[{"uid":"${uid}","is_ai":0}],"report_game_info_extras":""}`;
      const body = `{"report_type":"game_start","report_msg":${msg},"uid":"${uid}","ss_token":"bench-ss-token"}`;
      return { path: '/sud/report_game_info', headers: { 'content-type': 'application/json' }, body };
    }
    default: {
      const body = new URLSearchParams({ errorCode: '0', appid: '5012', openid: uid, totaltime: '50', platform: '1', ver_addr: 'www.update.com', version: '1.0.1', build: '100', resultCode: '0', versionType: '1' }).toString();
      return { path: '/service/checkAppUpdate', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
    }
  }
}

/** The client: request i at t0 + the sum of the gaps before it, one timer per due time. */
async function recordSession(url: string): Promise<void> {
  const prng = new Prng(11);
  const due: number[] = [0];
  for (let i = 1; i < REQUESTS; i++) due.push(due[i - 1]! + prng.next() * MAX_GAP_MS);
  const pool = new Pool(url, { connections: 16 });
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now() + 50;
  for (let i = 0; i < REQUESTS; i++) {
    const wait = t0 + due[i]! - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const { path: requestPath, headers, body } = sessionRequest(i);
    pending.push(pool.request({ path: requestPath, method: 'POST', headers, ...(body !== undefined && { body }) }).then((res) => res.body.text()));
  }
  await Promise.all(pending);
  await pool.close();
}

/**
 * The baseline: the floor of timer pacing on this machine now — one setTimeout per captured
 * time / speed, sending a fixed small request through an undici Pool (nothing read, judged
 * or signed).
 */
async function timerLoop(url: string, captured: readonly number[], speed: number): Promise<void> {
  const pool = new Pool(url, { connections: 16 });
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now() + 20;
  for (const time of captured) {
    const wait = t0 + (time - captured[0]!) / speed - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(pool.request({ path: '/service/checkAppUpdate', method: 'POST', body: 'errorCode=0' }).then((res) => res.body.text()));
  }
  await Promise.all(pending);
  await pool.close();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** |error| p50 / p99 / max of the arrivals against the capture's times / speed: offsets from the first, and gaps. */
function compare(captured: readonly number[], arrivals: number[], speed: number): { offset: number[]; gap: number[] } {
  arrivals.sort((a, b) => a - b);
  if (arrivals.length !== captured.length) throw new Error(`${arrivals.length} arrivals for ${captured.length} captured requests: the benchmark is broken`);
  const offsets: number[] = [];
  const gaps: number[] = [];
  for (let k = 0; k < captured.length; k++) {
    offsets.push(Math.abs(arrivals[k]! - arrivals[0]! - (captured[k]! - captured[0]!) / speed));
    if (k > 0) gaps.push(Math.abs(arrivals[k]! - arrivals[k - 1]! - (captured[k]! - captured[k - 1]!) / speed));
  }
  const summary = (values: number[]): number[] => {
    values.sort((a, b) => a - b);
    return [percentile(values, 50), percentile(values, 99), values.at(-1)!];
  };
  return { offset: summary(offsets), gap: summary(gaps) };
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-capture-'));
  const file = path.join(dir, 'capture.ndjson');
  const target = await startBareTarget({ trackArrivals: true });
  try {
    const receiver = await startReceiver({ port: 0, record: file, recordSecrets: true });
    await recordSession(receiver.url);
    await receiver.close();
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    const captured = lines.map((line) => Date.parse((JSON.parse(line) as { time: string }).time)).sort((a, b) => a - b);
    const span = captured.at(-1)! - captured[0]!;
    console.log(`${captured.length} captured requests over ${fmt(span / 1000, 1)} s (gaps 0–${MAX_GAP_MS} ms); target: bare node:http in a child process`);
    const rows: string[][] = [];
    for (const speed of SPEEDS) {
      const replay = async (x: number): Promise<void> => {
        const options = await benchOptions([file], target.url, { pace: 'original', speed: x });
        const outcome = await runReplay(options, quietIo(), new RunStats('replay', 1));
        if (outcome.undelivered > 0) throw new Error(`${outcome.undelivered} records were not delivered: the benchmark is broken`);
      };
      await timerLoop(target.url, captured, 20);
      await target.arrivals();
      await timerLoop(target.url, captured, speed);
      const floor = compare(captured, await target.arrivals(), speed);
      rows.push([`speed ${speed}  baseline: setTimeout loop, undici`, fmt(span / speed / 1000, 2), ...floor.gap.map((v) => fmt(v, 2)), ...floor.offset.map((v) => fmt(v, 2))]);
      await replay(20);
      await target.arrivals();
      await replay(speed);
      const { offset, gap } = compare(captured, await target.arrivals(), speed);
      rows.push([`speed ${speed}  replay --pace original`, fmt(span / speed / 1000, 2), ...gap.map((v) => fmt(v, 2)), ...offset.map((v) => fmt(v, 2))]);
    }
    printTable(['replay of the capture', 'span s', 'gap err p50 ms', 'p99', 'max', 'offset err p50 ms', 'p99', 'max'], rows);
    console.log('error = |arrival gap − captured gap / speed| (and the same from the first request); goal: gaps within 5 ms');
  } finally {
    await target.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
