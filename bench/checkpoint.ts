/**
 * Checkpoint bookkeeping: a million lines taken and settled as a replay settles them (in
 * pairs, the second first: mostly in order), journaled to a file in the temp folder
 * (deleted afterwards), next to a bare in-memory tracker doing the same bookkeeping — a Set
 * of lines settled above a watermark — in the same run. Each runs twice; the faster counts.
 * Goal: amortized O(1) per line, under 5 µs a line (a million in under 5 s). The test suite
 * checks that every settle is kept; how fast is measured here, where a busy machine cannot
 * fail it.
 *
 *   node dist/bench/checkpoint.js [lines]      (default 1,000,000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Checkpoint } from '../src/replay/checkpoint/checkpoint.js';
import { fmt, printTable } from './replay-kit.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
/** The engine journals between event-loop turns; so does this loop, every so many lines. */
const TURN_EVERY = 20_000;

interface Tracker {
  take(line: number): void;
  settle(line: number): void;
  settledThrough(): number;
}

/** The bare loop: the watermark and a Set of settled lines above it, nothing written. */
function bareTracker(): Tracker {
  const settled = new Set<number>();
  let watermark = 0;
  return {
    take: () => {},
    settle: (line) => {
      settled.add(line);
      while (settled.delete(watermark + 1)) watermark++;
    },
    settledThrough: () => watermark,
  };
}

async function timed(tracker: Tracker, lines: number): Promise<number> {
  const started = performance.now();
  for (let line = 1; line < lines; line += 2) {
    tracker.take(line);
    tracker.take(line + 1);
    tracker.settle(line + 1);
    tracker.settle(line);
    if (line % TURN_EVERY === 1) await Promise.resolve();
  }
  const ms = performance.now() - started;
  if (tracker.settledThrough() !== lines) throw new Error(`settled through ${tracker.settledThrough()}, not ${lines}: the benchmark is broken`);
  return ms;
}

async function bestOf(runs: number, once: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, await once());
  return best;
}

export async function run(lines = LINES): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-bench-checkpoint-'));
  try {
    let n = 0;
    const checkpointMs = await bestOf(2, async () => {
      const checkpoint = await Checkpoint.open(path.join(dir, `run-${++n}.ckpt`), { resume: false, fingerprint: 'bench', inputs: [{ name: 'in.ndjson' }] });
      const ms = await timed({ take: (l) => checkpoint.take(0, l), settle: (l) => checkpoint.settle(0, l), settledThrough: () => checkpoint.settledThrough(0) }, lines);
      await checkpoint.close();
      return ms;
    });
    const bareMs = await bestOf(2, () => timed(bareTracker(), lines));
    console.log(`${fmt(lines)} lines taken and settled, in pairs (the second first); best of 2`);
    printTable(
      ['tracker', 'ms', 'µs per line', 'vs bare'],
      [
        ['bare: watermark + Set, in memory', fmt(bareMs), fmt((bareMs * 1000) / lines, 2), '1.00'],
        ['Checkpoint, journaled to a file', fmt(checkpointMs), fmt((checkpointMs * 1000) / lines, 2), fmt(checkpointMs / bareMs, 2)],
      ],
    );
    console.log('goal: under 5 µs per line (a million in under 5 s)');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const invokedAs = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (invokedAs === import.meta.url) await run();
