/**
 * Cutting inputs into units for worker threads (src/workers/units.ts): ranges end right after
 * a newline, cover the file, and get smaller towards its end (guided), so the threads finish
 * together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInputs } from '../src/input/sources.js';
import { cutUnits } from '../src/workers/units.js';
import { tempDir } from './helpers/temp.js';

test('an NDJSON file is cut at line ends into ranges that shrink towards its end, covering it exactly', async (t) => {
  const dir = tempDir(t, 'units');
  const file = join(dir, 'big.ndjson');
  // 24 MiB of lines of varied length, so cuts fall mid-line and must move to the next newline.
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 24 << 20; i++) {
    const line = JSON.stringify({ aid: 1000, uid: `u-${i}`, pad: 'x'.repeat(i % 97) }) + '\n';
    lines.push(line);
    size += line.length;
  }
  writeFileSync(file, lines.join(''));
  const bytes = readFileSync(file);
  const units = await cutUnits(await resolveInputs([file]), 2, {});
  const ranges = units.map((u) => u.range!);
  assert.ok(ranges.length > 4, `${ranges.length} ranges`);
  assert.equal(ranges[0]!.start, 0);
  assert.equal(ranges.at(-1)!.end, bytes.length);
  for (let i = 0; i < ranges.length; i++) {
    if (i > 0) assert.equal(ranges[i]!.start, ranges[i - 1]!.end, 'contiguous');
    assert.equal(bytes[ranges[i]!.end - 1], 0x0a, `range ${i} ends after a newline`);
  }
  const sizes = ranges.map((r) => r.end - r.start);
  // A quarter of each of 2 threads' share of what is left: 3 MiB first, 1 MiB (the floor) last.
  assert.ok(sizes[0]! > 2.9 * 2 ** 20, `first ${sizes[0]}`);
  assert.ok(sizes.at(-2)! < 1.1 * 2 ** 20, `second to last ${sizes.at(-2)}`);
  for (let i = 1; i < sizes.length - 1; i++) assert.ok(sizes[i]! <= sizes[i - 1]! + 200, `range ${i} is no bigger than the one before`);
});

test('REPORT_REPLAY_RANGE_BYTES fixes the range size (the tests cut small files into many ranges)', async (t) => {
  const dir = tempDir(t, 'units');
  const file = join(dir, 'small.ndjson');
  writeFileSync(file, '{"a":1}\n'.repeat(100));
  const units = await cutUnits(await resolveInputs([file]), 2, { REPORT_REPLAY_RANGE_BYTES: '80' });
  assert.equal(units.length, 10);
  assert.ok(units.every((u) => u.range!.end - u.range!.start === 80));
});
