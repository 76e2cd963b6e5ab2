import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressLine, formatEta, type ProgressCounts } from '../src/replay/progress.js';

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
    assert.deepEqual(stream.writes, ['\rread 12,345  sent 12,000  ok 11,990  failed 10  1,234 req/s\x1b[K']);
  });

  it('redraws at most every 250 ms however often it is updated', () => {
    const { stream, progress, advance } = setup();
    for (let i = 0; i < 1000; i++) {
      progress.update({ ...COUNTS, read: i });
      advance(1); // 1000 updates over one second
    }
    assert.equal(stream.writes.length, 4);
    assert.ok(stream.writes[1]!.includes('read 250 '), stream.writes[1]);
  });

  it('shows the share read and an ETA when the input size is known', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    advance(30_000);
    progress.update({ ...COUNTS, bytesRead: 250 }); // a quarter in 30 s: 90 s to go
    assert.match(stream.writes[0]!, /  25%  ETA 1:30\x1b\[K$/);
  });

  it('leaves the ETA out before anything is read and once everything is', () => {
    const { stream, progress, advance } = setup({ totalBytes: 1000 });
    progress.update({ ...COUNTS, bytesRead: 0 });
    advance(300);
    progress.update({ ...COUNTS, bytesRead: 1000 });
    assert.match(stream.writes[0]!, /  0%\x1b\[K$/);
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
    assert.ok('read 12,345  sent 12,000  ok 11,990'.startsWith(text));
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
