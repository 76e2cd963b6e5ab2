/**
 * What every command shares: where it writes, how it ends. Handlers write through `io`
 * (tests inject streams), set the exit code with `setExitCode`, and throw a `UserError`
 * for usage, config and I/O problems — `main` prints those as one line (no stack trace
 * unless --debug) and exits with the error's code.
 */
import { ExitCode } from '../errors.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

let exitCode: number = ExitCode.Ok;
let io: Io = processIo();

export function setExitCode(code: number): void {
  exitCode = code;
}

export function currentExitCode(): number {
  return exitCode;
}

export function getIo(): Io {
  return io;
}

/** For main(): a fresh context per invocation. */
export function resetContext(newIo: Io): void {
  io = newIo;
  exitCode = ExitCode.Ok;
}

/** Options every command accepts (declared once in cli.ts). */
export interface GlobalArgs {
  config?: string;
  debug: boolean;
  quiet: boolean;
}
