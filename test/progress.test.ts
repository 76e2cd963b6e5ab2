import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLine, RateWindow, formatEta, type ProgressCounts } from '../src/report/progress.js';

/** A stream that keeps what is written, with an optional terminal width. */
class FakeStream {
  readonly writes: string[] = [];
  columns: number | undefined;
  constructor(columns?: number) {
    this.columns = columns;
  }
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
}

function setup(options: { totalBytes?: number; columns?: number } = {}) {
  const stream = new FakeStream(options.columns);
  let clock = 1000;
  const progress = new ProgressLine(stream as unknown as NodeJS.WritableStream, {
    ...(options.totalBytes !== undefined && { totalBytes: options.totalBytes }),
    now: () => clock,
  });
  return { stream, progress, advance: (ms: number) => (clock += ms) };
}

const COUNTS: ProgressCounts = { read: 12_345, sent: 12_000, ok: 11_990, failed: 10, rate: 1234.4 };

describe('progress line', () => {
  it('draws one line rewritten in place, with the counts and the rate', () => {
    const { stream, progress } = setup();
    progress.update(COUNTS);
    assert.deepEqual(stream.writes, ['\r12,345 read  11,990 delivered  10 failed  12,000 requests  1,234 req/s\x1b[K']);
  });

  it('redraws at most every 250 ms however often it is updated', () => {
    const { stream, progress, advance } = setup();
    for (let i = 0; i < 1000; i++) {
      progress.update({ ...COUNTS, read: i });
      advance(1); // 1000 updates over one second
    }
    assert.equal(stream.writes.length, 4);
    assert.ok(stream.writes[1]!.startsWith('\r250 read '), stream.writes[1]);
  });

  it('shows the share of records settled and an ETA when the input size is known', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    advance(30_000);
    // 400 records in the first 400 bytes: the input holds about 1,000; 250 settled in 30 s → 90 s to go.
    progress.update({ read: 400, sent: 250, ok: 240, failed: 0, settled: 250, rate: 8, bytesRead: 400 });
    assert.match(stream.writes[0]!, /  25%  ETA 1:30\x1b\[K$/);
  });

  it('keeps a steady ETA while the reader waits on the sender (paced runs read ahead, then stall)', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    for (let second = 1; second <= 4; second++) {
      advance(1000);
      // Reading stalled at 460 records (46% of the bytes); 100 records settle each second.
      progress.update({ read: 460, sent: 0, ok: second * 100, failed: 0, rate: 100, bytesRead: 460 });
    }
    const etas = stream.writes.map((w) => /ETA (\S+)\x1b/.exec(w)![1]);
    assert.deepEqual(etas, ['0:09', '0:08', '0:07', '0:06'], 'one second less each second');
  });

  it('leaves the percentage out before anything is read, and the ETA once everything is settled', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    progress.update({ ...COUNTS, bytesRead: 0 });
    advance(300);
    progress.update({ read: 100, sent: 10, ok: 100, failed: 0, rate: 1, bytesRead: 1000 });
    assert.doesNotMatch(stream.writes[0]!, /%/);
    assert.match(stream.writes[1]!, /  100%\x1b\[K$/);
  });

  it('shows no percentage or ETA when the size is unknown (stdin)', () => {
    const { stream, progress, advance } = setup();
    advance(5000);
    progress.update({ ...COUNTS, bytesRead: 500 });
    assert.doesNotMatch(stream.writes[0]!, /%|ETA/);
  });

  it('fits the terminal width so that \\r rewrites the whole line', () => {
    const { stream, progress } = setup({ columns: 30 });
    progress.update(COUNTS);
    const text = stream.writes[0]!.replace('\r', '').replace('\x1b[K', '');
    assert.equal(text.length, 29);
    assert.ok('12,345 read  11,990 delivered  10 failed'.startsWith(text));
  });

  it('clears the line when done and ignores later updates', () => {
    const { stream, progress, advance } = setup();
    progress.update(COUNTS);
    progress.done();
    advance(1000);
    progress.update(COUNTS);
    progress.done();
    assert.deepEqual(stream.writes.slice(1), ['\r\x1b[K']);
  });

  it('writes nothing when done without ever drawing', () => {
    const { stream, progress } = setup();
    progress.done();
    assert.deepEqual(stream.writes, []);
  });
});

describe('progress against a slow server, and after --resume', () => {
  it('shows the requests in flight, and no rate until it knows one (never "0 req/s" while requests are out)', () => {
    const { stream, progress } = setup();
    progress.update({ read: 200, sent: 64, ok: 0, failed: 0, inFlight: 64, rate: undefined });
    assert.equal(stream.writes[0], '\r200 read  0 delivered  0 failed  64 requests  64 in flight\x1b[K');
  });

  it('measures the rate over a window of seconds, not over one tick', () => {
    const window = new RateWindow(5000);
    assert.equal(window.sample(0, 0), undefined, 'no history yet');
    assert.equal(window.sample(200, 64), undefined, 'under a second of history');
    // A slow server: 64 requests go at once, the next 64 only when they are answered 2 s later.
    assert.equal(window.sample(1000, 64), 64);
    assert.equal(window.sample(1200, 64), (64 * 1000) / 1200, 'a tick with no sends does not read 0');
    assert.equal(window.sample(2000, 128), 64);
    window.sample(6000, 192);
    assert.equal(window.sample(7000, 192), (192 - 128) * 1000 / 5000, 'older samples leave the window');
  });

  it('after --resume, the records an earlier run settled count as done, and the ETA is reckoned on the rest', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    advance(10_000);
    // 600 records were settled before; this run read 100 more (bytes 0..700 read), settled 50 of them in 10 s.
    progress.update({ read: 100, sent: 50, ok: 50, failed: 0, rate: 5, bytesRead: 700, skipped: 600 });
    // About 1,000 records in all: 650 done (65%); this run has 400 to do, 50 done in 10 s → 70 s left.
    assert.match(stream.writes[0]!, /  65%  ETA 1:10\x1b\[K$/);
  });

  it('a reading line shows records read and the share of the input read', () => {
    const { stream, progress, advance } = setup({ totalBytes: 4000 });
    advance(2000);
    progress.reading('validating', { read: 1234, invalid: 3, bytesRead: 1000 });
    assert.equal(stream.writes[0], '\rvalidating: 1,234 read  3 invalid  25%  ETA 0:06\x1b[K');
  });
});

describe('formatEta', () => {
  const rows: [number, string][] = [
    [0, '0:00'],
    [42, '0:42'],
    [59.6, '1:00'],
    [125, '2:05'],
    [3725, '1:02:05'],
    [-3, '0:00'],
  ];
  for (const [seconds, text] of rows) {
    it(`shows ${seconds} s as ${text}`, () => assert.equal(formatEta(seconds), text));
  }
});
