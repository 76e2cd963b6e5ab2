/**
 * A `validate --workers` thread: judges the units the main thread hands it (unit-worker.ts)
 * and posts each unit's batches back, codes transferred (README "validate").
 */
import { workerData } from 'node:worker_threads';
import { RecordJudge } from '../validate/judge.js';
import { toPortable } from './validate-portable.js';
import { batchSize, type ValidatePayload, type ValidateWorkerData } from './validate-protocol.js';
import { EndpointLabels, judgeUnit } from './validate-unit.js';
import { serveUnits } from './unit-worker.js';

const data = workerData as ValidateWorkerData;
const judge = new RecordJudge(data.judge, undefined);
const labels = new EndpointLabels(data.labels);

serveUnits<ValidatePayload>(async (unit, emit) => {
  const batches = judgeUnit(unit, judge, labels, { delimiter: data.delimiter });
  for (;;) {
    const next = await batches.next();
    if (next.done) return next.value;
    const { codes, verdicts, judged, bytes } = next.value;
    const buffer = codes.buffer as ArrayBuffer;
    await emit({ codes: buffer, verdicts: toPortable(verdicts), judged, bytes }, batchSize(codes, verdicts.length), [buffer]);
  }
});
