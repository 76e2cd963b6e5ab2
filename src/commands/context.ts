/**
 * What every command shares: where it writes, how it ends. Handlers write through `io`
 * (tests inject streams), set the exit code with `setExitCode`, and throw a `UserError`
 * for usage, config and I/O problems — `main` prints those as one line (no stack trace
 * unless --debug) and exits with the error's code.
 *
 * `io.stdout` and `io.stderr` are the one place output leaves the process: every write
 * through them has the registered secrets masked (redact.ts), and a stdout that fails
 * (a full disk, a closed pipe) is remembered instead of crashing the process, so that
 * `main` ends the command with one line and exit 2.
 */
import type { Config } from '../config/config.js';
import { ExitCode, UserError, describeError } from '../errors.js';
import { hasSecrets, maskSecrets } from '../redact.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

let exitCode: number = ExitCode.Ok;
let io: Io = processIo();
let config: Config = {};
let stdoutFailure: NodeJS.ErrnoException | undefined;
let readerMayLeave = false;
let stdoutIsSynthetic = false;

export function setExitCode(code: number): void {
  exitCode = code;
}

export function currentExitCode(): number {
  return exitCode;
}

/** The command line as given to `main` (replay --processes passes it on to its shards). */
let commandLine: readonly string[] = [];

export function setCommandLine(argv: readonly string[]): void {
  commandLine = argv;
}

export function getCommandLine(): readonly string[] {
  return commandLine;
}

export function getIo(): Io {
  return io;
}

/** The --config file, loaded and checked once before the command runs (`{}` without one). */
export function loadedConfig(): Config {
  return config;
}

export function setLoadedConfig(loaded: Config): void {
  config = loaded;
}

/**
 * For commands whose stdout is a data stream a reader may stop early (`generate | head`):
 * the reader leaving (EPIPE) is then the normal end, not an error.
 */
export function allowReaderToLeave(): void {
  readerMayLeave = true;
}

/**
 * For `generate`: its stdout is synthetic data that holds no secret by construction, and is
 * written as generated (masking it would cost a scan of every chunk, and could only corrupt it).
 */
export function stdoutIsGeneratedData(): void {
  stdoutIsSynthetic = true;
}

/** The error stdout failed with, as a user error (undefined while it works). */
export function outputFailure(): UserError | undefined {
  const err = stdoutFailure;
  if (err === undefined || (readerMayLeave && err.code === 'EPIPE')) return undefined;
  const what = err.code === 'EPIPE' ? 'its reader closed it' : describeError(err);
  return new UserError(`cannot write to stdout: ${what}; the output is incomplete`, { cause: err });
}

/** Throws when stdout has failed: a command must not go on to claim success on it. */
export function throwIfOutputFailed(): void {
  const failure = outputFailure();
  if (failure) throw failure;
}

/**
 * Waits until what was written to stdout has been handed over (or has failed): an error
 * of the last write is emitted a tick later, and it must decide the exit code.
 */
export async function settleOutput(): Promise<void> {
  const stdout = io.stdout as NodeJS.WritableStream & { writableNeedDrain?: boolean };
  if (stdout.writableNeedDrain && stdoutFailure === undefined) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        for (const event of ['drain', 'error', 'close']) stdout.off(event, done);
        resolve();
      };
      for (const event of ['drain', 'error', 'close']) stdout.once(event, done);
    });
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A stream whose writes are masked; everything else is the stream's own. A write that
 * throws at once (a synchronous stream whose file is full) is treated as the stream's error.
 */
function guarded<S extends NodeJS.WritableStream>(stream: S, onError: (err: NodeJS.ErrnoException) => void, failed: () => boolean, unmasked: () => boolean): S {
  const write = (chunk: unknown, encodingOrDone?: unknown, done?: unknown): boolean => {
    const callback = typeof encodingOrDone === 'function' ? encodingOrDone : done;
    if (failed()) {
      // Nothing more reaches a failed stream; writers waiting for the callback go on.
      if (typeof callback === 'function') queueMicrotask(() => (callback as () => void)());
      return true;
    }
    let masked = chunk;
    if (unmasked()) masked = chunk;
    else if (typeof chunk === 'string') masked = maskSecrets(chunk);
    else if (chunk instanceof Uint8Array && hasSecrets()) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8');
      const safe = maskSecrets(text);
      if (safe !== text) masked = Buffer.from(safe);
    }
    try {
      return (stream.write as (...args: unknown[]) => boolean).call(stream, masked, encodingOrDone, done);
    } catch (err) {
      onError(err as NodeJS.ErrnoException);
      return true;
    }
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** For main(): a fresh context per invocation, its output guarded. */
export function resetContext(newIo: Io): void {
  exitCode = ExitCode.Ok;
  config = {};
  stdoutFailure = undefined;
  readerMayLeave = false;
  stdoutIsSynthetic = false;
  const noteStdout = (err: NodeJS.ErrnoException): void => {
    stdoutFailure ??= err;
  };
  // Listening is what keeps a failed write from becoming an uncaught 'error' (a crash with a stack trace).
  newIo.stdout.on('error', noteStdout);
  // stderr is where failures are told; when it fails too, there is nobody left to tell.
  newIo.stderr.on('error', () => {});
  io = {
    ...newIo,
    stdout: guarded(newIo.stdout, noteStdout, () => stdoutFailure !== undefined, () => stdoutIsSynthetic),
    stderr: guarded(newIo.stderr, () => {}, () => false, () => false),
  };
}

/** Options every command accepts (declared once in cli.ts). */
export interface GlobalArgs {
  config?: string;
  debug: boolean;
  quiet: boolean;
}
