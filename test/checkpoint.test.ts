import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checkpoint, type CheckpointInput } from '../src/replay/checkpoint/checkpoint.js';
import { ConfigError } from '../src/errors.js';
import { startNode } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';
import { waitFor } from './helpers/wait.js';
import { uniform } from './helpers/random.js';

const dir = tempDir({ after }, 'checkpoint');
let fileCount = 0;
const freshFile = () => join(dir, `run-${++fileCount}.checkpoint`);

const INPUTS: CheckpointInput[] = [
  { name: 'a.ndjson', size: 1000 },
  { name: 'b.csv', size: 2000 },
];
const open = (file: string, resume: boolean, inputs = INPUTS, fingerprint = 'fp-1') =>
  Checkpoint.open(file, { resume, inputs, fingerprint, flushIntervalMs: 60_000 });

const readSnapshot = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** Lines a resumed run would send for input 0 among 1..n. */
function linesToSend(checkpoint: Checkpoint, input: number, n: number): number[] {
  const lines: number[] = [];
  for (let line = checkpoint.skipThrough(input) + 1; line <= n; line++) if (!checkpoint.wasSettled(input, line)) lines.push(line);
  return lines;
}

describe('checkpoint watermark', () => {
  it('moves only when every earlier taken line is settled', async () => {
    const checkpoint = await open(freshFile(), false);
    for (let line = 1; line <= 6; line++) checkpoint.take(0, line);
    checkpoint.settle(0, 2);
    checkpoint.settle(0, 3);
    assert.equal(checkpoint.settledThrough(0), 0, 'line 1 is still in flight');
    checkpoint.settle(0, 1);
    assert.equal(checkpoint.settledThrough(0), 3);
    checkpoint.settle(0, 6);
    assert.equal(checkpoint.settledThrough(0), 3, 'line 4 is still in flight');
    checkpoint.settle(0, 5);
    checkpoint.settle(0, 4);
    assert.equal(checkpoint.settledThrough(0), 6);
    await checkpoint.close();
  });

  it('steps over lines that were never records (blank lines, multi-line CSV rows)', async () => {
    const checkpoint = await open(freshFile(), false);
    for (const line of [1, 4, 9]) checkpoint.take(0, line);
    checkpoint.settle(0, 4);
    checkpoint.settle(0, 9);
    checkpoint.settle(0, 1);
    assert.equal(checkpoint.settledThrough(0), 9);
    await checkpoint.close();
  });

  it('keeps inputs apart', async () => {
    const checkpoint = await open(freshFile(), false);
    checkpoint.take(0, 1);
    checkpoint.take(1, 1);
    checkpoint.settle(1, 1);
    assert.deepEqual([checkpoint.settledThrough(0), checkpoint.settledThrough(1)], [0, 1]);
    await checkpoint.close();
  });

  it('treats a settle without a take as taken and ignores a second settle', async () => {
    const checkpoint = await open(freshFile(), false);
    checkpoint.settle(0, 1);
    checkpoint.settle(0, 1);
    checkpoint.take(0, 2);
    checkpoint.settle(0, 2);
    assert.equal(checkpoint.settledThrough(0), 2);
    await checkpoint.close();
  });

  it('refuses lines taken out of order and unknown inputs', async () => {
    const checkpoint = await open(freshFile(), false);
    checkpoint.take(0, 5);
    assert.throws(() => checkpoint.take(0, 3), /input order/);
    assert.throws(() => checkpoint.take(7, 1), /no input 7/);
    await checkpoint.close();
  });

  it('keeps up with a million settles, most in order', async () => {
    // How fast is a figure for `npm run bench -- checkpoint`; here, that they are all kept.
    const checkpoint = await open(freshFile(), false);
    for (let line = 1; line <= 1_000_000; line += 2) {
      checkpoint.take(0, line);
      checkpoint.take(0, line + 1);
      checkpoint.settle(0, line + 1);
      checkpoint.settle(0, line);
      if (line % 20_000 === 1) await Promise.resolve(); // let the journal write, as the engine would
    }
    assert.equal(checkpoint.settledThrough(0), 1_000_000);
    await checkpoint.close();
  });
});

describe('checkpoint resume', () => {
  it('skips exactly the settled lines: the watermark and the settled lines above it', async () => {
    const file = freshFile();
    const first = await open(file, false);
    for (let line = 1; line <= 10; line++) first.take(0, line);
    for (const line of [1, 2, 3, 5, 8]) first.settle(0, line);
    await first.close();
    assert.deepEqual(readSnapshot(file).inputs[0], { name: 'a.ndjson', size: 1000, mtimeMs: null, content: null, settledThrough: 3, settledAfter: [5, 8], inFlight: {} });

    const second = await open(file, true);
    assert.equal(second.skipThrough(0), 3);
    assert.equal(second.skipThrough(1), 0);
    assert.deepEqual(linesToSend(second, 0, 12), [4, 6, 7, 9, 10, 11, 12]);
    await second.close();
  });

  it('remembers an earlier run’s out-of-order lines through a second resume', async () => {
    const file = freshFile();
    const first = await open(file, false);
    for (let line = 1; line <= 6; line++) first.take(0, line);
    for (const line of [1, 3, 6]) first.settle(0, line);
    await first.close();

    const second = await open(file, true);
    second.take(0, 2); // the only line of 2, 4, 5 this run got to
    second.settle(0, 2);
    assert.equal(second.settledThrough(0), 3);
    await second.close();

    const third = await open(file, true);
    assert.deepEqual(linesToSend(third, 0, 8), [4, 5, 7, 8]);
    await third.close();
  });

  it('passes an earlier run’s settled lines across blank lines once a later line settles', async () => {
    const file = freshFile();
    const first = await open(file, false);
    for (const line of [1, 3, 6]) first.take(0, line);
    first.settle(0, 3);
    first.settle(0, 6);
    await first.close();

    const second = await open(file, true);
    second.take(0, 1);
    second.settle(0, 1);
    assert.equal(second.settledThrough(0), 1, 'line 2 might still hold a record');
    second.take(0, 7); // lines 3 and 6 were skipped as settled
    second.settle(0, 7);
    assert.equal(second.settledThrough(0), 7);
    await second.close();
  });

  it('settles every record exactly once across many interrupted runs (random schedules)', async () => {
    const random = uniform(12345);
    for (let trial = 0; trial < 20; trial++) {
      const file = freshFile();
      const records = Array.from({ length: 300 }, (_, i) => i + 1).filter(() => random() < 0.7);
      const settledCount = new Map<number, number>();
      for (let run = 0; run < 50 && settledCount.size < records.length; run++) {
        const checkpoint = await open(file, run > 0);
        const inFlight: number[] = [];
        const stopAfter = Math.floor(random() * 80) + 1;
        let taken = 0;
        for (const line of records) {
          if (checkpoint.wasSettled(0, line)) continue;
          if (taken++ === stopAfter) break; // "crash": what is in flight stays unsettled
          checkpoint.take(0, line);
          inFlight.push(line);
          while (inFlight.length > 8 || (inFlight.length > 0 && random() < 0.3)) {
            const [line] = inFlight.splice(Math.floor(random() * inFlight.length), 1);
            checkpoint.settle(0, line!);
            settledCount.set(line!, (settledCount.get(line!) ?? 0) + 1);
          }
        }
        await checkpoint.close();
      }
      assert.equal(settledCount.size, records.length, `trial ${trial}: every record settled`);
      assert.ok([...settledCount.values()].every((n) => n === 1), `trial ${trial}: no record settled twice`);
    }
  });

  it('without --resume, refuses an unfinished checkpoint unless --restart, and replaces a complete one', async () => {
    const file = freshFile();
    const first = await open(file, false);
    first.settle(0, 1);
    await first.close();
    await assert.rejects(open(file, false), (err: unknown) => err instanceof ConfigError && err.message === `checkpoint ${file} holds an unfinished run` && /--resume .* --restart/.test(err.hint ?? ''));
    const restarted = await Checkpoint.open(file, { resume: false, restart: true, inputs: INPUTS, fingerprint: 'fp-1', flushIntervalMs: 60_000 });
    assert.equal(restarted.skipThrough(0), 0);
    assert.equal(readSnapshot(file).inputs[0].settledThrough, 0);
    restarted.settle(0, 1);
    await restarted.close({ complete: true });
    assert.equal(readSnapshot(file).complete, true);
    const fresh = await open(file, false);
    assert.equal(fresh.skipThrough(0), 0, 'a finished backfill may be started again');
    await fresh.close();
  });

  it('refuses --resume without a checkpoint file, naming it', async () => {
    const file = join(dir, 'missing.checkpoint');
    await assert.rejects(open(file, true), (err: unknown) => err instanceof ConfigError && err.message === `no checkpoint at ${file} to resume from`);
  });

  it('refuses a file that is not a checkpoint', async () => {
    const file = freshFile();
    writeFileSync(file, '{"hello":1}');
    await assert.rejects(open(file, true), (err: unknown) => err instanceof ConfigError && /not a report-replay checkpoint/.test(err.message));
    writeFileSync(file, 'garbage');
    await assert.rejects(open(file, true), (err: unknown) => err instanceof ConfigError && /cannot be read/.test(err.message));
  });

  const mismatches: [string, CheckpointInput[], string, RegExp][] = [
    ['another fingerprint', INPUTS, 'fp-2', /other options \(fingerprint fp-1, this run fp-2\)/],
    ['another input', [INPUTS[0]!, { name: 'c.csv', size: 2000 }], 'fp-1', /input 2 "b\.csv", not "c\.csv"/],
    ['fewer inputs', [INPUTS[0]!], 'fp-1', /2 input\(s\) \(a\.ndjson, b\.csv\), not 1 \(a\.ndjson\)/],
    ['an input whose size changed', [INPUTS[0]!, { name: 'b.csv', size: 2500 }], 'fp-1', /"b\.csv" has changed .* \(2000 bytes then, 2500 now\)/],
  ];
  for (const [what, inputs, fingerprint, message] of mismatches) {
    it(`refuses to resume a run with ${what}, naming the difference`, async () => {
      const file = freshFile();
      await (await open(file, false)).close();
      await assert.rejects(open(file, true, inputs, fingerprint), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }

  it('accepts stdin, whose size is unknown', async () => {
    const file = freshFile();
    const stdin = [{ name: '-' }];
    const first = await open(file, false, stdin);
    first.settle(0, 1);
    await first.close();
    const second = await open(file, true, stdin);
    assert.equal(second.skipThrough(0), 1);
    await second.close();
  });
});

describe('checkpoint persistence', () => {
  it('replaces the snapshot atomically: a reader of the old file never sees a partial write', async () => {
    const file = freshFile();
    const checkpoint = await open(file, false);
    const oldFd = openSync(file, 'r');
    const before = readFileSync(file, 'utf8');
    checkpoint.take(0, 1);
    checkpoint.settle(0, 1);
    await checkpoint.flush();
    // A rename swaps in a new file: the old one, still open, is untouched; an in-place write would change it.
    const buffer = Buffer.alloc(before.length + 100);
    const n = readSync(oldFd, buffer, 0, buffer.length, 0);
    closeSync(oldFd);
    assert.equal(buffer.subarray(0, n).toString('utf8'), before);
    assert.equal(readSnapshot(file).inputs[0].settledThrough, 1);
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no temp file left behind');
    await checkpoint.close();
    assert.equal(existsSync(file + '.journal'), false, 'a clean close leaves no journal');
  });

  it('survives SIGKILL: a child settles lines and is killed before any snapshot', async () => {
    const file = freshFile();
    const module = fileURLToPath(new URL('../src/replay/checkpoint/checkpoint.js', import.meta.url));
    const script = `
      const { Checkpoint } = await import(${JSON.stringify(module)});
      const checkpoint = await Checkpoint.open(${JSON.stringify(file)}, {
        resume: false, fingerprint: 'fp-1', flushIntervalMs: 3_600_000,
        inputs: ${JSON.stringify(INPUTS)},
      });
      for (let line = 1; line <= 10; line++) checkpoint.take(0, line);
      for (const line of [1, 2, 3, 5, 7]) checkpoint.settle(0, line);
      for (let line = 1; line <= 5; line++) checkpoint.take(1, line);
      checkpoint.settle(1, 4);
      setImmediate(() => process.stdout.write('settled\\n'));
      setInterval(() => {}, 1000);
    `;
    const running = startNode(['--input-type=module', '-e', script]);
    await running.line(/^settled$/);
    running.child.kill('SIGKILL');
    assert.equal((await running.exited).signal, 'SIGKILL');
    assert.equal(readSnapshot(file).inputs[0].settledThrough, 0, 'the snapshot predates the settles: only the journal has them');

    const resumed = await open(file, true);
    assert.equal(resumed.skipThrough(0), 3);
    assert.deepEqual(linesToSend(resumed, 0, 10), [4, 6, 8, 9, 10]);
    assert.deepEqual(linesToSend(resumed, 1, 5), [1, 2, 3, 5]);
    await resumed.close();
    // Resuming compacted the journal into the snapshot.
    assert.deepEqual(readSnapshot(file).inputs[0], { name: 'a.ndjson', size: 1000, mtimeMs: null, content: null, settledThrough: 3, settledAfter: [5, 7], inFlight: {} });
  });

  it('ignores a torn last journal line', async () => {
    const file = freshFile();
    await (await open(file, false)).close();
    writeFileSync(file + '.journal', 's 0 2\nw 0 1\ns 0 4\ns 0 ');
    const resumed = await open(file, true);
    assert.deepEqual(linesToSend(resumed, 0, 5), [3, 5]);
    await resumed.close();
  });

  it('writes the snapshot on its timer while open', async () => {
    const file = freshFile();
    const checkpoint = await Checkpoint.open(file, { resume: false, inputs: INPUTS, fingerprint: 'fp-1', flushIntervalMs: 20 });
    checkpoint.take(0, 1);
    checkpoint.settle(0, 1);
    await waitFor(() => readSnapshot(file).inputs[0].settledThrough === 1, 'the timer to write the snapshot');
    assert.equal(readFileSync(file + '.journal', 'utf8'), '', 'the snapshot absorbed the journal');
    await checkpoint.close();
  });
});

/** Runs `body` (JS using `checkpoint`, opened fresh on `file`) in a child, waits for "ready" on its stdout, then SIGKILLs it. */
async function killedChild(file: string, body: string, options: { resume?: boolean; inputs?: CheckpointInput[] } = {}): Promise<void> {
  const module = fileURLToPath(new URL('../src/replay/checkpoint/checkpoint.js', import.meta.url));
  const script = `
    const { Checkpoint } = await import(${JSON.stringify(module)});
    const checkpoint = await Checkpoint.open(${JSON.stringify(file)}, {
      resume: ${options.resume ?? false}, fingerprint: 'fp-1', flushIntervalMs: 3_600_000,
      inputs: ${JSON.stringify(options.inputs ?? INPUTS)},
    });
    ${body}
    setImmediate(() => process.stdout.write('ready\\n'));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

describe('checkpoint journal', () => {
  it('writes after a compaction at the start of the journal, never after a run of NUL bytes', async () => {
    const file = freshFile();
    await killedChild(
      file,
      `for (let line = 1; line <= 40; line++) { checkpoint.take(0, line); checkpoint.settle(0, line); }
       await Promise.resolve();
       await checkpoint.flush(); // compaction: the journal is truncated
       checkpoint.take(0, 41);
       checkpoint.settle(0, 41);`,
    );
    const journal = readFileSync(file + '.journal', 'utf8');
    assert.equal(journal, 'w 0 41\n', 'the entry after compaction starts the journal (an in-order settle is its watermark)');
    const resumed = await open(file, true);
    assert.equal(resumed.skipThrough(0), 41, 'the settle after compaction is not lost');
    await resumed.close();
  });

  it('refuses a journal with an unreadable line before its last, naming the checkpoint and the line', async () => {
    const file = freshFile();
    await (await open(file, false)).close();
    writeFileSync(file + '.journal', 's 0 1\nw 0 1\n\0\0\0s 0 2\nw 0 2\n');
    await assert.rejects(
      open(file, true),
      (err: unknown) => err instanceof ConfigError && err.message.startsWith(`checkpoint ${file}: line 3 of its journal`) && !err.message.includes('\n'),
    );
    writeFileSync(file + '.journal', 's 0 1\nw 0 1\nw 0 x\n');
    await assert.rejects(open(file, true), /line 3 of its journal/);
    writeFileSync(file + '.journal', 's 9 1\n');
    await assert.rejects(open(file, true), /line 1 of its journal/, 'an input the run does not have');
  });

  it('journals records in flight, and a resume names them uncertain until they settle', async () => {
    const file = freshFile();
    await killedChild(
      file,
      `for (let line = 1; line <= 6; line++) checkpoint.take(0, line);
       checkpoint.inFlight('stat.push_data', [1, 2, 3].map((line) => ({ origin: { input: 0, line } })));
       checkpoint.inFlight('sud.report_game_info', [{ origin: { input: 0, line: 4 } }]);
       if (!checkpoint.writeNow()) throw new Error('not written');
       checkpoint.settle(0, 2);
       // A settle of a record in flight is written by the end of the next turn (checkpoint.ts #schedule).
       await new Promise((resolve) => setImmediate(resolve));`,
    );
    const resumed = await open(file, true);
    assert.deepEqual(resumed.uncertainRecords(), [
      { input: 0, line: 1, endpoint: 'stat.push_data' },
      { input: 0, line: 3, endpoint: 'stat.push_data' },
      { input: 0, line: 4, endpoint: 'sud.report_game_info' },
    ]);
    assert.equal(resumed.uncertain(0, 4), 'sud.report_game_info');
    assert.equal(resumed.uncertain(0, 2), undefined, 'settled: certain');
    // Still uncertain in the snapshot until settled, so a second crash does not forget them.
    resumed.take(0, 1);
    resumed.settle(0, 1);
    await resumed.close();
    assert.deepEqual(readSnapshot(file).inputs[0].inFlight, { 'stat.push_data': [3], 'sud.report_game_info': [4] });
  });
});

describe('checkpoint validation', () => {
  const snapshot = (input: Record<string, unknown>) =>
    JSON.stringify({ version: 2, fingerprint: 'fp-1', complete: false, inputs: [{ name: 'a.ndjson', size: 1000, mtimeMs: null, content: null, settledThrough: 3, settledAfter: [5], inFlight: {}, ...input }, { name: 'b.csv', size: 2000, mtimeMs: null, content: null, settledThrough: 0, settledAfter: [], inFlight: {} }] });
  const cases: [string, Record<string, unknown>][] = [
    ['a negative watermark', { settledThrough: -4 }],
    ['a watermark that is not a whole number', { settledThrough: 2.5 }],
    ['a watermark beyond the end of the input', { settledThrough: 1_000_000 }],
    ['a line settled below the watermark', { settledAfter: [2] }],
    ['an absurd line number', { settledAfter: [1e300] }],
    ['a negative size', { size: -1 }],
    ['an unknown field', { extra: 1 }],
  ];
  for (const [what, input] of cases) {
    it(`refuses a hand-edited checkpoint with ${what}`, async () => {
      const file = freshFile();
      writeFileSync(file, snapshot(input));
      await assert.rejects(open(file, true), (err: unknown) => err instanceof ConfigError && /not a report-replay checkpoint/.test(err.message));
    });
  }
  it('accepts the same checkpoint unedited', async () => {
    const file = freshFile();
    writeFileSync(file, snapshot({}));
    await (await open(file, true)).close();
  });
});

describe('checkpoint content fingerprint', () => {
  it('refuses to resume an input whose lines were swapped in place (same size)', async () => {
    const input = join(dir, 'swapped.ndjson');
    writeFileSync(input, '{"a":1}\n{"b":2}\n');
    const inputs = [{ name: input, path: input, size: 16 }];
    const file = freshFile();
    await (await open(file, false, inputs)).close();
    writeFileSync(input, '{"b":2}\n{"a":1}\n');
    await assert.rejects(open(file, true, inputs), (err: unknown) => err instanceof ConfigError && /has changed .* \(same size, other content\)/.test(err.message));
  });

  it('samples large inputs: a change in the middle of a 40 MiB file is seen, a copy (new mtime) is accepted', async () => {
    const input = join(dir, 'large.ndjson');
    const line = '{"padding":"' + 'x'.repeat(1000) + '"}\n';
    const big = Buffer.from(line.repeat(Math.ceil((40 << 20) / line.length)));
    writeFileSync(input, big);
    const inputs = [{ name: input, path: input, size: big.length }];
    const file = freshFile();
    await (await open(file, false, inputs)).close();
    writeFileSync(input, big); // rewritten unchanged: another mtime
    await (await open(file, true, inputs)).close();
    // The middle sample (offset ≈ size·8/15) changes.
    const at = Math.floor(((big.length - (64 << 10)) * 8) / 15) + 100;
    big[at] = 'y'.charCodeAt(0);
    writeFileSync(input, big);
    await assert.rejects(open(file, true, inputs), /same size, other content/);
    rmSync(input);
  });
});

describe('checkpoint lock', () => {
  it('refuses a second process on one checkpoint, naming the holder, until the first closes', async () => {
    const file = freshFile();
    const first = await open(file, false);
    await assert.rejects(
      open(file, true),
      (err: unknown) => err instanceof ConfigError && err.message.includes(`in use by pid ${process.pid} on host ${hostname()}`) && (err.hint ?? '').includes(`${file}.lock`),
    );
    await first.close();
    assert.equal(existsSync(file + '.lock'), false, 'released on close');
    await (await open(file, true)).close();
  });

  it('takes over a stale lock (its process is gone) with a notice; refuses one from another host', async () => {
    const file = freshFile();
    await killedChild(file, '');
    assert.ok(existsSync(file + '.lock'), 'SIGKILL leaves the lock behind');
    const notices: string[] = [];
    const resumed = await Checkpoint.open(file, { resume: true, inputs: INPUTS, fingerprint: 'fp-1', notice: (t) => notices.push(t) });
    assert.match(notices.join('\n'), /was locked by pid \d+ .*which is gone: taking the lock over/);
    await resumed.close();
    writeFileSync(file + '.lock', JSON.stringify({ pid: 1, host: 'elsewhere.example', startedAt: '2026-01-01T00:00:00.000Z' }));
    await assert.rejects(open(file, true), /in use by pid 1 on host elsewhere\.example/);
    rmSync(file + '.lock');
  });

  it('releases the lock when the process exits without closing (an error path)', async () => {
    const file = freshFile();
    const module = fileURLToPath(new URL('../src/replay/checkpoint/checkpoint.js', import.meta.url));
    const script = `
      const { Checkpoint } = await import(${JSON.stringify(module)});
      await Checkpoint.open(${JSON.stringify(file)}, { resume: false, fingerprint: 'fp-1', inputs: ${JSON.stringify(INPUTS)} });
      process.exit(2);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 2);
    assert.equal(existsSync(file + '.lock'), false);
  });
});

describe('checkpoint key file', () => {
  it('keeps the keys of settled lines only, and cuts a torn last key line before appending', async () => {
    const file = freshFile();
    const first = await open(file, false);
    for (let line = 1; line <= 3; line++) {
      first.take(0, line);
      first.rememberKey(0, line, `game_start:round-${line}`);
    }
    first.settle(0, 1);
    first.settle(0, 3);
    await first.close();
    writeFileSync(file + '.keys', readFileSync(file + '.keys', 'utf8') + '0 4 "game_st'); // a crash mid-write
    const second = await open(file, true);
    assert.deepEqual([...second.earlierKeys()].sort(), ['game_start:round-1', 'game_start:round-3'], 'line 2 never settled: its key may be sent');
    second.take(0, 2);
    second.rememberKey(0, 2, 'game_start:round-2');
    second.settle(0, 2);
    await second.close();
    const third = await open(file, true);
    assert.deepEqual([...new Set(third.earlierKeys())].sort(), ['game_start:round-1', 'game_start:round-2', 'game_start:round-3']);
    await third.close();
  });
});
