/**
 * The loop of a unit pipeline's worker thread (validate-worker.ts, replay-worker.ts): takes
 * the units the main thread hands it, one at a time, and posts each unit's batches back
 * (their buffers transferred, not copied). It stops reading while more than `aheadBytes` of
 * its batches wait unmerged, so memory stays flat however far the merge lags.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import type { FromWorker, ToWorker, UnitWorkerData } from './unit-protocol.js';
import type { InputUnit } from './units.js';

/** Hands one batch to the main thread; resolves when the thread may read on. */
export type Emit<P> = (payload: P, size: number, transfer: ArrayBuffer[]) => Promise<void>;

/** Runs `work` on each unit handed over; `work` returns the lines the unit held. */
export function serveUnits<P>(work: (unit: InputUnit, emit: Emit<P>) => Promise<number>): void {
  const data = workerData as UnitWorkerData;
  const port = parentPort!;
  // A test hook (test/cli-validate-workers-fault.test.ts, test/replay-workers-once.test.ts): a
  // worker that throws or exits when handed unit K or a later one (`exit:K`; K is 1 unless
  // given), or exits once the main thread has merged K of its batches (`exit-merged:K`: mid-run
  // for sure), to show the run stops cleanly; or the thread whose threadId is K never says it
  // is ready (`never-ready:K`), to show the run ends without it.
  const [fault, faultAt] = (process.env.REPORT_REPLAY_TEST_WORKER_FAULT ?? '').split(':');
  const faultFrom = faultAt === undefined ? 1 : Number(faultAt);
  let ahead = 0;
  let wakeUp: (() => void) | undefined;
  const units: InputUnit[] = [];
  let working = false;

  const post = (message: FromWorker<P>, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const emitFor =
    (unit: InputUnit): Emit<P> =>
    async (payload, size, transfer) => {
      ahead += size;
      post({ type: 'batch', unit: unit.index, payload, size }, transfer);
      if (ahead > data.aheadBytes) await new Promise<void>((resolve) => (wakeUp = resolve));
    };

  const run = async (): Promise<void> => {
    working = true;
    while (units.length > 0) {
      const unit = units.shift()!;
      if (fault === 'throw' && unit.index >= faultFrom) throw new Error('test fault: a worker threw');
      if (fault === 'exit' && unit.index >= faultFrom) process.exit(3);
      try {
        const lines = await work(unit, emitFor(unit));
        post({ type: 'done', unit: unit.index, lines });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        post({ type: 'error', unit: unit.index, message: err.message, exitCode: err.exitCode, hint: err.hint });
        return;
      }
    }
    working = false;
  };

  let merged = 0;
  port.on('message', (message: ToWorker) => {
    if (message.type === 'ack') {
      if (fault === 'exit-merged' && ++merged >= faultFrom) process.exit(3);
      ahead -= message.size;
      if (ahead <= data.aheadBytes && wakeUp) {
        const wake = wakeUp;
        wakeUp = undefined;
        wake();
      }
    } else if (message.type === 'unit') {
      units.push(message.unit);
      if (!working) void run();
    } else {
      port.close();
    }
  });
  // This runs once the worker's modules are loaded (it is called from their last line).
  if (fault === 'never-ready' && threadId === faultFrom) return;
  post({ type: 'ready' });
}
