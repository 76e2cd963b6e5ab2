/**
 * Resumable progress (SPEC §5 `--checkpoint`/`--resume`): per input, the line up to which
 * every record is settled, plus the few lines above it that settled out of order, so a
 * resumed run sends nothing twice and skips nothing.
 *
 * Two files: an append-only journal (`FILE.journal`) that gets every settle with a
 * synchronous write before the process can do anything else observable, so even SIGKILL
 * loses nothing already settled; and a JSON snapshot (`FILE`) that compacts the journal,
 * replaced atomically (temp file + rename) every 250 ms and on close.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { ConfigError, UserError, describeError } from '../errors.js';
import { maskSecrets } from '../redact.js';

/**
 * The files a checkpoint FILE writes beside itself: its journal, and the lock that keeps a
 * second process off it. None of them may be an input (commands/outputs.ts).
 */
export function checkpointCompanions(file: string): { journal: string; lock: string } {
  return { journal: file + '.journal', lock: file + '.lock' };
}

/** What the checkpoint needs to know of an input (an `InputSource` has these). */
export interface CheckpointInput {
  /** The input as the user named it (`-` for stdin). */
  readonly name: string;
  /** Size in bytes when known (a regular file), to notice an input that changed. */
  readonly size?: number | undefined;
}

export interface CheckpointOptions {
  readonly resume: boolean;
  readonly inputs: readonly CheckpointInput[];
  /** Identifies the run's inputs and options: resuming a different run is refused. */
  readonly fingerprint: string;
  /** @default 250 — how often the snapshot is rewritten while open. */
  readonly flushIntervalMs?: number;
}

interface SnapshotInput {
  name: string;
  size: number | null;
  settledThrough: number;
  settledAfter: number[];
}

interface Snapshot {
  version: 1;
  fingerprint: string;
  inputs: SnapshotInput[];
}

/** Progress through one input. Lines are taken in increasing order and settle in any order. */
class InputProgress {
  /** Every record on a line ≤ this is settled. */
  watermark: number;
  /** Taken lines not yet passed by the watermark, oldest first (a queue: `taken[head…]`). */
  #taken: number[] = [];
  #head = 0;
  #lastTaken: number;
  /** Settled lines above the watermark: this run's out-of-order settles and the earlier run's. */
  readonly settledAhead = new Set<number>();
  /** The earlier run's settled lines above its watermark, sorted; `#nextEarlier` is the first not yet queued. */
  readonly #earlier: number[];
  #nextEarlier = 0;

  constructor(watermark: number, settledAfter: readonly number[]) {
    this.watermark = watermark;
    this.#lastTaken = watermark;
    this.#earlier = settledAfter.filter((line) => line > watermark).sort((a, b) => a - b);
    for (const line of this.#earlier) this.settledAhead.add(line);
  }

  take(line: number): void {
    if (line <= this.#lastTaken) {
      throw new RangeError(`checkpoint: line ${line} taken after line ${this.#lastTaken}; lines must be taken in input order`);
    }
    // The resumed run skips the earlier run's settled lines without taking them; queue them
    // in their place (already settled) so the watermark can pass them.
    const earlier = this.#earlier;
    while (this.#nextEarlier < earlier.length && earlier[this.#nextEarlier]! <= line) {
      const skipped = earlier[this.#nextEarlier++]!;
      if (skipped < line) this.#taken.push(skipped);
    }
    this.#taken.push(line);
    this.#lastTaken = line;
  }

  /** Returns whether the watermark moved. */
  settle(line: number): boolean {
    if (line <= this.watermark) return false;
    // A record settled without being taken (e.g. invalid at once) counts as taken now.
    if (line > this.#lastTaken) this.take(line);
    this.settledAhead.add(line);
    const before = this.watermark;
    const taken = this.#taken;
    for (;;) {
      if (this.#head < taken.length && this.settledAhead.has(taken[this.#head]!)) {
        this.watermark = taken[this.#head++]!;
      } else if (this.settledAhead.has(this.watermark + 1)) {
        // The very next line is settled (an earlier run's line not queued yet): nothing can lie between.
        this.watermark++;
      } else {
        break;
      }
      this.settledAhead.delete(this.watermark);
    }
    if (this.#head > 1024 && this.#head * 2 > taken.length) {
      this.#taken = taken.slice(this.#head);
      this.#head = 0;
    }
    return this.watermark !== before;
  }

  /** Out-of-order settles still above the watermark, sorted (earlier-run lines it passed are dropped). */
  settledAfter(): number[] {
    const lines: number[] = [];
    for (const line of this.settledAhead) {
      if (line > this.watermark) lines.push(line);
      else this.settledAhead.delete(line);
    }
    return lines.sort((a, b) => a - b);
  }
}

export class Checkpoint {
  readonly #file: string;
  readonly #journalFile: string;
  readonly #fingerprint: string;
  readonly #inputs: readonly CheckpointInput[];
  readonly #progress: InputProgress[];
  /** What the earlier run settled: fixed at open, answers skipThrough/wasSettled. */
  readonly #resumeFrom: number[];
  readonly #earlier: Set<number>[];
  #journalFd: number;
  #pending = '';
  #writeScheduled = false;
  #dirty = false;
  #closed = false;
  #error: unknown;
  readonly #timer: NodeJS.Timeout;
  readonly #onExit = () => this.#writeJournal();

  private constructor(file: string, options: CheckpointOptions, earlier: Snapshot | undefined) {
    this.#file = file;
    this.#journalFile = checkpointCompanions(file).journal;
    this.#fingerprint = options.fingerprint;
    this.#inputs = options.inputs;
    this.#progress = options.inputs.map((_, i) => {
      const from = earlier?.inputs[i];
      return new InputProgress(from?.settledThrough ?? 0, from?.settledAfter ?? []);
    });
    this.#resumeFrom = this.#progress.map((p) => p.watermark);
    this.#earlier = this.#progress.map((p) => new Set(p.settledAhead));
    this.#writeSnapshot(true);
    // 'w' truncates: the snapshot just written holds everything the old journal held.
    this.#journalFd = openSync(this.#journalFile, 'w');
    this.#timer = setInterval(() => this.flush().catch((err: unknown) => (this.#error ??= err)), options.flushIntervalMs ?? 250);
    this.#timer.unref();
    // process.exit() in the same tick as a settle would skip the microtask that journals it.
    process.on('exit', this.#onExit);
  }

  static async open(file: string, options: CheckpointOptions): Promise<Checkpoint> {
    if (!options.resume) return new Checkpoint(file, options, undefined);
    if (!existsSync(file)) {
      throw new ConfigError(`no checkpoint at ${file} to resume from`, 'run without --resume to start from the beginning');
    }
    const snapshot = readSnapshot(file);
    checkSameRun(file, snapshot, options);
    applyJournal(snapshot, checkpointCompanions(file).journal);
    return new Checkpoint(file, options, snapshot);
  }

  /** Lines ≤ this were all settled in an earlier run of this input (0 when none). */
  skipThrough(input: number): number {
    return this.#resumeFrom[input] ?? 0;
  }

  /** Lines above skipThrough that were settled too (out of order) in an earlier run: skip exactly these. */
  wasSettled(input: number, line: number): boolean {
    return line <= this.skipThrough(input) || (this.#earlier[input]?.has(line) ?? false);
  }

  /** A record from this line was taken (in input order per input). */
  take(input: number, line: number): void {
    this.#input(input).take(line);
  }

  /** That record is settled: delivered, failed-and-written-to --failed, invalid, duplicate, other shard. */
  settle(input: number, line: number): void {
    const progress = this.#input(input);
    if (line <= progress.watermark) return;
    const moved = progress.settle(line);
    this.#pending += moved ? `s ${input} ${line}\nw ${input} ${progress.watermark}\n` : `s ${input} ${line}\n`;
    this.#dirty = true;
    if (!this.#writeScheduled) {
      // One write per burst of settles (a stat batch settles 50 at once). Nothing observable
      // (no I/O, no timer) can happen before a microtask runs, so this is as safe as writing now.
      this.#writeScheduled = true;
      queueMicrotask(() => this.#writeJournal());
    }
  }

  /** The live watermark of an input (for progress and tests). */
  settledThrough(input: number): number {
    return this.#input(input).watermark;
  }

  /** Persist now (atomic). Also called by a timer every 250 ms while open. */
  async flush(): Promise<void> {
    if (this.#error !== undefined) throw this.#failure(this.#error);
    if (this.#closed || !this.#dirty) return;
    try {
      this.#writeSnapshot(false);
      this.#pending = '';
      ftruncateSync(this.#journalFd, 0);
    } catch (err) {
      this.#error = err;
      throw this.#failure(err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    process.off('exit', this.#onExit);
    try {
      this.#writeJournal();
      this.#writeSnapshot(true);
      closeSync(this.#journalFd);
      rmSync(this.#journalFile, { force: true });
    } catch (err) {
      this.#error ??= err;
    }
    this.#closed = true;
    if (this.#error !== undefined) throw this.#failure(this.#error);
  }

  #input(input: number): InputProgress {
    const progress = this.#progress[input];
    if (!progress) throw new RangeError(`checkpoint: no input ${input} (the run has ${this.#progress.length})`);
    return progress;
  }

  #writeJournal(): void {
    this.#writeScheduled = false;
    if (this.#pending === '' || this.#closed) return;
    const text = this.#pending;
    this.#pending = '';
    try {
      writeSync(this.#journalFd, text);
    } catch (err) {
      this.#error ??= err;
    }
  }

  #writeSnapshot(durable: boolean): void {
    const snapshot: Snapshot = {
      version: 1,
      fingerprint: this.#fingerprint,
      inputs: this.#inputs.map((input, i) => ({
        name: input.name,
        size: input.size ?? null,
        settledThrough: this.#progress[i]!.watermark,
        settledAfter: this.#progress[i]!.settledAfter(),
      })),
    };
    const temp = `${this.#file}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, maskSecrets(JSON.stringify(snapshot)) + '\n');
      // Durable on open and close; the 250 ms snapshots rely on the journal instead of paying an fsync each.
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.#file);
    this.#dirty = false;
  }

  #failure(err: unknown): UserError {
    return err instanceof UserError ? err : new UserError(`cannot write checkpoint ${this.#file}: ${describeError(err)}`, { cause: err });
  }
}

function readSnapshot(file: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`checkpoint ${file} cannot be read: ${describeError(err)}`);
  }
  if (!isSnapshot(parsed)) throw new ConfigError(`${file} is not a report-replay checkpoint (version 1)`);
  return parsed;
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Snapshot>;
  return (
    s.version === 1 &&
    typeof s.fingerprint === 'string' &&
    Array.isArray(s.inputs) &&
    s.inputs.every(
      (i) =>
        typeof i?.name === 'string' &&
        (i.size === null || typeof i.size === 'number') &&
        Number.isInteger(i.settledThrough) &&
        Array.isArray(i.settledAfter) &&
        i.settledAfter.every(Number.isInteger),
    )
  );
}

const RESUME_HINT = 'resume with the same inputs and options, or run without --resume to start again';

/** Refuses to resume a different run, naming the first difference. */
function checkSameRun(file: string, snapshot: Snapshot, options: CheckpointOptions): void {
  const then = snapshot.inputs;
  const now = options.inputs;
  if (then.length !== now.length) {
    const names = (inputs: readonly { name: string }[]) => inputs.map((i) => i.name).join(', ');
    throw new ConfigError(
      `checkpoint ${file} was written for ${then.length} input(s) (${names(then)}), not ${now.length} (${names(now)})`,
      RESUME_HINT,
    );
  }
  for (let i = 0; i < now.length; i++) {
    if (then[i]!.name !== now[i]!.name) {
      throw new ConfigError(`checkpoint ${file} was written for input ${i + 1} "${then[i]!.name}", not "${now[i]!.name}"`, RESUME_HINT);
    }
    const size = now[i]!.size;
    if (then[i]!.size !== null && size !== undefined && then[i]!.size !== size) {
      throw new ConfigError(
        `input "${now[i]!.name}" has changed since checkpoint ${file} was written (${then[i]!.size} bytes then, ${size} now)`,
        RESUME_HINT,
      );
    }
  }
  if (snapshot.fingerprint !== options.fingerprint) {
    throw new ConfigError(
      `checkpoint ${file} was written by a run with other options (fingerprint ${snapshot.fingerprint}, this run ${options.fingerprint})`,
      RESUME_HINT,
    );
  }
}

/** Folds a crashed run's journal into its snapshot: settles, and watermarks it reached. */
function applyJournal(snapshot: Snapshot, journalFile: string): void {
  let text: string;
  try {
    text = readFileSync(journalFile, 'utf8');
  } catch {
    return; // no journal: the snapshot is complete (a clean close removes it)
  }
  const settled = snapshot.inputs.map((i) => new Set(i.settledAfter));
  for (const entry of text.split('\n')) {
    // A torn last line (power loss mid-write) fails this shape and is ignored.
    const match = /^([sw]) (\d+) (\d+)$/.exec(entry);
    if (!match) continue;
    const input = snapshot.inputs[Number(match[2])];
    if (!input) continue;
    const line = Number(match[3]);
    if (match[1] === 'w') input.settledThrough = Math.max(input.settledThrough, line);
    else settled[Number(match[2])]!.add(line);
  }
  snapshot.inputs.forEach((input, i) => {
    input.settledAfter = [...settled[i]!].filter((line) => line > input.settledThrough).sort((a, b) => a - b);
  });
}
