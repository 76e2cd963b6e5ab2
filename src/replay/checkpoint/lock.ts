/**
 * One process per checkpoint: two runners on one checkpoint would both send every record
 * the checkpoint has not settled. The lock is a file beside the checkpoint (`FILE.lock`),
 * created exclusively (O_EXCL), holding who took it. A lock left by a process that died
 * (SIGKILL, power loss) on this host is stale and taken over with a notice; a lock held
 * from another host cannot be checked from here, so it is refused with the way to remove it.
 */
import { checkpointCompanions } from './files.js';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, describeError } from '../../errors.js';

interface Holder {
  pid: number;
  host: string;
  startedAt: string;
}

export class CheckpointLock {
  readonly file: string;
  readonly #holder: string;
  #released = false;
  /** A process that ends in any way (error, process.exit on a second Ctrl-C) releases the lock. */
  readonly #onExit = () => this.release();

  private constructor(file: string, holder: string) {
    this.file = file;
    this.#holder = holder;
    process.on('exit', this.#onExit);
  }

  /** Takes the lock of `checkpointFile`, or throws naming the holder. `notice` hears of a stale lock taken over. */
  static acquire(checkpointFile: string, notice: (text: string) => void): CheckpointLock {
    const file = checkpointCompanions(checkpointFile).lock;
    const me: Holder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
    const text = JSON.stringify(me) + '\n';
    for (let attempt = 0; ; attempt++) {
      let fd: number;
      try {
        fd = openSync(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          throw new ConfigError(`cannot lock checkpoint ${checkpointFile} (${file}): ${describeError(err)}`);
        }
        const holder = readHolder(file);
        if (!holder || holder.host !== me.host || isAlive(holder.pid)) throw refusal(checkpointFile, file, holder);
        notice(`checkpoint ${checkpointFile} was locked by pid ${holder.pid} (since ${holder.startedAt}), which is gone: taking the lock over`);
        rmSync(file, { force: true });
        continue;
      }
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return new CheckpointLock(file, text);
    }
  }

  /** Removes the lock file if it is still ours. Idempotent; safe inside an 'exit' handler (synchronous). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    process.off('exit', this.#onExit);
    try {
      if (readFileSync(this.file, 'utf8') === this.#holder) rmSync(this.file, { force: true });
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (Number.isInteger(parsed.pid) && typeof parsed.host === 'string' && typeof parsed.startedAt === 'string') return parsed as Holder;
  } catch {
    // Unreadable (torn by a crash mid-create): the holder cannot be named or checked.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function refusal(checkpointFile: string, lockFile: string, holder: Holder | undefined): ConfigError {
  const who = holder ? `pid ${holder.pid} on host ${holder.host} (since ${holder.startedAt})` : 'another process (its lock file cannot be read)';
  return new ConfigError(
    `checkpoint ${checkpointFile} is in use by ${who}: one process per checkpoint`,
    `if that process is no longer running, remove ${lockFile}`,
  );
}
