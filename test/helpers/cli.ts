/**
 * Spawn the built CLI as a user would: `node bin/report-replay.js …`, real files, real exit
 * codes. A running child is waited on by events — a line on its stdout, its exit — and a
 * child still running after the safety timeout is killed and fails its test with its
 * output, instead of hanging the suite.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { SAFETY_TIMEOUT_MS } from './wait.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = `${ROOT}bin/report-replay.js`;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Kill the child (and fail) when it runs longer. @default SAFETY_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** The first complete stdout line matching `pattern`, printed already or later; rejects if the child ends first. */
  line(pattern: RegExp): Promise<string>;
  /** Its exit, once its output is read; rejects when the safety timeout killed it. */
  readonly exited: Promise<CliResult>;
}

/** Start `node ARGS…` with stdin, stdout and stderr piped. */
export function startNode(args: readonly string[], options: SpawnOptions = {}): Running {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const timeoutMs = options.timeoutMs ?? SAFETY_TIMEOUT_MS;
  const label = `node ${args.map((a) => (a.length > 60 ? a.slice(0, 57) + '...' : a)).join(' ')}`;
  let stdout = '';
  let stderr = '';
  let ended = false;
  const listeners = new Set<() => void>();
  const changed = (): void => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    changed();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {});
  const output = (): string => `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  let killedBySafety = false;
  const timer = setTimeout(() => {
    killedBySafety = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ended = true;
      changed();
      if (killedBySafety) reject(new Error(`${label} was still running after ${timeoutMs} ms and was killed${output()}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
  // A test that only waits for a line still sees a failed exit through line(); this keeps it from being unhandled.
  exited.catch(() => {});

  const line = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const complete = stdout.split('\n').slice(0, -1);
        const found = complete.find((l) => pattern.test(l));
        if (found !== undefined) {
          listeners.delete(check);
          resolve(found);
        } else if (ended) {
          listeners.delete(check);
          reject(new Error(`${label} ended (exit ${child.exitCode ?? child.signalCode}) without printing a line matching ${pattern}${output()}`));
        }
      };
      listeners.add(check);
      check();
    });

  return { child, stdout: () => stdout, stderr: () => stderr, line, exited };
}

/** Start the CLI with `args`; its stdin stays open until the test ends it. */
export function startCli(args: readonly string[], options: SpawnOptions = {}): Running {
  return startNode([CLI, ...args], options);
}

/** Run the CLI to its end with `input` on stdin; `stdoutFile` sends its stdout to a file (`/dev/full`) instead. */
export async function runCli(args: readonly string[], options: SpawnOptions & { input?: string | Buffer; stdoutFile?: string } = {}): Promise<CliResult> {
  if (options.stdoutFile !== undefined) return runCliToFile(args, options.stdoutFile, options);
  const running = startCli(args, options);
  running.child.stdin.end(options.input ?? '');
  return running.exited;
}

/** The CLI with its stdout on a file: no stdout is collected. */
function runCliToFile(args: readonly string[], file: string, options: SpawnOptions & { input?: string | Buffer }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const stdoutFd = openSync(file, 'w');
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', stdoutFd, 'pipe'],
    });
    closeSync(stdoutFd);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? SAFETY_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: '', stderr });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.input ?? '');
  });
}

/** `fn` over `items`, at most `limit` at a time, results in order: many short CLI runs without a burst of processes. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  return pLimit(limit).map(items, (item) => fn(item));
}
