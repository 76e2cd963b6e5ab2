/** What `replay`'s worker threads are given (replay-pool.ts, replay-worker.ts); batches cross as replay-batch.ts says. */
import type { BuildOptions } from '../apis/api.js';
import type { Target } from '../apis/encode.js';
import type { JudgeOptions } from '../validate/judge.js';
import type { UnitWorkerData } from './unit-protocol.js';

export interface ReplayWorkerData extends UnitWorkerData {
  /** As the main thread judges (credentials applied), without the wire options: the thread makes its own. */
  readonly judge: Omit<JudgeOptions, 'wire'>;
  /** The run's build options (RequestFlow.buildOptions) but its clock, which the thread makes from SOURCE_DATE_EPOCH as the main thread does. */
  readonly build: Omit<BuildOptions, 'nowSeconds' | 'timeOf'>;
  readonly target: Target;
  /** Where the run was started (signer modules are never loaded in a thread: such runs use --workers 0). */
  readonly cwd: string;
  /** The run's SOURCE_DATE_EPOCH, which fixes the clock of `ts` and signatures (unixClock). */
  readonly sourceDateEpoch: string | undefined;
}
