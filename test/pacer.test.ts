import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConstantPacer, LinearPacer, type Pacer } from '../src/replay/schedule/pacer.js';
import { parseRamp } from '../src/commands/options/values.js';
import { parseDuration } from '../src/commands/options/duration.js';
import { UsageError } from '../src/errors.js';
import type { PendingRequest } from '../src/apis/api.js';
import { getEndpoint } from '../src/apis/registry.js';
import { OriginalPace } from '../src/replay/schedule/original-pace.js';

/** Requests due strictly before `ms` (due times are increasing). */
function dueBefore(pacer: Pacer, ms: number, limit = 10_000_000): number {
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (pacer.dueMs(mid) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe('ConstantPacer', () => {
  const rows: { name: string; rate: number; i: number; due: number }[] = [
    { name: 'the first request is due at the start', rate: 100, i: 0, due: 0 },
    { name: 'request 1 at 100/s is due after 10 ms', rate: 100, i: 1, due: 10 },
    { name: 'request 250 at 100/s is due at 2.5 s', rate: 100, i: 250, due: 2500 },
    { name: 'a fractional rate spaces requests by its inverse', rate: 0.5, i: 3, due: 6000 },
    { name: 'a high rate gives sub-millisecond spacing', rate: 4000, i: 6, due: 1.5 },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(new ConstantPacer(row.rate).dueMs(row.i), row.due);
    });
  }

  it('does not drift over a million requests', () => {
    const pacer = new ConstantPacer(3000);
    for (const i of [999_999, 1_000_000, 3_000_000]) {
      assert.ok(Math.abs(pacer.dueMs(i) - (i / 3000) * 1000) < 1e-6, `request ${i}`);
    }
    // Summing intervals would drift; due times from the start must stay monotone and exact.
    let previous = -1;
    for (let i = 0; i < 1_000_000; i += 997) {
      const due = pacer.dueMs(i);
      assert.ok(due > previous);
      previous = due;
    }
  });

  for (const rate of [0, -5, NaN, Infinity]) {
    it(`rejects a rate of ${rate}`, () => {
      assert.throws(() => new ConstantPacer(rate), RangeError);
    });
  }
});

describe('LinearPacer', () => {
  it('sends the integral of the ramp: 0→100 over 10 s is 500 requests', () => {
    const pacer = new LinearPacer(0, 100, 10_000);
    assert.equal(dueBefore(pacer, 10_000), 500);
    assert.equal(dueBefore(pacer, 5_000), 125);
  });

  it('sends 1500 requests in a 100→200 ramp over 10 s, spaced ever closer', () => {
    const pacer = new LinearPacer(100, 200, 10_000);
    assert.equal(dueBefore(pacer, 10_000), 1500);
    const early = pacer.dueMs(2) - pacer.dueMs(1);
    const late = pacer.dueMs(1400) - pacer.dueMs(1399);
    assert.ok(Math.abs(early - 10) < 0.1, `early gap ${early}`);
    assert.ok(late < early && Math.abs(late - 1000 / 197) < 0.1, `late gap ${late}`);
  });

  it('handles a ramp down: 200→0 over 10 s sends 1000 requests and then stops', () => {
    const pacer = new LinearPacer(200, 0, 10_000);
    assert.equal(dueBefore(pacer, Infinity), 1000);
    assert.ok(pacer.dueMs(999) < 10_000);
    assert.equal(pacer.dueMs(1000), Infinity);
  });

  it('places each due time where the integral of the rate reaches its index', () => {
    const pacer = new LinearPacer(10, 90, 4_000);
    for (const i of [1, 7, 50, 123, 199]) {
      const t = pacer.dueMs(i) / 1000;
      const integral = 10 * t + ((90 - 10) * t * t) / (2 * 4);
      assert.ok(Math.abs(integral - i) < 1e-9, `request ${i}: integral ${integral}`);
    }
  });

  it('holds the end rate after the ramp', () => {
    const pacer = new LinearPacer(0, 100, 10_000);
    assert.equal(pacer.dueMs(500), 10_000);
    assert.ok(Math.abs(pacer.dueMs(600) - 11_000) < 1e-9);
    assert.equal(dueBefore(pacer, 20_000), 1500);
  });

  it('equals a constant pacer when from and to are the same', () => {
    const linear = new LinearPacer(40, 40, 5_000);
    const constant = new ConstantPacer(40);
    for (const i of [0, 1, 100, 199, 200, 5_000]) {
      assert.ok(Math.abs(linear.dueMs(i) - constant.dueMs(i)) < 1e-9, `request ${i}`);
    }
  });

  it('rejects a ramp that never sends and a ramp without length', () => {
    assert.throws(() => new LinearPacer(0, 0, 1000), RangeError);
    assert.throws(() => new LinearPacer(-1, 10, 1000), RangeError);
    assert.throws(() => new LinearPacer(0, 10, 0), RangeError);
  });
});

describe('parseDuration', () => {
  const good: [string, number][] = [
    ['10s', 10_000],
    ['2m', 120_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['1m30s', 90_000],
    ['30', 30_000],
    ['0.25', 250],
    [' 5s ', 5000],
    ['0', 0],
  ];
  for (const [text, ms] of good) {
    it(`reads "${text}" as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }
  const bad = ['', 'abc', '10x', '-5s', '5 s', 's', '1e3', '10s5', '1,5s'];
  for (const text of bad) {
    it(`rejects "${text}" with a sentence naming it`, () => {
      assert.throws(() => parseDuration(text), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, /is not a duration/);
        assert.ok(err.message.includes(`"${text}"`));
        return true;
      });
    });
  }
});

describe('parseRamp', () => {
  it('reads FROM:TO:DURATION', () => {
    assert.deepEqual(parseRamp('0:200:30s'), { from: 0, to: 200, durationMs: 30_000 });
    assert.deepEqual(parseRamp('10.5:20:500ms'), { from: 10.5, to: 20, durationMs: 500 });
    assert.deepEqual(parseRamp('300:100:2m'), { from: 300, to: 100, durationMs: 120_000 });
  });
  const bad: [string, RegExp][] = [
    ['0:200', /FROM:TO:DURATION/],
    ['0:200:30s:1', /FROM:TO:DURATION/],
    ['x:200:30s', /start rate "x"/],
    ['0:-1:30s', /end rate "-1"/],
    ['0:200:forever', /"forever" is not a duration/],
    ['0:200:0s', /more than 0/],
    ['0:0:10s', /would send nothing/],
  ];
  for (const [text, message] of bad) {
    it(`rejects "${text}" saying why`, () => {
      assert.throws(() => parseRamp(text), (err: unknown) => err instanceof UsageError && message.test(err.message));
    });
  }
});

describe('OriginalPace', () => {
  // An endpoint without a time of its own: the records' `_time` is their time.
  const endpoint = getEndpoint('download.checkAppUpdate')!;
  const base = Date.parse('2024-05-01T10:00:00Z');
  const at = (time: unknown, line = 1): PendingRequest => ({
    endpoint: endpoint.id,
    records: [{ origin: { file: 'log.ndjson', line, input: 0 }, endpoint: endpoint.id, value: {}, meta: time === undefined ? {} : { _time: time }, seq: line - 1 }],
    path: '/service/checkAppUpdate',
    headers: {},
  });

  it('makes each request due at its offset in the log from the first record, divided by the speed', () => {
    const times = [new Date(base).toISOString(), base + 100_000, (base + 300_000) / 1000, new Date(base + 400_000).toISOString()];
    const dues = (speed: number) => {
      const pace = new OriginalPace(speed);
      return times.map((time, i) => pace.dueMs(at(time, i + 1), endpoint));
    };
    assert.deepEqual(dues(1), [0, 100_000, 300_000, 400_000], 'ISO text, epoch ms and epoch seconds');
    assert.deepEqual(dues(1000), [0, 100, 300, 400]);
    assert.deepEqual(dues(0.5), [0, 200_000, 600_000, 800_000]);
  });

  it('sends a record earlier than the first at once, and one without a time with the request before it', () => {
    const pace = new OriginalPace(10);
    assert.deepEqual(
      [at(base), at(base + 5_000, 2), at(base - 60_000, 3), at(undefined, 4), at(base + 6_000, 5)].map((r) => pace.dueMs(r, endpoint)),
      [0, 500, 0, 0, 600],
    );
  });

  it('refuses a speed that is not more than 0', () => {
    for (const speed of [0, -1, Number.NaN, Infinity]) assert.throws(() => new OriginalPace(speed), /internal/, String(speed));
  });
});
