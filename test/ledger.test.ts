import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidRecord } from '../src/records.js';
import type { Checkpoint } from '../src/replay/checkpoint/checkpoint.js';
import { DELIVERED, UNSENT, type Settlement } from '../src/replay/delivery/attempt.js';
import type { Delivery } from '../src/replay/delivery/dispatcher.js';
import { RecordLedger } from '../src/replay/delivery/ledger.js';
import type { FailedWriter } from '../src/report/failed.js';

/** What the run's state saw, in order: lines counted, lines settled in the checkpoint, lines written to --failed. */
interface Seen {
  counted: string[];
  settled: string[];
  written: string[];
}

function records(...lines: number[]): ValidRecord[] {
  return lines.map((line) => ({ origin: { file: 'log.ndjson', line, input: 0 }, endpoint: 'sud.report_game_info', value: {}, meta: {}, seq: line }));
}

const delivery = (recs: readonly ValidRecord[]): Delivery => ({ request: { records: recs } }) as unknown as Delivery;

function setup(options: { failedFile: boolean; failWritingLine?: number }) {
  const seen: Seen = { counted: [], settled: [], written: [] };
  const writeErrors: unknown[] = [];
  const failed = {
    writeUndelivered: async (record: ValidRecord, error: string) => {
      await Promise.resolve();
      if (record.origin.line === options.failWritingLine) throw new Error('ENOSPC: no space left on device');
      seen.written.push(`${record.origin.line} ${error}`);
    },
  } as unknown as FailedWriter;
  const checkpoint = { settle: (input: number, line: number) => seen.settled.push(`${input}:${line}`) } as unknown as Checkpoint;
  const ledger = new RecordLedger(
    options.failedFile ? failed : undefined,
    checkpoint,
    (_delivery, recs, settlement) => {
      for (const r of recs) seen.counted.push(`${r.origin.line} ${settlement.kind}`);
    },
    (err) => writeErrors.push(err),
  );
  return { ledger, seen, writeErrors };
}

const failure = (cause: string, excerpt?: string): Settlement => ({ kind: 'failed', cause, excerpt, uncertain: false });

test('delivered records are counted and settled in the checkpoint, so --resume does not send them again', async () => {
  const { ledger, seen } = setup({ failedFile: true });
  await ledger.settle(delivery(records(1, 2, 3)), DELIVERED);
  assert.deepEqual(seen.counted, ['1 delivered', '2 delivered', '3 delivered']);
  assert.deepEqual(seen.settled, ['0:1', '0:2', '0:3']);
  assert.deepEqual(seen.written, [], 'nothing goes to --failed');
});

test('unsent records (stopped, aborted) are counted but left unsettled for --resume', async () => {
  const { ledger, seen } = setup({ failedFile: true });
  await ledger.settle(delivery(records(4, 5)), UNSENT);
  assert.deepEqual(seen.counted, ['4 unsent', '5 unsent']);
  assert.deepEqual(seen.settled, []);
});

test('failed records go to --failed with the cause and the answer, and settle only once written', async () => {
  const { ledger, seen } = setup({ failedFile: true });
  const pending = ledger.settle(delivery(records(7, 8)), failure('http 403', 'bad signature'));
  assert.ok(pending instanceof Promise, 'the dispatcher waits for --failed before the request counts as settled');
  assert.deepEqual(seen.settled, [], 'not settled before the line is written');
  await pending;
  assert.deepEqual(seen.written, ['7 http 403: bad signature', '8 http 403: bad signature']);
  assert.deepEqual(seen.counted, ['7 failed', '8 failed']);
  assert.deepEqual(seen.settled, ['0:7', '0:8']);
  assert.equal(ledger.unwritten, 0);
});

test('a failure with no answer is written with its cause alone', async () => {
  const { ledger, seen } = setup({ failedFile: true });
  await ledger.settle(delivery(records(9)), failure('timeout'));
  assert.deepEqual(seen.written, ['9 timeout']);
});

test('without a --failed file, failed records are counted and settled at once', async () => {
  const { ledger, seen } = setup({ failedFile: false });
  const result = ledger.settle(delivery(records(1, 2)), failure('ECONNREFUSED'));
  assert.equal(result, undefined);
  assert.deepEqual(seen.counted, ['1 failed', '2 failed']);
  assert.deepEqual(seen.settled, ['0:1', '0:2']);
});

test('a --failed line that cannot be written leaves it and the rest of the request uncounted and unsettled, and stops the run', async () => {
  const { ledger, seen, writeErrors } = setup({ failedFile: true, failWritingLine: 12 });
  await ledger.settle(delivery(records(11, 12, 13)), failure('http 500'));
  assert.deepEqual(seen.written, ['11 http 500']);
  assert.deepEqual(seen.counted, ['11 failed'], 'only the written record is counted: the resume sends the others and counts them then');
  assert.deepEqual(seen.settled, ['0:11']);
  assert.equal(ledger.unwritten, 2);
  assert.equal(writeErrors.length, 1);
  assert.match(String(writeErrors[0]), /ENOSPC/);
});
