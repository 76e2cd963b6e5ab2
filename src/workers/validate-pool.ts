/**
 * `validate --workers N` (README "validate"): the inputs cut into units (validate-ranges.ts),
 * judged by N worker threads and by the main thread itself, and merged in input order, so
 * the findings, counts and --failed file are those of `--workers 0`, order included.
 *
 * Memory stays flat: a thread judges one unit at a time and stops while more than
 * AHEAD_BYTES of its batches wait for the merge; the unit being merged is always being
 * judged by some thread, whose batches are merged as they come, so the run never stalls.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { InputSource } from '../input/sources.js';
import { UserError, ExitCode, type ExitCode as ExitCodeValue } from '../errors.js';
import type { Origin } from '../records.js';
import { allEndpoints } from '../apis/registry.js';
import { RecordJudge } from '../validate/judge.js';
import { fromPortable } from './validate-portable.js';
import { batchSize, type FromWorker, type ToWorker, type ValidateWorkerData } from './validate-protocol.js';
import { cutUnits, rangeBytesFor, rangesForced } from './validate-ranges.js';
import { EndpointLabels, VERDICT, judgeUnit, type UnitBatch, type UnitVerdict, type ValidateUnit } from './validate-unit.js';

/** Inputs smaller than this are judged on the main thread alone. */
const SMALL_INPUT_BYTES = 4 << 20;

/** Per thread: batches judged but not yet merged, at most about this many bytes. */
const AHEAD_BYTES = 8 << 20;

/** `--workers` when not given: every core but one (the main thread judges too), at least one. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Where merged verdicts go, in input order. */
export interface MergeSink {
  /** `lines` valid records without findings, of one endpoint, holding `records` records. */
  valid(endpoint: string, origin: Origin, lines: number, records: number): void;
  /** A record with findings, or invalid. */
  verdict(origin: Origin, verdict: UnitVerdict): Promise<void>;
  /** After each merged batch: records judged and input bytes read by it. */
  progress(judged: number, bytes: number): void;
}

export interface PoolOptions {
  readonly workers: number;
  readonly judge: ValidateWorkerData['judge'];
  readonly delimiter: string | undefined;
}

interface Pending {
  readonly batch: UnitBatch;
  /** Lets the thread that judged it read on. */
  readonly merged: () => void;
}

interface UnitState {
  readonly batches: Pending[];
  done: boolean;
  lines: number;
  error: UserError | undefined;
}

/** A worker thread stopped without finishing its work (a bug, or killed): the run stops. */
export class WorkerFailedError extends UserError {
  constructor(reason: string) {
    super(`a validate worker thread failed: ${reason}`, { exitCode: ExitCode.Usage, hint: 'run again with --workers 0 to validate on one thread' });
    this.name = 'WorkerFailedError';
  }
}

/** Judge `sources` on `workers` threads plus this one; throws a UserError where --workers 0 would. */
export async function validateInParallel(sources: readonly InputSource[], options: PoolOptions, sink: MergeSink): Promise<void> {
  const total = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  const rangeBytes = rangeBytesFor(total, options.workers + 1);
  const units = await cutUnits(sources, rangeBytes);
  const labelIds = allEndpoints().map((e) => e.id);
  const merge = new Merge(units, new EndpointLabels(labelIds), sink);
  let next = 0;
  const take = (): ValidateUnit | undefined => (merge.failed || next >= units.length ? undefined : units[next++]);

  const workers: Worker[] = [];
  const data: ValidateWorkerData = { judge: options.judge, labels: labelIds, delimiter: options.delimiter, aheadBytes: AHEAD_BYTES };
  // A thread per unit at most, and none for a small input: starting one costs more than it saves.
  const small = total < SMALL_INPUT_BYTES && !rangesForced();
  const count = small ? 0 : Math.min(options.workers, units.length - 1);
  for (let i = 0; i < count; i++) {
    const worker = new Worker(new URL('./validate-worker.js', import.meta.url), { workerData: data });
    workers.push(worker);
    const send = (message: ToWorker): void => worker.postMessage(message);
    let open = 0;
    const give = (): void => {
      const unit = take();
      if (unit) {
        open = unit.index + 1;
        send({ type: 'unit', unit });
      } else open = 0;
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'batch') {
        const verdicts = message.verdicts.numberTexts.length === 0 ? message.verdicts.verdicts : fromPortable(message.verdicts);
        const batch: UnitBatch = { codes: new Uint32Array(message.codes), verdicts, judged: message.judged, bytes: message.bytes };
        merge.push(message.unit, { batch, merged: () => send({ type: 'ack', size: message.size }) });
      } else if (message.type === 'done') {
        merge.done(message.unit, message.lines);
        give();
      } else {
        merge.fail(message.unit, new UserError(message.message, { exitCode: message.exitCode as ExitCodeValue, hint: message.hint }));
      }
    });
    worker.on('error', (err) => merge.crash(new WorkerFailedError(err.message)));
    worker.on('exit', (code) => {
      if (open !== 0 || code !== 0) merge.crash(new WorkerFailedError(`it exited with code ${code}`));
    });
    give();
  }

  // This thread's share, between merges.
  const judge = new RecordJudge(options.judge, undefined);
  const labels = new EndpointLabels(labelIds);
  const local = (async () => {
    for (let unit = take(); unit !== undefined; unit = take()) {
      const batches = judgeUnit(unit, judge, labels, { delimiter: options.delimiter });
      try {
        for (;;) {
          const step = await batches.next();
          if (step.done) {
            merge.done(unit.index, step.value);
            break;
          }
          let resume: (() => void) | undefined;
          const waited = merge.push(unit.index, { batch: step.value, merged: () => resume?.() });
          if (merge.failed) return;
          if (!waited) continue;
          // Over its share ahead of the merge: wait until this batch is merged.
          await new Promise<void>((resolve) => (resume = resolve));
        }
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        merge.fail(unit.index, err);
        return;
      } finally {
        await batches.return(0); // closes the file when the run stopped mid-unit
      }
    }
  })();
  local.catch((err: unknown) => merge.crash(err instanceof Error ? err : new Error(String(err))));
  try {
    await merge.run();
  } finally {
    merge.release();
    for (const worker of workers) {
      worker.removeAllListeners('exit');
      worker.on('exit', () => {});
      worker.postMessage({ type: 'stop' } satisfies ToWorker);
    }
    await Promise.all(workers.map((w) => w.terminate()));
  }
  await local;
}

class Merge {
  readonly #units: readonly ValidateUnit[];
  readonly #states: UnitState[];
  readonly #labels: EndpointLabels;
  readonly #sink: MergeSink;
  #head = 0;
  /** Lines of the head unit's input in its ranges merged before. */
  #lineOffset = 0;
  #wake: (() => void) | undefined;
  #crash: Error | undefined;
  /** Bytes of batches waiting per unit not yet at the head (for the local share's backpressure). */
  #waiting = new Map<number, number>();

  constructor(units: readonly ValidateUnit[], labels: EndpointLabels, sink: MergeSink) {
    this.#units = units;
    this.#states = units.map(() => ({ batches: [], done: false, lines: 0, error: undefined }));
    this.#labels = labels;
    this.#sink = sink;
  }

  get failed(): boolean {
    return this.#crash !== undefined;
  }

  /** Queues a batch; true when its thread should wait for it to be merged before reading on. */
  push(unit: number, pending: Pending): boolean {
    this.#states[unit]!.batches.push(pending);
    this.#signal();
    if (unit === this.#head) return false;
    const ahead = (this.#waiting.get(unit) ?? 0) + batchSize(pending.batch.codes, pending.batch.verdicts.length);
    this.#waiting.set(unit, ahead);
    return ahead > AHEAD_BYTES;
  }

  done(unit: number, lines: number): void {
    const state = this.#states[unit]!;
    state.done = true;
    state.lines = lines;
    this.#signal();
  }

  fail(unit: number, error: UserError): void {
    this.#states[unit]!.error = error;
    this.#signal();
  }

  crash(error: Error): void {
    this.#crash ??= error;
    this.#signal();
  }

  /** The run is over: threads waiting for their batches to be merged go on (and find it over). */
  release(): void {
    this.#crash ??= new Error('the merge has ended');
    for (const state of this.#states) for (const pending of state.batches.splice(0)) pending.merged();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async run(): Promise<void> {
    while (this.#head < this.#units.length) {
      if (this.#crash) throw this.#crash;
      const state = this.#states[this.#head]!;
      const pending = state.batches.shift();
      if (pending) {
        await this.#apply(this.#units[this.#head]!, pending.batch);
        pending.merged();
        continue;
      }
      if (state.error) {
        this.#crash = state.error;
        throw state.error;
      }
      if (state.done) {
        const unit = this.#units[this.#head]!;
        const nextUnit = this.#units[this.#head + 1];
        this.#lineOffset = nextUnit !== undefined && nextUnit.input === unit.input ? this.#lineOffset + state.lines : 0;
        this.#head++;
        this.#waiting.delete(this.#head);
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  async #apply(unit: ValidateUnit, batch: UnitBatch): Promise<void> {
    const { codes, verdicts } = batch;
    const file = unit.source.name;
    const offset = this.#lineOffset;
    let v = 0;
    for (let i = 0; i < codes.length; i += 3) {
      const code = codes[i]!;
      if (code === VERDICT) {
        const verdict = verdicts[v++]!;
        await this.#sink.verdict({ file, line: verdict.line + offset, input: unit.input }, verdict);
      } else {
        this.#sink.valid(this.#labels.label(code), { file, line: 0, input: unit.input }, codes[i + 1]!, codes[i + 2]!);
      }
    }
    this.#sink.progress(batch.judged, batch.bytes);
  }
}
