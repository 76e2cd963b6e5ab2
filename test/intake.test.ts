import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, Origin, RawRecord } from '../src/records.js';
import { RecordIntake, type Admitted, type IntakeOptions } from '../src/replay/intake/intake.js';
import { RunStats } from '../src/report/stats.js';
import { sudRecord } from './helpers/replay.js';

const raw = (value: JsonObject, line: number): RawRecord => ({ origin: { file: 'log.ndjson', line, input: 0 }, format: 'ndjson', value });

function setup(overrides: Partial<IntakeOptions> = {}) {
  const stats = new RunStats('replay', 5);
  const settled: number[] = [];
  const remembered: string[] = [];
  const written: number[] = [];
  const options: IntakeOptions = {
    judge: { api: 'auto', strict: false, allowUnknownAid: false, nowMs: Date.now() },
    shard: undefined,
    unique: false,
    writeInvalid: (judgement) => {
      written.push(judgement.origin.line);
      return Promise.resolve();
    },
    settle: (origin: Origin) => settled.push(origin.line),
    rememberKey: (_origin, key) => remembered.push(key),
    ...overrides,
  };
  const intake = new RecordIntake(options, stats);
  const admit = (value: JsonObject, line: number, loop = 0) => intake.admit(intake.judge(raw(value, line)), loop);
  return { intake, stats, settled, remembered, written, admit };
}

const isAdmitted = (x: unknown): x is Admitted => typeof x === 'object' && x !== null && 'record' in x;

test('a valid record is handed on to its endpoint, not settled yet (it settles when its request ends)', () => {
  const { admit, settled, remembered } = setup();
  const admitted = admit(sudRecord(1), 1);
  assert.ok(isAdmitted(admitted));
  assert.equal(admitted.endpoint.id, 'sud.report_game_info');
  assert.equal(admitted.record.origin.line, 1);
  assert.deepEqual(settled, []);
  assert.deepEqual(remembered, ['game_start:round-1'], 'the checkpoint keeps the key for --resume');
});

test('a SUD report whose key was already sent in this run is skipped as a duplicate, counted and settled', () => {
  const { admit, stats, settled, remembered } = setup();
  assert.ok(isAdmitted(admit(sudRecord(1), 1)));
  assert.equal(admit(sudRecord(1), 2), undefined, 'the same (report_type, game_round_id) again');
  assert.ok(isAdmitted(admit(sudRecord(2), 3)), 'another round goes');
  assert.deepEqual(settled, [2]);
  assert.deepEqual(remembered, ['game_start:round-1', 'game_start:round-2']);
  assert.equal(stats.byEndpoint.get('sud.report_game_info')?.duplicates, 1);
});

test('keys an earlier run of the backfill sent (--resume) are duplicates here too', () => {
  const { intake, admit, settled } = setup();
  intake.knowSentKeys(['game_start:round-7']);
  assert.equal(admit(sudRecord(7), 1), undefined);
  assert.deepEqual(settled, [1]);
});

test('--unique rewrites the key per loop, so a looped log sends each round again', () => {
  const { admit } = setup({ unique: true });
  const first = admit(sudRecord(1), 1, 0);
  const again = admit(sudRecord(1), 1, 1);
  assert.ok(isAdmitted(first) && isAdmitted(again), 'both loops send it');
  assert.equal((first.record.value.report_msg as JsonObject).game_round_id, 'round-1');
  assert.equal((again.record.value.report_msg as JsonObject).game_round_id, 'round-1-L1');
  assert.equal(admit(sudRecord(1), 2, 1), undefined, 'within one loop a repeat is still a duplicate');
});

test('without --unique, the second loop of a SUD log sends nothing twice', () => {
  const { admit } = setup();
  assert.ok(isAdmitted(admit(sudRecord(1), 1, 0)));
  assert.equal(admit(sudRecord(1), 1, 1), undefined);
});

test('an invalid record goes to --failed and settles only after it is written', async () => {
  let release!: () => void;
  const { admit, settled, written } = setup({
    writeInvalid: (judgement) => {
      written.push(judgement.origin.line);
      return new Promise<void>((resolve) => (release = resolve));
    },
  });
  const pending = admit({ report_type: 'game_start', report_msg: {} }, 4);
  assert.ok(pending instanceof Promise, 'the caller waits for --failed (its backpressure)');
  assert.deepEqual(written, [4]);
  await Promise.resolve();
  assert.deepEqual(settled, [], 'not settled while the line is being written');
  release();
  await pending;
  assert.deepEqual(settled, [4]);
});

test('with --shard K/N, every record is admitted by exactly one of the N shards, and counted only there', () => {
  const N = 3;
  const shards = Array.from({ length: N }, (_, index) => setup({ shard: { index, count: N } }));
  const owners: number[] = [];
  for (let i = 0; i < 60; i++) {
    const takers = shards.map((s) => s.admit(sudRecord(i), i + 1)).flatMap((result, k) => (isAdmitted(result) ? [k] : []));
    assert.equal(takers.length, 1, `record ${i} belongs to one shard`);
    owners.push(takers[0]!);
  }
  for (let k = 0; k < N; k++) {
    const mine = owners.filter((o) => o === k).length;
    assert.ok(mine > 0, `shard ${k} gets some records`);
    const counts = shards[k]!.stats.byEndpoint.get('sud.report_game_info')!;
    assert.equal(counts.records, mine, 'a shard counts only its own records, so merged reports add up');
    assert.equal(counts.otherShard, 60 - mine);
    assert.equal(shards[k]!.settled.length, 60 - mine, "other shards' records settle at once");
  }
});

test("a round's start and settle land in the same shard", () => {
  const N = 4;
  const shards = Array.from({ length: N }, (_, index) => setup({ shard: { index, count: N } }));
  for (let i = 0; i < 20; i++) {
    const settle = { ...sudRecord(i), report_type: 'game_settle' };
    const startOwner = shards.findIndex((s) => isAdmitted(s.admit(sudRecord(i), 2 * i + 1)));
    // Invalid as a settle (it has no results), so its shard writes it to --failed: what matters is which shard keeps it.
    const settleOwner = shards.findIndex((s) => s.admit(settle, 2 * i + 2) !== undefined);
    assert.ok(startOwner >= 0);
    assert.equal(settleOwner, startOwner, `round ${i}`);
  }
});
