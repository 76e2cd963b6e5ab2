import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, PendingRequest } from '../src/apis/api.js';
import type { WireRequest } from '../src/apis/encode.js';
import type { JsonObject } from '../src/records.js';
import type { Admitted } from '../src/replay/intake/intake.js';
import { ConstantPacer } from '../src/replay/schedule/pacer.js';
import { RequestFlow, unixClock, type RequestFlowOptions, type Timing } from '../src/replay/schedule/requests.js';
import { RecordJudge } from '../src/validate/judge.js';
import { downloadRecord, SESSION_KEY, STAT_SECRET, statRecord } from './helpers/replay.js';

const NOW_S = 1_700_000_000;
const judge = new RecordJudge({ api: 'auto', strict: false, allowUnknownAid: false, nowMs: NOW_S * 1000 }, undefined);

function admitted(value: JsonObject, line: number): Admitted {
  const judgement = judge.judge({ origin: { file: 'log.ndjson', line, input: 0 }, format: 'ndjson', value });
  assert.ok(judgement.record && judgement.endpoint, `line ${line} is valid: ${JSON.stringify(judgement.findings)}`);
  return { record: judgement.record, endpoint: judgement.endpoint };
}

interface Sent {
  readonly request: PendingRequest;
  readonly wire: WireRequest;
  readonly dueAt: number;
}

function flow(timing: Timing, clock: { ms: number }) {
  const sent: Sent[] = [];
  const unsent: PendingRequest[] = [];
  let pacedOut = 0;
  const options: RequestFlowOptions = {
    build: { batchSize: 50, maxUrlBytes: 8000, statParams: 'query', ts: 'keep', keepAuth: false, downloadOpenidField: 'oepnid' },
    target: { baseUrl: 'http://127.0.0.1:9' },
    credentials: { statSecret: STAT_SECRET, statSessionKey: SESSION_KEY },
    signer: undefined,
    cwd: process.cwd(),
    timing,
    sink: (request, wire, _endpoint: Endpoint, dueAt) => void sent.push({ request, wire, dueAt }),
    onPacedOut: () => pacedOut++,
    onUnsent: (request) => void unsent.push(request),
    now: () => clock.ms,
    nowSeconds: () => NOW_S,
  };
  return { requests: new RequestFlow(options), sent, unsent, pacedOut: () => pacedOut };
}

async function addAll(requests: RequestFlow, records: readonly Admitted[]): Promise<void> {
  await requests.prepare(new Set(records.map((r) => r.endpoint)));
  for (const record of records) await requests.add(record);
}

test('paced requests are due at the pacer\'s times from the first request, whatever the clock says when they are built', async () => {
  const clock = { ms: 5000 };
  const { requests, sent } = flow({ kind: 'pacer', pacer: new ConstantPacer(100), durationMs: undefined }, clock);
  const records = [0, 1, 2, 3].map((i) => admitted(downloadRecord(i), i + 1));
  await requests.prepare([records[0]!.endpoint]);
  for (const record of records) {
    await requests.add(record);
    clock.ms += 3; // building takes time; the schedule does not move with it
  }
  assert.equal(requests.startAt, 5000);
  assert.deepEqual(sent.map((s) => s.dueAt), [5000, 5010, 5020, 5030]);
});

test('each download record becomes one form request to its path on the target, in input order', async () => {
  const { requests, sent } = flow({ kind: 'unlimited' }, { ms: 0 });
  await addAll(requests, [admitted(downloadRecord(1), 1), admitted(downloadRecord(2), 2)]);
  assert.equal(sent.length, 2);
  for (const [i, { wire, request }] of sent.entries()) {
    assert.equal(wire.method, 'POST');
    assert.equal(wire.url, 'http://127.0.0.1:9/service/downloadEvent');
    assert.match(wire.body ?? '', new RegExp(`(^|&)oepnid=player-${i + 1}(&|$)`));
    assert.deepEqual(request.records.map((r) => r.origin.line), [i + 1]);
  }
});

test('unlimited timing: a request is due the moment it is built', async () => {
  const clock = { ms: 100 };
  const { requests, sent } = flow({ kind: 'unlimited' }, clock);
  const records = [1, 2].map((i) => admitted(downloadRecord(i), i));
  await requests.prepare([records[0]!.endpoint]);
  await requests.add(records[0]!);
  clock.ms = 250;
  await requests.add(records[1]!);
  assert.deepEqual(sent.map((s) => s.dueAt), [100, 250]);
});

test('--duration: requests due at or after its end are never sent, and the end is reported once', async () => {
  const { requests, sent, unsent, pacedOut } = flow({ kind: 'pacer', pacer: new ConstantPacer(100), durationMs: 25 }, { ms: 0 });
  await addAll(requests, [1, 2, 3, 4, 5].map((i) => admitted(downloadRecord(i), i)));
  assert.deepEqual(sent.map((s) => s.dueAt), [0, 10, 20], 'due at 0, 10 and 20 ms: inside 25 ms');
  assert.deepEqual(unsent.map((r) => r.records[0]!.origin.line), [4, 5]);
  assert.equal(pacedOut(), 1);
});

test('stat events wait for their batch; the end of input sends it, signed', async () => {
  const { requests, sent } = flow({ kind: 'unlimited' }, { ms: 0 });
  await addAll(requests, [0, 1, 2].map((i) => admitted(statRecord(i, 1), i + 1)));
  assert.equal(sent.length, 0, 'held: a batch fills up to --batch-size');
  await requests.flush();
  assert.equal(sent.length, 1, 'three events of one user, one request');
  assert.deepEqual(sent[0]!.request.records.map((r) => r.origin.line), [1, 2, 3]);
  assert.match(sent[0]!.wire.url, /[?&]__md5=[0-9a-f]{32}(&|$)/);
  assert.match(sent[0]!.wire.url, new RegExp(`[?&]session_key=${SESSION_KEY}(&|$)`));
});

test('a run that stops with events still held hands them to onUnsent instead of sending them', async () => {
  const { requests, sent, unsent } = flow({ kind: 'unlimited' }, { ms: 0 });
  await addAll(requests, [0, 1].map((i) => admitted(statRecord(i, 1), i + 1)));
  requests.discardHeld();
  assert.equal(sent.length, 0);
  assert.deepEqual(unsent.flatMap((r) => r.records.map((rec) => rec.origin.line)), [1, 2]);
});

test('SOURCE_DATE_EPOCH fixes the clock used for ts and signatures (the same dry-run bytes every time)', () => {
  assert.equal(unixClock({ SOURCE_DATE_EPOCH: '1234567890' })(), 1234567890);
  const wall = unixClock({ SOURCE_DATE_EPOCH: 'soon' })();
  assert.ok(Number.isInteger(wall) && wall > 1234567890, 'not digits: the wall clock, in whole seconds');
});
