/**
 * `replay --processes N` (docs/scaling-out.md "One machine"): N child processes on this machine,
 * each the same replay with `--shard K/N` — the Kubernetes Indexed Job of deploy/, on one
 * big box. The parent only watches: it forwards Ctrl-C, shows one live progress line from
 * the shards' reports, and at the end merges their final reports (report/merge.ts, as
 * `report-replay merge` does) into one summary, judged by --threshold.
 *
 * Exactly-once is each shard's own: its checkpoint and --failed are its own files
 * (`shardPath`), and a `--resume` with the same N resumes every shard. The children run in
 * their own process group, so a terminal's Ctrl-C reaches the parent only and each shard
 * gets it once, forwarded; a parent that is killed leaves shards that stop as on Ctrl-C
 * (to-parent.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../../commands/context.js';
import { ExitCode, UsageError, UserError } from '../../errors.js';
import { mergeReports } from '../../report/merge.js';
import { ProgressLine, RateWindow } from '../../report/progress.js';
import type { Report } from '../../report/report.js';
import { evaluateThresholds, type Threshold } from '../../report/thresholds.js';
import { listenForInterrupts } from '../signals.js';
import { childArgs, shardPath } from './child-args.js';
import { SHARD_CHILD_ENV, type ShardMessage } from './to-parent.js';

const BIN = fileURLToPath(new URL('../../../../bin/report-replay.js', import.meta.url));
const PROGRESS_EVERY_MS = 200;

export interface ProcessesPlan {
  /** The parent's own arguments, as given to `main`. */
  readonly argv: readonly string[];
  readonly count: number;
  readonly concurrency: number;
  readonly thresholds: readonly Threshold[];
  readonly checkpoint?: string | undefined;
  readonly failed?: string | undefined;
  readonly resume: boolean;
  /** Show the live progress line (a terminal, not --quiet or --json). */
  readonly progress: boolean;
}

export interface ProcessesOutcome {
  readonly report: Report;
  readonly exitCode: number;
}

interface Shard {
  readonly index: number;
  readonly child: ChildProcess;
  live?: Report;
  final?: Report;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * A `--resume` must find the shards' checkpoints where this N puts them: resuming with
 * another N (or without --processes) would start every shard afresh and send again what
 * the earlier run settled.
 */
function checkResumeLayout(checkpoint: string, count: number): void {
  const dir = path.dirname(checkpoint);
  const name = path.basename(checkpoint);
  const ext = path.extname(name);
  const base = ext === '' || ext === name ? name : name.slice(0, -ext.length);
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.shard-\\d+-of-(\\d+)${ext.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const others = new Set<number>();
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const m = pattern.exec(entry);
    if (m && Number(m[1]) !== count) others.add(Number(m[1]));
  }
  if (others.size > 0) {
    const n = [...others][0]!;
    throw new UsageError(`--resume: ${checkpoint} was checkpointed by --processes ${n}: resume it with --processes ${n}`);
  }
  if (existsSync(checkpoint)) throw new UsageError(`--resume: ${checkpoint} was checkpointed by a single process: resume it without --processes`);
}

/** One stderr line of shard K, said as the shard's: `report-replay: shard 1/4: …`. */
function prefixed(line: string, label: string): string {
  return line.startsWith('report-replay: ') ? `report-replay: ${label}: ${line.slice('report-replay: '.length)}` : `report-replay: ${label}: ${line}`;
}

function forwardStderr(child: ChildProcess, label: string, io: Io, beforeWrite: () => void): void {
  let pending = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    if (lines.length === 0) return;
    beforeWrite();
    for (const line of lines) io.stderr.write(prefixed(line, label) + '\n');
  });
  child.stderr?.on('end', () => {
    if (pending === '') return;
    beforeWrite();
    io.stderr.write(prefixed(pending, label) + '\n');
  });
}

function describeExit(exit: Shard['exit']): string {
  if (!exit) return 'did not start';
  return exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
}

export async function runProcesses(plan: ProcessesPlan, io: Io): Promise<ProcessesOutcome> {
  const { count } = plan;
  if (plan.resume && plan.checkpoint !== undefined) checkResumeLayout(plan.checkpoint, count);
  const thresholds = plan.thresholds;
  const progress = plan.progress ? new ProgressLine(io.stdout) : undefined;
  const clear = (): void => progress?.clear();
  const shards: Shard[] = [];
  const exits: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const args = childArgs(plan.argv, { index, count, concurrency: plan.concurrency });
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...io.env, [SHARD_CHILD_ENV]: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Their own process group: a terminal's Ctrl-C is the parent's to forward, once.
      detached: true,
    });
    const shard: Shard = { index, child };
    shards.push(shard);
    const label = `shard ${index}/${count}`;
    forwardStderr(child, label, io, clear);
    child.on('message', (message: ShardMessage) => {
      if (message.kind === 'final') shard.final = message.report;
      else shard.live = message.report;
    });
    exits.push(
      new Promise<void>((resolve) => {
        child.on('error', (err) => {
          clear();
          io.stderr.write(`report-replay: ${label}: could not start: ${err.message}\n`);
          shard.exit ??= { code: ExitCode.Usage, signal: null };
          resolve();
        });
        child.on('close', (code, signal) => {
          shard.exit = { code, signal };
          resolve();
        });
      }),
    );
  }

  const alive = (): Shard[] => shards.filter((s) => s.exit === undefined);
  const signalAll = (): void => {
    for (const s of alive()) s.child.kill('SIGINT');
  };
  let interrupted = false;
  const removeListeners = listenForInterrupts(
    () => {
      interrupted = true;
      clear();
      io.stderr.write(`report-replay: stopping: ${count} shards finish what is in flight (Ctrl-C again to stop at once)\n`);
      signalAll();
    },
    () => {
      clear();
      io.stderr.write('report-replay: stopping every shard at once\n');
      signalAll();
    },
  );
  const rate = new RateWindow();
  const timer = progress
    ? setInterval(() => {
        const reports = shards.map((s) => s.final ?? s.live).filter((r): r is Report => r !== undefined);
        if (reports.length === 0) return;
        const t = mergeReports(reports).totals;
        progress.update({
          read: t.records,
          sent: t.requests,
          ok: t.succeeded,
          failed: t.failed,
          settled: t.succeeded + t.failed + t.invalid + t.duplicates,
          rate: rate.sample(performance.now(), t.requests),
        });
      }, PROGRESS_EVERY_MS)
    : undefined;
  try {
    await Promise.all(exits);
  } finally {
    if (timer) clearInterval(timer);
    progress?.done();
    removeListeners();
  }

  let broken = false;
  /** Shards that Ctrl-C stopped before they took a record (they sent nothing). */
  const stoppedEarly: number[] = [];
  const reports: Report[] = [];
  for (const shard of shards) {
    const report = shard.final ?? shard.live;
    if (!shard.final && interrupted && !report && shard.exit?.code === ExitCode.Interrupted) {
      stoppedEarly.push(shard.index);
      continue;
    }
    if (!shard.final) {
      broken = true;
      const resume = plan.checkpoint !== undefined ? `; --resume continues it from ${shardPath(plan.checkpoint, shard.index, count)}` : '';
      io.stderr.write(`report-replay: shard ${shard.index}/${count} ${describeExit(shard.exit)} before its report${report ? ' (its last progress is counted)' : ''}${resume}\n`);
    }
    if (report) reports.push(report);
  }
  if (reports.length === 0) {
    if (stoppedEarly.length === count) throw new UserError('stopped before any shard took a record', { exitCode: ExitCode.Interrupted });
    throw new UsageError(`none of the ${count} shards reported: see their errors above`);
  }
  const merged = mergeReports(reports);
  if (stoppedEarly.length > 0) merged.notes.push(`shard ${stoppedEarly.map((k) => `${k}/${count}`).join(', ')} stopped before taking a record: --resume sends all of its records`);
  if (plan.checkpoint !== undefined || plan.failed !== undefined) {
    const files = [plan.checkpoint, plan.failed].filter((f): f is string => f !== undefined).map((f) => shardPath(f, 0, count).replace('.shard-0-of-', '.shard-K-of-'));
    merged.notes.push(`--processes ${count}: each shard has its own ${files.join(' and ')} (K from 0 to ${count - 1})`);
  }
  if (thresholds.length > 0) merged.thresholds = evaluateThresholds(thresholds, merged);
  let exitCode = merged.exitCode ?? ExitCode.Ok;
  if (broken) exitCode = ExitCode.Usage;
  else if (interrupted && exitCode === ExitCode.Ok) exitCode = ExitCode.Interrupted;
  else if (exitCode === ExitCode.Ok && (merged.thresholds ?? []).some((t) => !t.ok)) exitCode = ExitCode.Failed;
  merged.exitCode = exitCode;
  return { report: merged, exitCode };
}
