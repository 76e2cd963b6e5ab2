/**
 * The messages between the main thread and the threads of a unit pipeline (unit-threads.ts,
 * unit-worker.ts): a thread says when it is ready; units go out one at a time; batches come
 * back with a payload the command defines (transferred buffers, never a message per record),
 * and the main thread acknowledges each batch it applied, which is the threads' backpressure.
 */
import type { InputUnit } from './units.js';

export type ToWorker = { readonly type: 'unit'; readonly unit: InputUnit } | { readonly type: 'ack'; readonly size: number } | { readonly type: 'stop' };

export type FromWorker<P> =
  /** The thread has loaded its modules and takes units from now on. */
  | { readonly type: 'ready' }
  | {
      readonly type: 'batch';
      readonly unit: number;
      readonly payload: P;
      /** What the batch counts against the thread's aheadBytes. */
      readonly size: number;
    }
  | { readonly type: 'done'; readonly unit: number; readonly lines: number }
  /** The unit's input could not be read (a UserError's message): the run stops there, as with --workers 0. */
  | { readonly type: 'error'; readonly unit: number; readonly message: string; readonly exitCode: number; readonly hint: string | undefined };

/** What every unit thread is given, beside its command's own data. */
export interface UnitWorkerData {
  /** Bytes of batches a thread may have handed over and not yet seen merged: its backpressure. */
  readonly aheadBytes: number;
}
