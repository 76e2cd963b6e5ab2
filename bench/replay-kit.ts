/**
 * Shared by the engine's benchmarks (pacing, throughput, rss): a minimal HTTP target in a
 * child process (a bare node:http server answering 200 with `{"code":0,"ret_code":0}`, so
 * every endpoint's interpreter reads it as success — not our validating receiver, whose own
 * cost is `serve`'s benchmark), that can keep each request's arrival time on its own clock;
 * generated input files; and ReplayOptions with the CLI's defaults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Io } from '../src/commands/context.js';
import { generateRecords, type GeneratedApi } from '../src/generate/index.js';
import { encodeParams } from '../src/apis/encode.js';
import { resolveInputs } from '../src/input/sources.js';
import { md5Sorted } from '../src/sign/md5-sorted.js';
import { stringifyExact } from '../src/json/exact.js';
import { replayDefaults, type ReplayOptions } from '../src/replay/options.js';

const THIS_FILE = fileURLToPath(import.meta.url);
export const STAT_SECRET = 'bench-stat-secret';
/** Every stat request needs a session key (the receiver refuses one without). */
export const STAT_SESSION_KEY = 'bench-session-key';
const OK_BODY = '{"code":0,"ret_code":0}';

// ---- the target (child process) ------------------------------------------------------

async function serveBare(trackArrivals: boolean): Promise<void> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__arrivals') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(arrivals.splice(0)));
      return;
    }
    if (trackArrivals) arrivals.push(performance.timeOrigin + performance.now());
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': OK_BODY.length });
      res.end(OK_BODY);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
  await once(process, 'SIGTERM');
  server.closeAllConnections();
  server.close();
}

// ---- the load side --------------------------------------------------------------------

export interface BareTarget {
  readonly url: string;
  /** Arrival times (epoch ms, the target's clock) since the last call; empties the list. */
  arrivals(): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startBareTarget(options: { trackArrivals?: boolean } = {}): Promise<BareTarget> {
  const child: ChildProcess = spawn(process.execPath, [THIS_FILE, '--bare-target', options.trackArrivals ? 'arrivals' : 'plain'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  let url: string | undefined;
  try {
    for await (const line of lines) {
      const match = /^listening on (\S+)/.exec(line);
      if (match) {
        url = match[1]!;
        break;
      }
    }
  } finally {
    clearTimeout(timeout);
    lines.close();
  }
  if (!url) throw new Error('the bare target did not start');
  const base = url;
  return {
    url: base,
    arrivals: async () => (await (await fetch(`${base}/__arrivals`)).json()) as number[],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `count` generated records of `api` as NDJSON; resolves when the file is complete. */
export async function writeGenerated(file: string, parts: readonly { api: GeneratedApi; count: number }[], seed = 1): Promise<void> {
  const out = createWriteStream(file);
  for (const { api, count } of parts) {
    let chunk = '';
    for (const record of generateRecords(api, count, seed)) {
      chunk += stringifyExact(record) + '\n';
      if (chunk.length >= 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.write(chunk);
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/**
 * Stat envelope records (one request each, as logged, with `data`): the cheapest record
 * that is validated, signed and sent one request per record, like autocannon's fixed request.
 */
export async function writeStatEnvelopes(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  const ts = Math.floor(Date.now() / 1000);
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const uid = `U${(i % 5000).toString(16).toUpperCase().padStart(10, '0')}`;
    chunk += JSON.stringify({ uid, app_id: 10002, ts, data: [{ aid: 1000, uid, app_id: 10002 }] }) + '\n';
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export function quietIo(): Io {
  const sink = createWriteStream('/dev/null');
  return { stdout: sink, stderr: sink, stdin: process.stdin, env: {}, cwd: process.cwd() };
}

export async function benchOptions(files: readonly string[], target: string, overrides: Partial<ReplayOptions> = {}): Promise<ReplayOptions> {
  return replayDefaults(await resolveInputs(files), target, { credentials: { statSecret: STAT_SECRET, statSessionKey: STAT_SESSION_KEY }, transport: 'undici', retries: 0, ...overrides });
}

export const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Columns padded to their widest cell; the first left-aligned, the rest right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (invokedAs === import.meta.url) {
  const at = process.argv.indexOf('--bare-target');
  if (at >= 0) await serveBare(process.argv[at + 1] === 'arrivals');
}

/** One signed stat request's path and query, the same for every send: what autocannon repeats. */
export function fixedStatPath(): string {
  const uid = 'U0000000001';
  const params: Record<string, string> = { session_key: STAT_SESSION_KEY, ts: String(Math.floor(Date.now() / 1000)), app_id: '10002', uid, data: JSON.stringify([{ aid: 1000, uid, app_id: 10002 }]) };
  params.__md5 = md5Sorted(params, STAT_SECRET);
  return '/statistic/push_data/?' + encodeParams(params);
}

/** Requests per second on the target's clock, n−1 intervals between first and last arrival. */
export function arrivalRate(arrivals: readonly number[]): number {
  let first = Infinity;
  let last = -Infinity;
  for (const t of arrivals) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return ((arrivals.length - 1) * 1000) / (last - first);
}
