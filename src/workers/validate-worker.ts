/**
 * A `validate --workers` thread: judges the units the main thread hands it, one at a time,
 * and posts each unit's batches back (codes transferred, not copied). It stops reading while
 * more than `aheadBytes` of its batches wait unmerged, so memory stays flat however far the
 * merge lags (README "validate").
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../errors.js';
import { RecordJudge } from '../validate/judge.js';
import { toPortable } from './validate-portable.js';
import { batchSize, type FromWorker, type ToWorker, type ValidateWorkerData } from './validate-protocol.js';
import { EndpointLabels, judgeUnit, type ValidateUnit } from './validate-unit.js';

const data = workerData as ValidateWorkerData;
const port = parentPort!;
const judge = new RecordJudge(data.judge, undefined);
const labels = new EndpointLabels(data.labels);
let ahead = 0;
let wakeUp: (() => void) | undefined;
const units: ValidateUnit[] = [];
let working = false;

// A test hook (test/cli-validate-workers.test.ts): a worker that fails, to show the run stops cleanly.
const fault = process.env.REPORT_REPLAY_TEST_WORKER_FAULT;

port.on('message', (message: ToWorker) => {
  if (message.type === 'ack') {
    ahead -= message.size;
    if (ahead <= data.aheadBytes && wakeUp) {
      const wake = wakeUp;
      wakeUp = undefined;
      wake();
    }
  } else if (message.type === 'unit') {
    units.push(message.unit);
    if (!working) void work();
  } else {
    port.close();
  }
});

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function work(): Promise<void> {
  working = true;
  while (units.length > 0) {
    const unit = units.shift()!;
    if (fault === 'throw' && unit.index > 0) throw new Error('test fault: a worker threw');
    if (fault === 'exit' && unit.index > 0) process.exit(3);
    try {
      const batches = judgeUnit(unit, judge, labels, { delimiter: data.delimiter });
      for (;;) {
        const next = await batches.next();
        if (next.done) {
          post({ type: 'done', unit: unit.index, lines: next.value });
          break;
        }
        const { codes, verdicts, judged, bytes } = next.value;
        const size = batchSize(codes, verdicts.length);
        ahead += size;
        const buffer = codes.buffer as ArrayBuffer;
        post({ type: 'batch', unit: unit.index, codes: buffer, verdicts: toPortable(verdicts), judged, bytes, size }, [buffer]);
        if (ahead > data.aheadBytes) await new Promise<void>((resolve) => (wakeUp = resolve));
      }
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      post({ type: 'error', unit: unit.index, message: err.message, exitCode: err.exitCode, hint: err.hint });
      return;
    }
  }
  working = false;
}
