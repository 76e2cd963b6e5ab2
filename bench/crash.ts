/**
 * crash: the kill -9 acceptance (README, "Backfills"; docs/BENCHMARKS.md). A 20,000-record
 * mixed backfill (stat events, SUD reports and download reports, interleaved 3:1:1, from the
 * project's generator) is replayed by the built CLI, a child process, into the real receiver
 * (in this process, 127.0.0.1, counting every accepted record by content key). For each of
 * 10 kill points — fractions of the backfill's requests drawn from a seeded generator and
 * printed — a fresh backfill is killed with SIGKILL once the receiver has counted that many
 * requests, then resumed with `--resume` to its end; once with `--uncertain skip`, once with
 * `--uncertain resend`. Per key, the receiver's counts are compared with an uninterrupted
 * reference run's:
 *   - no loss: every record arrived at least as often as in the reference, or is in the
 *     --failed file (whose records are replayed into a receiver of their own to key them);
 *   - skip: no record arrived more often than in the reference, and the failed file holds
 *     exactly the records the resumed run's report calls set aside;
 *   - resend: the records that arrived once too often equal the number the resumed run's
 *     report calls in flight when the earlier run died and re-sent.
 *
 *   npm run bench -- crash
 *   node dist/bench/crash.js [seed]   (BENCH_CRASH_RECORDS, BENCH_CRASH_KILLS, BENCH_CRASH_TRANSPORT, BENCH_CRASH_LATENCY_MS)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateRecords, type GeneratedApi } from '../src/generate/index.js';
import { stringifyExact } from '../src/json/exact.js';
import type { Report } from '../src/report/report.js';
import { startReceiver, type Receiver } from '../src/serve/receiver.js';
import { fmt, printTable } from './replay-kit.js';
import { Prng } from '../src/prng.js';

const CLI = fileURLToPath(new URL('../../bin/report-replay.js', import.meta.url));
const RECORDS = Number(process.env.BENCH_CRASH_RECORDS ?? 20_000);
const KILLS = Number(process.env.BENCH_CRASH_KILLS ?? 10);
const TRANSPORT = process.env.BENCH_CRASH_TRANSPORT ?? 'undici';
/**
 * The receiver holds each answer this long (default 20 ms). With answers at once, a kill
 * often finds answers the client has not read yet; closing such a socket sends a reset,
 * and the receiver's kernel drops the requests it had not read either: they never arrive,
 * though the journal (rightly) calls them in flight. 0 shows that case.
 */
const LATENCY_MS = Number(process.env.BENCH_CRASH_LATENCY_MS ?? 20);
const STAT_SECRET = 'crash-stat-secret';
const SESSION_KEY = 'crash-session-key';
const SUD = 'sud.report_game_info';
/** Endpoints whose receiver counts every arrival by key (SUD's counts a repeat as a duplicate instead). */
const COUNTED = ['stat.push_data', 'download.downloadEvent', 'download.checkAppUpdate'] as const;

/** stat, stat, stat, SUD, download, … : `count` generated records, each kind from its own generator. */
async function writeBackfill(file: string, count: number): Promise<void> {
  const pattern: GeneratedApi[] = ['stat', 'stat', 'stat', 'sud', 'download'];
  const of = (api: GeneratedApi) => Math.ceil((count * pattern.filter((p) => p === api).length) / pattern.length);
  const generators = new Map(['stat', 'sud', 'download'].map((api) => [api, generateRecords(api, of(api), 7)]));
  const out = createWriteStream(file);
  for (let i = 0; i < count; i++) {
    const next = generators.get(pattern[i % pattern.length]!)!.next();
    if (next.done) throw new Error('the generator ran out');
    if (!out.write(stringifyExact(next.value) + '\n')) await once(out, 'drain');
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** The CLI as a child; with `killAt`, SIGKILLed once the receiver has counted that many requests in all. */
function replay(args: readonly string[], receiver: Receiver, killAt?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const poll =
      killAt === undefined
        ? undefined
        : setInterval(() => {
            if (receiver.stats().totals.requests < killAt) return;
            clearInterval(poll);
            child.kill('SIGKILL');
          }, 1);
    const safety = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(safety);
      resolve({ code, signal, stderr });
    });
  });
}

type Keys = Record<string, Record<string, number>>;

interface Seen {
  readonly keys: Keys;
  readonly requests: number;
  readonly sudDuplicates: number;
}

function seenBy(receiver: Receiver): Seen {
  const stats = receiver.stats();
  return { keys: stats.keys as Keys, requests: stats.totals.requests, sudDuplicates: stats.byEndpoint[SUD]?.duplicates ?? 0 };
}

function receiverFor(): Promise<Receiver> {
  return startReceiver({ port: 0, credentials: { statSecret: STAT_SECRET }, trackKeys: true, latencyMs: LATENCY_MS });
}

/** "41 records were in flight when the earlier run died: re-sent" → 41 (0 without such a note). */
function inFlightAtCrash(report: Report, what: 're-sent' | 'set aside'): number {
  const note = report.notes.find((n) => n.includes(' in flight when the earlier run died: ') && n.includes(what));
  return note ? Number(/^(\d+)/.exec(note)![1]) : 0;
}

interface Trial {
  readonly killAt: number;
  readonly inFlight: number;
  readonly resent: number;
  readonly setAside: number;
  readonly failedLines: number;
  readonly duplicates: number;
  readonly lost: number;
  readonly ok: boolean;
  readonly problems: string[];
}

/** `node dist/bench/crash.js [seed]`; under `npm run bench -- crash` the argument is the benchmark's name, not a seed. */
const SEED_ARG = /^\d+$/.test(process.argv[2] ?? '') ? Number(process.argv[2]) : 20261201;

export async function run(seed = SEED_ARG): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-crash-'));
  try {
    const input = path.join(dir, 'backfill.ndjson');
    await writeBackfill(input, RECORDS);
    const common = (receiver: Receiver, extra: readonly string[], file = input) => [
      'replay', file, '--target', receiver.url, '--stat-secret', STAT_SECRET, '--stat-session-key', SESSION_KEY, '--transport', TRANSPORT, '--quiet', ...extra,
    ];

    // The reference: the same backfill, uninterrupted.
    const reference = await receiverFor();
    let ref: Seen;
    try {
      const done = await replay(common(reference, ['--report', path.join(dir, 'reference.json')]), reference);
      if (done.code !== 0) throw new Error(`the reference run failed (exit ${done.code}): ${done.stderr}`);
      ref = seenBy(reference);
    } finally {
      await reference.close();
    }
    const prng = new Prng(seed);
    const points = Array.from({ length: KILLS }, () => Math.max(1, Math.round((0.05 + 0.9 * prng.next()) * ref.requests)));
    console.log(`${fmt(RECORDS)} records (stat, stat, stat, SUD, download, …), ${fmt(ref.requests)} requests uninterrupted; --transport ${TRANSPORT}, concurrency 64, flat out; the receiver answers after ${LATENCY_MS} ms`);
    console.log(`seed ${seed}: SIGKILL once the receiver has counted ${points.map((p) => fmt(p)).join(', ')} requests; each killed backfill resumed to its end`);

    for (const policy of ['skip', 'resend'] as const) {
      const trials: Trial[] = [];
      for (const [i, killAt] of points.entries()) trials.push(await trial(dir, `${policy}-${i}`, policy, killAt, ref, common));
      console.log(`\n--uncertain ${policy}`);
      printTable(
        ['kill at (requests)', 'in flight at kill', 're-sent', 'set aside', 'failed-file lines', 'duplicates at receiver', 'lost', 'checks'],
        trials.map((t) => [fmt(t.killAt), fmt(t.inFlight), fmt(t.resent), fmt(t.setAside), fmt(t.failedLines), fmt(t.duplicates), fmt(t.lost), t.ok ? 'ok' : 'FAILED']),
      );
      const sum = (f: (t: Trial) => number) => trials.reduce((s, t) => s + f(t), 0);
      console.log(
        `total: ${fmt(sum((t) => t.inFlight))} in flight at the kills, ${fmt(sum((t) => t.resent))} re-sent, ${fmt(sum((t) => t.setAside))} set aside, ` +
          `${fmt(sum((t) => t.duplicates))} duplicates at the receiver, ${fmt(sum((t) => t.lost))} lost; ${trials.filter((t) => t.ok).length}/${trials.length} trials pass`,
      );
      for (const t of trials) for (const p of t.problems) console.log(`  kill at ${fmt(t.killAt)}: ${p}`);
      if (trials.some((t) => !t.ok)) process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function trial(dir: string, name: string, policy: 'skip' | 'resend', killAt: number, ref: Seen, common: (receiver: Receiver, extra: readonly string[], file?: string) => string[]): Promise<Trial> {
  const receiver = await receiverFor();
  const checkpoint = path.join(dir, `${name}.ckpt`);
  const failed = path.join(dir, `${name}.failed.ndjson`);
  const reportFile = path.join(dir, `${name}.report.json`);
  const problems: string[] = [];
  let seen: Seen;
  let report: Report;
  try {
    const args = ['--checkpoint', checkpoint, '--failed', failed, '--uncertain', policy];
    const killed = await replay(common(receiver, args), receiver, killAt);
    if (killed.signal !== 'SIGKILL') problems.push(`the first run ended before its kill (exit ${killed.code}): ${killed.stderr.trim()}`);
    const resumed = await replay(common(receiver, [...args, '--resume', '--report', reportFile]), receiver);
    if (resumed.code !== 0 && resumed.code !== 1) problems.push(`the resumed run failed (exit ${resumed.code}): ${resumed.stderr.trim()}`);
    seen = seenBy(receiver);
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  } finally {
    await receiver.close();
  }
  const resent = inFlightAtCrash(report, 're-sent');
  const setAside = inFlightAtCrash(report, 'set aside');
  const failedText = existsSync(failed) ? readFileSync(failed, 'utf8') : '';
  const failedRecords = failedText.split('\n').filter(Boolean);
  for (const line of failedRecords) {
    const error = (JSON.parse(line) as { _error?: unknown })._error;
    if (error !== 'uncertain: in flight when the earlier run died') problems.push(`a failed-file record that is not uncertain: ${String(error)}`);
  }
  // Key the set-aside records the way the receiver keys what arrives: replay them into a receiver of their own.
  let aside: Seen | undefined;
  if (failedRecords.length > 0) {
    const own = await receiverFor();
    try {
      const done = await replay(common(own, [], failed), own);
      if (done.code !== 0) problems.push(`replaying the failed file failed (exit ${done.code}): ${done.stderr.trim()}`);
      aside = seenBy(own);
    } finally {
      await own.close();
    }
  }

  let duplicates = seen.sudDuplicates - ref.sudDuplicates;
  let lost = 0;
  for (const endpoint of [...COUNTED, SUD]) {
    const expected = ref.keys[endpoint] ?? {};
    const got = seen.keys[endpoint] ?? {};
    const setAsideKeys = aside?.keys[endpoint] ?? {};
    for (const [key, n] of Object.entries(expected)) {
      const arrived = got[key] ?? 0;
      if (arrived + (setAsideKeys[key] ?? 0) < n) lost += n - arrived - (setAsideKeys[key] ?? 0);
      if (endpoint !== SUD && arrived > n) duplicates += arrived - n;
    }
    for (const key of Object.keys(got)) if (!(key in expected)) problems.push(`${endpoint}: a record the reference never sent: ${key.slice(0, 80)}`);
  }
  if (lost > 0) problems.push(`${lost} records lost`);
  if (failedRecords.length !== setAside) problems.push(`the failed file holds ${failedRecords.length} records, the report says ${setAside} were set aside`);
  if (policy === 'skip' && duplicates !== 0) problems.push(`${duplicates} duplicates with --uncertain skip`);
  if (policy === 'skip' && resent !== 0) problems.push(`${resent} re-sent with --uncertain skip`);
  if (policy === 'resend' && duplicates !== resent) problems.push(`${duplicates} duplicates at the receiver, ${resent} reported re-sent`);
  return { killAt, inFlight: resent + setAside, resent, setAside, failedLines: failedRecords.length, duplicates, lost, ok: problems.length === 0, problems };
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (invokedAs === import.meta.url) await run();
