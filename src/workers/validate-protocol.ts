/** What `validate`'s worker threads are given and hand back (validate-pool.ts, unit-protocol.ts). */
import type { Credentials } from '../apis/api.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { PortableVerdicts } from './validate-portable.js';
import type { UnitWorkerData } from './unit-protocol.js';

export interface ValidateWorkerData extends UnitWorkerData {
  readonly judge: JudgeOptions & { readonly credentials?: Credentials };
  /** Endpoint labels in index order (EndpointLabels), the same in every thread. */
  readonly labels: readonly string[];
  readonly delimiter: string | undefined;
}

/** A batch as it crosses from a worker. */
export interface ValidatePayload {
  /** UnitBatch.codes' buffer, transferred. */
  readonly codes: ArrayBuffer;
  readonly verdicts: PortableVerdicts;
  readonly judged: number;
  readonly bytes: number;
}

/** A batch's weight for backpressure: its codes plus a rough size for each record with findings. */
export function batchSize(codes: Uint32Array, verdicts: number): number {
  return codes.byteLength + verdicts * 1024;
}
