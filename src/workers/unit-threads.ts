/**
 * Starting a unit pipeline's worker threads on the main thread (validate-pool.ts,
 * replay-pool.ts): each thread is handed a unit once it is ready (loaded) and the next each
 * time it finishes one, its batches go to the OrderedMerge, and a thread that breaks (throws,
 * exits, is killed) stops the run with a WorkerFailedError instead of a hang.
 */
import { Worker } from 'node:worker_threads';
import { UserError, ExitCode, type ExitCode as ExitCodeValue } from '../errors.js';
import type { OrderedMerge } from './ordered-merge.js';
import type { FromWorker, ToWorker, UnitWorkerData } from './unit-protocol.js';
import type { InputUnit } from './units.js';

/**
 * A worker's young generation, at most (V8's default lets it grow to 48 MB a thread). A
 * thread's garbage is its batches' short-lived strings and records, cheap to collect at 16 MB:
 * it took 12 MB off a replay's peak RSS with one worker and cost validate no time
 * (docs/BENCHMARKS.md "rss").
 */
const YOUNG_GENERATION_MB = 16;

/** A worker thread stopped without finishing its work (a bug, or killed): the run stops (exit 2). */
export class WorkerFailedError extends UserError {
  constructor(command: 'validate' | 'replay', reason: string) {
    super(`a ${command} worker thread failed: ${reason}`, { exitCode: ExitCode.Usage, hint: `run again with --workers 0 to ${command} on one thread` });
    this.name = 'WorkerFailedError';
  }
}

export interface UnitThreadsOptions<P, B> {
  /** The worker's script (its module calls serveUnits). */
  readonly script: URL;
  readonly workerData: UnitWorkerData;
  readonly count: number;
  /** The next unit to read, or undefined when there is none left (or the run stops). */
  readonly take: () => InputUnit | undefined;
  readonly merge: OrderedMerge<B>;
  /** A batch's payload as it arrived, made into the merge's batch. */
  readonly receive: (payload: P) => B;
  /** Whose threads they are, for the error a broken thread stops the run with. */
  readonly command: 'validate' | 'replay';
}

export interface UnitThreads {
  /** Settles once every thread is ready to take units, or has failed (the merge then knows). */
  readonly ready: Promise<void>;
  /** Ends the threads (call it once the merge has ended). */
  readonly stop: () => Promise<void>;
}

/** Starts the threads. */
export function startUnitThreads<P, B>(options: UnitThreadsOptions<P, B>): UnitThreads {
  const { merge } = options;
  const workers: Worker[] = [];
  const started: Promise<void>[] = [];
  /** Each thread's `ready` settler: called when it is ready, fails or is stopped (so `ready` never hangs). */
  const readiers: (() => void)[] = [];
  for (let i = 0; i < options.count; i++) {
    const worker = new Worker(options.script, { workerData: options.workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    workers.push(worker);
    let readied = (): void => {};
    started.push(new Promise<void>((resolve) => (readied = resolve)));
    readiers.push(readied);
    const send = (message: ToWorker): void => worker.postMessage(message);
    let open = 0;
    const give = (): void => {
      const unit = options.take();
      if (unit) {
        open = unit.index + 1;
        send({ type: 'unit', unit });
      } else open = 0;
    };
    worker.on('message', (message: FromWorker<P>) => {
      if (message.type === 'ready') {
        // Only a thread that has loaded takes a unit: one still starting (~0.3 s) would hold
        // the first unit while the main thread, which judges too (validate), waits to merge it.
        readied();
        give();
      } else if (message.type === 'batch') {
        const size = message.size;
        merge.push(message.unit, { batch: options.receive(message.payload), merged: () => send({ type: 'ack', size }) });
      } else if (message.type === 'done') {
        merge.done(message.unit, message.lines);
        give();
      } else {
        merge.fail(message.unit, new UserError(message.message, { exitCode: message.exitCode as ExitCodeValue, hint: message.hint }));
      }
    });
    worker.on('error', (err) => {
      readied();
      merge.crash(new WorkerFailedError(options.command, err.message));
    });
    worker.on('exit', (code) => {
      readied();
      if (open !== 0 || code !== 0) merge.crash(new WorkerFailedError(options.command, `it exited with code ${code}`));
    });
  }
  return {
    ready: Promise.all(started).then(() => {}),
    stop: async () => {
      // A thread stopped before it was ready (the others took every unit) is not waited for.
      for (const readied of readiers) readied();
      for (const worker of workers) {
        worker.removeAllListeners('exit');
        worker.on('exit', () => {});
        worker.postMessage({ type: 'stop' } satisfies ToWorker);
      }
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
