/**
 * Resumable progress (README § Backfills: checkpoint, resume, crashes): per input, the line up to which
 * every record is settled, plus the few lines above it that settled out of order, so a
 * resumed run sends nothing twice and skips nothing; and the records whose request was on
 * the wire, so that after a hard crash those are named as *uncertain* instead of silently
 * re-sent (README, "Backfills").
 *
 * Files beside FILE:
 * - `FILE`, a JSON snapshot that compacts the journal, replaced atomically (temp file +
 *   rename) every 5 s, sooner once the journal passes 4 MiB, and on close. Not more often:
 *   on ext4 a rename over a file waits for the new file's blocks (auto_da_alloc), which on a
 *   busy disk blocked the event loop for ~15 ms each time (docs/BENCHMARKS.md);
 * - `FILE.journal`, appended with one synchronous write per burst (a turn of the event loop):
 *   settles, and before a request is written to the socket its records as in flight — so even
 *   SIGKILL loses nothing settled and hides nothing that was sent. Opened in append mode, so that
 *   after compaction truncates it the next entry lands at its start (never after a hole);
 * - `FILE.keys`, the SUD duplicate keys of the run with their lines, append-only, so a
 *   resumed run still skips a key an earlier run sent;
 * - `FILE.lock` while a process uses it (lock.ts).
 *
 * A write that fails (disk full, I/O error) is reported through `onError` at once: the run
 * must stop rather than go on without durable progress.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, UserError, describeError } from '../../errors.js';
import { maskSecrets } from '../../redact.js';
import { checkpointCompanions } from './files.js';


import { CheckpointLock } from './lock.js';
import { fingerprintContent, type ContentFingerprint } from './fingerprint.js';

/** What the checkpoint needs to know of an input (an `InputSource` has these). */
export interface CheckpointInput {
  /** The input as the user named it (`-` for stdin). */
  readonly name: string;
  /** Size in bytes when known (a regular file), to notice an input that changed. */
  readonly size?: number | undefined;
  /** A regular file's path: its content is fingerprinted (fingerprint.ts). */
  readonly path?: string | undefined;
}

export interface CheckpointOptions {
  readonly resume: boolean;
  /** Without --resume, an unfinished checkpoint is overwritten only with --restart. */
  readonly restart?: boolean;
  readonly inputs: readonly CheckpointInput[];
  /** Identifies the run's inputs and options: resuming a different run is refused. */
  readonly fingerprint: string;
  /** @default 5000 — how often the snapshot is rewritten while open (sooner when the journal passes COMPACT_BYTES). */
  readonly flushIntervalMs?: number;
  /** Told once, at once, when the checkpoint cannot be written: the run must stop. */
  readonly onError?: (error: UserError) => void;
  /** Told of things the user should know (a stale lock taken over, a complete checkpoint). */
  readonly notice?: (text: string) => void;
}

/** A record whose request was in flight when an earlier run died. */
export interface UncertainRecord {
  readonly input: number;
  readonly line: number;
  readonly endpoint: string;
}

const MAX_LINE = Number.MAX_SAFE_INTEGER;
/** A journal this long is compacted into the snapshot at once rather than on the timer. */
const COMPACT_BYTES = 4 << 20;
const lineNumber = z.number().int().min(1).max(MAX_LINE);

const snapshotSchema = z
  .object({
    version: z.literal(2),
    fingerprint: z.string(),
    /** Every input was read to its end and every record settled: nothing is left to resume. */
    complete: z.boolean(),
    inputs: z.array(
      z
        .object({
          name: z.string(),
          size: z.number().int().min(0).max(MAX_LINE).nullable(),
          mtimeMs: z.number().min(0).nullable(),
          content: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
          settledThrough: z.number().int().min(0).max(MAX_LINE),
          settledAfter: z.array(lineNumber),
          inFlight: z.record(z.string().regex(/^\S+$/), z.array(lineNumber)),
        })
        .strict()
        .superRefine((input, ctx) => {
          // A file of N bytes has at most N + 1 lines: anything beyond was not written by a run over it.
          const last = input.size === null ? MAX_LINE : input.size + 1;
          const lines = [input.settledThrough, ...input.settledAfter, ...Object.values(input.inFlight).flat()];
          if (lines.some((line) => line > last)) ctx.addIssue({ code: 'custom', message: `a line beyond the input's ${input.size} bytes`, path: ['settledThrough'] });
          const after = input.settledAfter;
          if (after.some((line, i) => line <= input.settledThrough || (i > 0 && line <= after[i - 1]!))) {
            ctx.addIssue({ code: 'custom', message: 'must be increasing and above settledThrough', path: ['settledAfter'] });
          }
        }),
    ),
  })
  .strict();

type Snapshot = z.infer<typeof snapshotSchema>;
type SnapshotInput = Snapshot['inputs'][number];

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
    const before = this.watermark;
    const taken = this.#taken;
    const ahead = this.settledAhead;
    if (this.#head < taken.length && taken[this.#head] === line) {
      // The oldest open line settled (the usual case, flat out): it moves the watermark without being remembered.
      this.watermark = line;
      this.#head++;
    } else {
      ahead.add(line);
    }
    while (ahead.size > 0) {
      if (this.#head < taken.length && ahead.has(taken[this.#head]!)) {
        this.watermark = taken[this.#head++]!;
      } else if (ahead.has(this.watermark + 1)) {
        // The very next line is settled (an earlier run's line not queued yet): nothing can lie between.
        this.watermark++;
      } else {
        break;
      }
      ahead.delete(this.watermark);
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


/** One SUD key the run sent, with the line of its record (only settled lines count on resume). */
interface KeyEntry {
  readonly input: number;
  readonly line: number;
  readonly key: string;
}

export class Checkpoint {
  readonly #file: string;
  readonly #journalFile: string;
  readonly #fingerprint: string;
  readonly #inputs: readonly CheckpointInput[];
  readonly #contents: readonly (ContentFingerprint | undefined)[];
  readonly #progress: InputProgress[];
  /** What the earlier run settled: fixed at open, answers skipThrough/wasSettled. */
  readonly #resumeFrom: number[];
  readonly #earlier: Set<number>[];
  /** The earlier run's records that were in flight when it died (line → endpoint): fixed at open. */
  readonly #uncertain: Map<number, string>[];
  /** Per input, line → endpoint of records on the wire: this run's, and the earlier run's not settled yet. */
  readonly #inFlight: Map<number, string>[];
  readonly #earlierKeys: string[];
  readonly #lock: CheckpointLock;
  readonly #onError: ((error: UserError) => void) | undefined;
  readonly #journalFd: number;
  readonly #keysFd: number;
  #pending = '';
  #pendingKeys = '';
  /** Per input, whether its watermark moved since the last write (written as one `w` line then). */
  readonly #watermarkMoved: boolean[];
  /** Bytes appended to the journal since it was last compacted. */
  #journalBytes = 0;
  /** The burst being collected: written in one go (see #schedule); senders wait for it. */
  #tick: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;
  #microtaskQueued = false;
  #immediate: NodeJS.Immediate | undefined;
  #dirty = false;
  #complete = false;
  #closed = false;
  #error: UserError | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #onExit = () => this.#writeJournal();

  private constructor(
    file: string,
    options: CheckpointOptions,
    earlier: Snapshot | undefined,
    contents: (ContentFingerprint | undefined)[],
    lock: CheckpointLock,
    keys: { entries: readonly KeyEntry[]; completeBytes: number },
  ) {
    this.#file = file;
    this.#journalFile = checkpointCompanions(file).journal;
    this.#fingerprint = options.fingerprint;
    this.#inputs = options.inputs;
    this.#contents = contents;
    this.#lock = lock;
    this.#onError = options.onError;
    this.#progress = options.inputs.map((_, i) => {
      const from = earlier?.inputs[i];
      return new InputProgress(from?.settledThrough ?? 0, from?.settledAfter ?? []);
    });
    this.#resumeFrom = this.#progress.map((p) => p.watermark);
    this.#watermarkMoved = this.#progress.map(() => false);
    this.#earlier = this.#progress.map((p) => new Set(p.settledAhead));
    this.#uncertain = options.inputs.map((_, i) => {
      const lines = new Map<number, string>();
      for (const [endpoint, list] of Object.entries(earlier?.inputs[i]?.inFlight ?? {})) {
        for (const line of list) if (!this.wasSettled(i, line)) lines.set(line, endpoint);
      }
      return lines;
    });
    this.#inFlight = this.#uncertain.map((lines) => new Map(lines));
    this.#earlierKeys = keys.entries.filter((k) => k.input < this.#progress.length && this.wasSettled(k.input, k.line)).map((k) => k.key);
    let journalFd: number | undefined;
    try {
      this.#writeSnapshot(true);
      // Append mode: every write lands at the end, which is the start again after compaction truncates it.
      journalFd = openSync(this.#journalFile, 'a');
      // The snapshot just written holds everything the old journal held.
      ftruncateSync(journalFd, 0);
      this.#keysFd = openSync(keysFileOf(file), 'a');
      // Fresh: empty. Resumed: without a torn last line (a crash mid-write), which the next key would otherwise continue.
      ftruncateSync(this.#keysFd, earlier ? keys.completeBytes : 0);
    } catch (err) {
      if (journalFd !== undefined) closeSync(journalFd);
      throw writeFailure(file, err);
    }
    this.#journalFd = journalFd;
    this.#timer = setInterval(() => this.flush().catch(() => {}), options.flushIntervalMs ?? 5000);
    this.#timer.unref();
    // process.exit() in the same tick as a settle would skip the write that journals it.
    // Before the lock's own exit handler: the journal is complete before another process may take over.
    process.prependListener('exit', this.#onExit);
  }

  static async open(file: string, options: CheckpointOptions): Promise<Checkpoint> {
    const lock = CheckpointLock.acquire(file, options.notice ?? (() => {}));
    try {
      const contents = options.inputs.map(contentOf);
      if (!options.resume) {
        if (!options.restart) refuseUnfinished(file);
        return new Checkpoint(file, options, undefined, contents, lock, { entries: [], completeBytes: 0 });
      }
      if (!existsSync(file)) {
        throw new ConfigError(`no checkpoint at ${file} to resume from`, 'run without --resume to start from the beginning');
      }
      const snapshot = readSnapshot(file);
      checkSameRun(file, snapshot, options, contents);
      applyJournal(snapshot, file);
      const checkpoint = new Checkpoint(file, options, snapshot, contents, lock, readKeys(file));
      if (snapshot.complete) options.notice?.(`checkpoint ${file} is complete: every record of its inputs was settled, nothing is left to send`);
      return checkpoint;
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  /** Lines ≤ this were all settled in an earlier run of this input (0 when none). */
  skipThrough(input: number): number {
    return this.#resumeFrom[input] ?? 0;
  }

  /** Lines above skipThrough that were settled too (out of order) in an earlier run: skip exactly these. */
  wasSettled(input: number, line: number): boolean {
    return line <= this.skipThrough(input) || (this.#earlier[input]?.has(line) ?? false);
  }

  /** The endpoint of this line's record if it was in flight when an earlier run died (uncertain), else undefined. */
  uncertain(input: number, line: number): string | undefined {
    return this.#uncertain[input]?.get(line);
  }

  /** Every record that was in flight when an earlier run died, in input order. */
  uncertainRecords(): UncertainRecord[] {
    return this.#uncertain.flatMap((lines, input) => [...lines].map(([line, endpoint]) => ({ input, line, endpoint })).sort((a, b) => a.line - b.line));
  }

  /** SUD keys whose records an earlier run settled: this run must not send them again. */
  earlierKeys(): readonly string[] {
    return this.#earlierKeys;
  }

  /** A record from this line was taken (in input order per input). */
  take(input: number, line: number): void {
    this.#input(input).take(line);
  }

  /** The SUD key of the record on this line was sent (or is on its way) for the first time in the backfill. */
  rememberKey(input: number, line: number, key: string): void {
    this.#pendingKeys += `${input} ${line} ${JSON.stringify(key)}\n`;
    // Before its request is sent: that waits for the same write.
    void this.#schedule('microtask');
  }

  /**
   * These records' request is about to be written to the socket: they are journaled as in
   * flight by the next write, which the request waits for (`writeNow`). The requests a
   * dispatch turn starts share that one write (intent.ts).
   */
  inFlight(endpoint: string, records: readonly { readonly origin: { readonly input: number; readonly line: number } }[]): void {
    let entry = '';
    let input = -1;
    for (const { origin } of records) {
      this.#input(origin.input);
      this.#inFlight[origin.input]!.set(origin.line, endpoint);
      if (origin.input !== input) {
        entry += `${entry === '' ? '' : '\n'}f ${origin.input} ${endpoint}`;
        input = origin.input;
      }
      entry += ` ${origin.line}`;
    }
    if (entry !== '') this.#pending += entry + '\n';
    this.#dirty = true;
  }

  /** These records' request did not go after all (its journal write failed): no longer in flight. */
  notSent(records: readonly { readonly origin: { readonly input: number; readonly line: number } }[]): void {
    for (const { origin } of records) this.#inFlight[origin.input]?.delete(origin.line);
  }

  /**
   * Writes everything pending now, synchronously, in one append (keys first, then settles
   * and in-flight records): true once it is in the journal, false when the checkpoint cannot
   * be written — then nothing that waited for it may be sent.
   */
  writeNow(): boolean {
    this.#writeJournal();
    return !this.#closed && this.#error === undefined;
  }

  /** That record is settled: delivered, failed-and-written-to --failed, invalid, duplicate, other shard. */
  settle(input: number, line: number): void {
    const progress = this.#input(input);
    const wasInFlight = this.#inFlight[input]!.delete(line);
    if (line <= progress.watermark) return;
    // Most settles move the watermark past their own line: the next write's one `w` line for
    // the input covers them all (a resume takes the highest `w`, wherever it stands).
    if (progress.settle(line)) this.#watermarkMoved[input] = true;
    else this.#pending += `s ${input} ${line}\n`;
    // A record that was in flight is journaled so: should this settle be lost to a crash, a
    // resume counts it uncertain rather than sending it silently — so it may wait for the
    // turn's one write. Any other (invalid, duplicate, another shard's) is written at once.
    void this.#schedule(wasInFlight ? 'turn' : 'microtask');
  }

  /** The live watermark of an input (for progress and tests). */
  settledThrough(input: number): number {
    return this.#input(input).watermark;
  }

  /** Persist now (atomic). Also called by a timer every 5 s while open, and when the journal passes COMPACT_BYTES. */
  async flush(): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#closed || !this.#dirty) return;
    try {
      this.#writeSnapshot(false);
      this.#pending = '';
      this.#watermarkMoved.fill(false);
      ftruncateSync(this.#journalFd, 0);
      this.#journalBytes = 0;
    } catch (err) {
      throw this.#fail(err);
    }
  }

  /**
   * Writes the final snapshot and releases the lock. `complete`: the run read every input to
   * its end and nothing was left unsent, so a later run without --resume may start afresh.
   */
  async close(outcome: { complete?: boolean } = {}): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#timer);
    process.off('exit', this.#onExit);
    try {
      this.#writeJournal();
      this.#complete = outcome.complete === true && this.#error === undefined && this.#inFlight.every((lines) => lines.size === 0);
      // Even after a failed write: the snapshot is written from memory and holds everything.
      this.#writeSnapshot(true);
      rmSync(this.#journalFile, { force: true });
    } catch (err) {
      this.#error ??= writeFailure(this.#file, err);
    } finally {
      this.#closed = true;
      for (const fd of [this.#journalFd, this.#keysFd]) {
        try {
          closeSync(fd);
        } catch {
          // Closing is all that is left to do with it.
        }
      }
      this.#lock.release();
    }
    if (this.#error !== undefined) throw this.#error;
  }

  #input(input: number): InputProgress {
    const progress = this.#progress[input];
    if (!progress) throw new RangeError(`checkpoint: no input ${input} (the run has ${this.#progress.length})`);
    return progress;
  }

  /**
   * The promise of the burst being collected, written in one go: in a microtask (nothing
   * observable — no I/O, no timer — happens before it runs), or at the end of the next turn
   * of the event loop (two setImmediate hops), unless the dispatcher's held requests take
   * it first (`writeNow`, intent.ts), as they usually do at the end of this one.
   */
  #schedule(when: 'microtask' | 'turn'): Promise<void> {
    this.#dirty = true;
    if (!this.#tick) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => {}); // settles do not wait for it; a failure reaches onError
      this.#tick = { promise, resolve, reject };
    }
    if (when === 'microtask' && !this.#microtaskQueued) {
      this.#microtaskQueued = true;
      queueMicrotask(() => this.#writeJournal());
    } else if (when === 'turn' && this.#immediate === undefined) {
      // At the end of the next turn, not this one: the dispatcher's requests held in this turn
      // are journaled at its end (intent.ts) and take these settles along in their one write,
      // which clears this timer — so a turn costs one write, not two.
      this.#immediate = setImmediate(() => (this.#immediate = setImmediate(() => this.#writeJournal())));
    }
    return this.#tick.promise;
  }

  #writeJournal(): void {
    const tick = this.#tick;
    this.#tick = undefined;
    this.#microtaskQueued = false;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    if (this.#closed || this.#error !== undefined) {
      tick?.reject(this.#error ?? new Error('checkpoint closed'));
      return;
    }
    try {
      // Keys first: a settle journaled without its key would let a resumed run send the key again.
      if (this.#pendingKeys !== '') writeAll(this.#keysFd, this.#pendingKeys);
      this.#pendingKeys = '';
      let text = this.#pending;
      for (let i = 0; i < this.#watermarkMoved.length; i++) {
        if (!this.#watermarkMoved[i]) continue;
        this.#watermarkMoved[i] = false;
        text += `w ${i} ${this.#progress[i]!.watermark}\n`;
      }
      this.#pending = '';
      if (text !== '') {
        writeAll(this.#journalFd, text);
        this.#journalBytes += text.length;
      }
      tick?.resolve();
      if (this.#journalBytes >= COMPACT_BYTES) void this.flush().catch(() => {});
    } catch (err) {
      // Not `tick?.reject(this.#fail(err))`: without a tick, `?.` would skip the call, and the
      // failure with it: a request whose intent was never written would then be sent.
      const error = this.#fail(err);
      tick?.reject(error);
    }
  }

  #writeSnapshot(durable: boolean): void {
    const snapshot: Snapshot = {
      version: 2,
      fingerprint: this.#fingerprint,
      complete: this.#complete,
      inputs: this.#inputs.map((input, i): SnapshotInput => {
        const inFlight: Record<string, number[]> = {};
        for (const [line, endpoint] of this.#inFlight[i]!) (inFlight[endpoint] ??= []).push(line);
        for (const lines of Object.values(inFlight)) lines.sort((a, b) => a - b);
        const content = this.#contents[i];
        return {
          name: input.name,
          size: content?.size ?? input.size ?? null,
          mtimeMs: content?.mtimeMs ?? null,
          content: content?.hash ?? null,
          settledThrough: this.#progress[i]!.watermark,
          settledAfter: this.#progress[i]!.settledAfter(),
          inFlight,
        };
      }),
    };
    const temp = `${this.#file}.${process.pid}.tmp`;
    try {
      const fd = openSync(temp, 'w');
      try {
        writeAll(fd, maskSecrets(JSON.stringify(snapshot)) + '\n');
        // Durable on open and close; the 250 ms snapshots rely on the journal instead of paying an fsync each.
        if (durable) fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.#file);
    } catch (err) {
      rmSync(temp, { force: true });
      throw err;
    }
    this.#dirty = false;
  }

  /** The first failed write: remembered, told to the run at once, returned as the error to throw. */
  #fail(err: unknown): UserError {
    if (this.#error === undefined) {
      this.#error = writeFailure(this.#file, err);
      this.#onError?.(this.#error);
    }
    return this.#error;
  }
}

const keysFileOf = (file: string): string => checkpointCompanions(file).keys;

function writeFailure(file: string, err: unknown): UserError {
  return err instanceof UserError ? err : new UserError(`cannot write checkpoint ${file}: ${describeError(err)}`, { cause: err });
}

/**
 * writeSync may write part of the text (a disk filling up): write the rest, or throw what
 * stops it. The text goes as a string: a Buffer per write (one per request flat out) showed
 * as garbage-collection time.
 */
function writeAll(fd: number, text: string): void {
  const written = writeSync(fd, text);
  const length = Buffer.byteLength(text);
  if (written === length) return;
  const bytes = Buffer.from(text, 'utf8');
  let done = written;
  while (done < length) {
    const n = writeSync(fd, bytes, done, length - done);
    if (n <= 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    done += n;
  }
}

function contentOf(input: CheckpointInput): ContentFingerprint | undefined {
  if (input.path === undefined || input.size === undefined) return undefined;
  try {
    return fingerprintContent(input.path);
  } catch (err) {
    throw new ConfigError(`cannot read input ${input.name} to fingerprint it for the checkpoint: ${describeError(err)}`);
  }
}

const RESTART_HINT = 'add --resume to continue it, or --restart to start over (what it settled would be sent again)';

/** Without --resume: an existing checkpoint may be replaced only when its run finished. */
function refuseUnfinished(file: string): void {
  if (!existsSync(file)) return;
  let complete = false;
  try {
    const parsed = snapshotSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    complete = parsed.success && parsed.data.complete;
  } catch {
    // Not a checkpoint we can read: refused below like an unfinished one.
  }
  if (!complete) throw new ConfigError(`checkpoint ${file} holds an unfinished run`, RESTART_HINT);
}

function readSnapshot(file: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`checkpoint ${file} cannot be read: ${describeError(err)}`);
  }
  if (typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === 1) {
    throw new ConfigError(`checkpoint ${file} was written by an older report-replay (version 1) and cannot be resumed`, 'start over with --restart');
  }
  const result = snapshotSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ConfigError(`${file} is not a report-replay checkpoint (version 2): ${where ? `${where}: ` : ''}${issue.message}`, 'a checkpoint is written by the tool, not by hand; start over with --restart');
  }
  return result.data;
}

const RESUME_HINT = 'resume with the same inputs and options, or start over with --restart';

/** Refuses to resume a different run, naming the first difference. */
function checkSameRun(file: string, snapshot: Snapshot, options: CheckpointOptions, contents: readonly (ContentFingerprint | undefined)[]): void {
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
    const size = contents[i]?.size ?? now[i]!.size;
    if (then[i]!.size !== null && size !== undefined && then[i]!.size !== size) {
      throw new ConfigError(
        `input "${now[i]!.name}" has changed since checkpoint ${file} was written (${then[i]!.size} bytes then, ${size} now)`,
        RESUME_HINT,
      );
    }
    const content = contents[i]?.hash;
    if (then[i]!.content !== null && content !== undefined && then[i]!.content !== content) {
      throw new ConfigError(`input "${now[i]!.name}" has changed since checkpoint ${file} was written (same size, other content)`, RESUME_HINT);
    }
  }
  if (snapshot.fingerprint !== options.fingerprint) {
    throw new ConfigError(
      `checkpoint ${file} was written by a run with other options (fingerprint ${snapshot.fingerprint}, this run ${options.fingerprint})`,
      RESUME_HINT,
    );
  }
}

/**
 * The complete lines of a journal-like file. A torn last line (a crash mid-write) is expected
 * and dropped; any other line that does not parse is damage, never read as absent.
 */
function* entriesOf<T>(file: string, what: string, checkpoint: string, parse: (line: string) => T | undefined): Generator<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a clean close removes the journal
    throw new ConfigError(`checkpoint ${checkpoint}: its ${what} ${file} cannot be read: ${describeError(err)}`);
  }
  const lines = text.split('\n');
  lines.pop(); // '' after the last newline, or the torn line
  for (let i = 0; i < lines.length; i++) {
    const entry = parse(lines[i]!);
    if (entry === undefined) {
      throw new ConfigError(
        `checkpoint ${checkpoint}: line ${i + 1} of its ${what} ${file} cannot be read (${JSON.stringify(lines[i]!.slice(0, 40))})`,
        'the checkpoint is damaged: start over with --restart',
      );
    }
    yield entry;
  }
}

/** Folds a crashed run's journal into its snapshot: settles, watermarks it reached, records in flight. */
function applyJournal(snapshot: Snapshot, file: string): void {
  const inputs = snapshot.inputs;
  const settled = inputs.map((i) => new Set(i.settledAfter));
  const inFlight = inputs.map((i) => {
    const lines = new Map<number, string>();
    for (const [endpoint, list] of Object.entries(i.inFlight)) for (const line of list) lines.set(line, endpoint);
    return lines;
  });
  const parse = (entry: string): true | undefined => {
    const settle = /^([sw]) (\d+) (\d+)$/.exec(entry);
    if (settle) {
      const i = Number(settle[2]);
      const input = inputs[i];
      if (!input) return undefined;
      const line = Number(settle[3]);
      if (settle[1] === 'w') input.settledThrough = Math.max(input.settledThrough, line);
      else {
        settled[i]!.add(line);
        inFlight[i]!.delete(line);
      }
      return true;
    }
    const sending = /^f (\d+) (\S+)((?: \d+)+)$/.exec(entry);
    if (sending && inputs[Number(sending[1])]) {
      const lines = inFlight[Number(sending[1])]!;
      for (const line of sending[3]!.trim().split(' ')) lines.set(Number(line), sending[2]!);
      return true;
    }
    return undefined;
  };
  for (const _ of entriesOf(checkpointCompanions(file).journal, 'journal', file, parse));
  inputs.forEach((input, i) => {
    const done = (line: number) => line <= input.settledThrough || settled[i]!.has(line);
    input.settledAfter = [...settled[i]!].filter((line) => line > input.settledThrough).sort((a, b) => a - b);
    input.inFlight = {};
    for (const [line, endpoint] of inFlight[i]!) if (!done(line)) (input.inFlight[endpoint] ??= []).push(line);
  });
}

/** The keys an earlier run kept, and where its last complete line ends (a torn one after it is cut off before appending). */
function readKeys(file: string): { entries: KeyEntry[]; completeBytes: number } {
  const parse = (entry: string): KeyEntry | undefined => {
    const match = /^(\d+) (\d+) (".*")$/.exec(entry);
    if (!match) return undefined;
    try {
      const key: unknown = JSON.parse(match[3]!);
      return typeof key === 'string' ? { input: Number(match[1]), line: Number(match[2]), key } : undefined;
    } catch {
      return undefined;
    }
  };
  const entries = [...entriesOf(keysFileOf(file), 'key file', file, parse)];
  let completeBytes = 0;
  try {
    const bytes = readFileSync(keysFileOf(file));
    completeBytes = bytes.lastIndexOf(0x0a) + 1;
  } catch {
    // No key file: nothing to keep.
  }
  return { entries, completeBytes };
}
