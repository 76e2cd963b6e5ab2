/** The messages between `validate`'s main thread and its worker threads (validate-pool.ts). */
import type { Credentials } from '../apis/api.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { PortableVerdicts } from './validate-portable.js';
import type { ValidateUnit } from './validate-unit.js';

export interface ValidateWorkerData {
  readonly judge: JudgeOptions & { readonly credentials?: Credentials };
  /** Endpoint labels in index order (EndpointLabels), the same in every thread. */
  readonly labels: readonly string[];
  readonly delimiter: string | undefined;
  /** Bytes of batches a worker may have handed over and not yet seen merged: its backpressure. */
  readonly aheadBytes: number;
}

export type ToWorker = { readonly type: 'unit'; readonly unit: ValidateUnit } | { readonly type: 'ack'; readonly size: number } | { readonly type: 'stop' };

export type FromWorker =
  | {
      readonly type: 'batch';
      readonly unit: number;
      /** UnitBatch.codes' buffer, transferred. */
      readonly codes: ArrayBuffer;
      readonly verdicts: PortableVerdicts;
      readonly judged: number;
      readonly bytes: number;
      /** What the batch counts against the worker's aheadBytes. */
      readonly size: number;
    }
  | { readonly type: 'done'; readonly unit: number; readonly lines: number }
  /** The unit's input could not be read (a UserError's message): the run stops there, as with --workers 0. */
  | { readonly type: 'error'; readonly unit: number; readonly message: string; readonly exitCode: number; readonly hint: string | undefined };

/** A batch's weight for backpressure: its codes plus a rough size for each record with findings. */
export function batchSize(codes: Uint32Array, verdicts: number): number {
  return codes.byteLength + verdicts * 1024;
}
