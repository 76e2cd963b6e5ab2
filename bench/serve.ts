/**
 * serve: how many requests per second the embedded receiver absorbs under autocannon
 * (64 connections, 10 s, keep-alive), next to a bare node:http server that reads the body
 * and answers 200, with the same settings in the same run. The server runs in a child
 * process (this file, started with --serve-target) so it and autocannon each get a core.
 *
 * Targets: the bare server; the receiver with a downloadEvent form (Chinese errorMsg,
 * UTF-8 percent-encoded); the receiver with a signed 10-event stat request (query string,
 * __md5 verified). `BENCH_SERVE_SECONDS` shortens the runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { encodeParams } from '../src/apis/encode.js';
import { md5Sorted } from '../src/sign/md5-sorted.js';
import { startReceiver } from '../src/serve/receiver.js';
import type { ReceiverStats } from '../src/serve/counts.js';

const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const CONNECTIONS = 64;
const STAT_SECRET = 'bench-stat-secret';
const THIS_FILE = fileURLToPath(import.meta.url);

type TargetKind = 'bare' | 'receiver';

interface Workload {
  readonly name: string;
  readonly target: TargetKind;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Records per request (a stat request carries a batch). */
  readonly records: number;
}

const DOWNLOAD_FORM = encodeParams({
  oepnid: '1-11122',
  appid: '5012',
  platform: '1',
  begintime: '2017-05-14 10:00:00',
  version: '1.0.1',
  build: '100',
  oldversion: '1.0.0',
  oldbuild: '99',
  resultCode: '1',
  errorCode: '1',
  errorMsg: '下载过程未知错误',
  totaltime: '50',
  filesize: '100',
  url: 'http://www.update.com/pkg.apk',
  final_url: 'http://111.222.33.44/pkg.apk',
  versionType: '1',
  totalfilesize: '200',
});

function statQuery(events: number): string {
  const data = [];
  for (let i = 0; i < events; i++) {
    data.push(i % 2 === 0 ? { aid: 2002, uid: '2508E', app_id: 15154545, game_id: 12, game_v: '7.8.8' } : { aid: 1001, uid: '2508E', app_id: 15154545 });
  }
  const params: Record<string, string> = {
    session_key: '0oesephgt44zbxvza7uddhldc7d9kx56',
    ts: String(Math.floor(Date.now() / 1000)),
    app_id: '15154545',
    uid: '2508E',
    data: JSON.stringify(data),
  };
  params.__md5 = md5Sorted(params, STAT_SECRET);
  return encodeParams(params);
}

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

function workloads(): Workload[] {
  return [
    { name: 'bare node:http, 200', target: 'bare', path: '/service/downloadEvent', headers: FORM_HEADERS, body: DOWNLOAD_FORM, records: 1 },
    { name: 'receiver, download.downloadEvent form', target: 'receiver', path: '/service/downloadEvent', headers: FORM_HEADERS, body: DOWNLOAD_FORM, records: 1 },
    { name: 'receiver, stat.push_data 10 events, signed', target: 'receiver', path: '/statistic/push_data/?' + statQuery(10), headers: {}, body: '', records: 10 },
  ];
}

// ---- the server side (child process) -------------------------------------------------

async function serveTarget(kind: TargetKind): Promise<void> {
  let url: string;
  let close: () => Promise<void>;
  if (kind === 'bare') {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    close = () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  } else {
    const receiver = await startReceiver({ credentials: { statSecret: STAT_SECRET }, port: 0 });
    url = receiver.url;
    close = () => receiver.close();
  }
  process.stdout.write(`listening on ${url}\n`);
  await once(process, 'SIGTERM');
  await close();
}

// ---- the load side -------------------------------------------------------------------

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startTarget(kind: TargetKind): Promise<Started> {
  const child = spawn(process.execPath, [THIS_FILE, '--serve-target', kind], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    for await (const line of lines) {
      const match = /^listening on (\S+)/.exec(line);
      if (match) return { child, url: match[1]! };
    }
  } finally {
    clearTimeout(timeout);
    lines.close();
  }
  throw new Error(`the ${kind} target did not start`);
}

async function stopTarget(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Row {
  readonly name: string;
  readonly rps: number;
  readonly recordsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly accepted?: number;
}

async function measure(workload: Workload): Promise<Row> {
  const { child, url } = await startTarget(workload.target);
  try {
    const result = await autocannon({
      url: url + workload.path,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers: workload.headers,
      ...(workload.body !== '' && { body: workload.body }),
    });
    let accepted: number | undefined;
    if (workload.target === 'receiver') {
      const stats = (await (await fetch(url + '/stats')).json()) as ReceiverStats;
      accepted = stats.totals.accepted;
      if (stats.totals.rejected > 0) throw new Error(`the receiver rejected ${stats.totals.rejected} requests: the workload is not valid`);
    }
    // Completed responses over the run time: the per-second samples miss the last partial second.
    const rps = result.requests.total / result.duration;
    if (process.env.BENCH_DEBUG) console.log(workload.name, result.requests, result.duration);
    return {
      name: workload.name,
      rps,
      recordsPerSecond: rps * workload.records,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      ...(accepted !== undefined && { accepted }),
    };
  } finally {
    await stopTarget(child);
  }
}

export async function run(): Promise<void> {
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per target, keep-alive; server in a child process`);
  const rows: Row[] = [];
  for (const workload of workloads()) rows.push(await measure(workload));
  const bare = rows[0]!.rps;
  const header = ['target', 'req/s', 'records/s', 'vs bare', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'accepted'];
  const table = rows.map((r) => [
    r.name,
    fmt(r.rps),
    fmt(r.recordsPerSecond),
    `${fmt((r.rps / bare) * 100)}%`,
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    fmt(r.non2xx),
    fmt(r.errors),
    r.accepted === undefined ? '-' : fmt(r.accepted),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (invokedAs === import.meta.url) {
  const at = process.argv.indexOf('--serve-target');
  if (at >= 0) await serveTarget(process.argv[at + 1] === 'bare' ? 'bare' : 'receiver');
  else await run();
}
