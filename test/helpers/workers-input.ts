/**
 * For `replay --workers` tests: a mixed input that exercises every path through the worker
 * pipeline — SUD, download and stat envelopes built ahead (an envelope after events of its
 * own user, so the user's open batch must leave first), stat events batched on the main
 * thread, SUD duplicates, invalid lines, a byte order mark mid-file
 * — and the environment that cuts it into many small units so small files use the threads.
 */
import { writeFile } from 'node:fs/promises';
import { stringifyExact } from '../../src/json/exact.js';
import type { JsonObject } from '../../src/records.js';
import { downloadRecord, statRecord, sudRecord } from './replay.js';

/** Byte ranges this small make a few hundred units of the mixed input: every thread gets many. */
export const SMALL_RANGES = { REPORT_REPLAY_RANGE_BYTES: '4000', SOURCE_DATE_EPOCH: '1767225600' };

/** A stat envelope of `n` events of one user (statRecord's users): `first`, `first + users`, … */
function statEnvelope(first: number, n: number, users: number): JsonObject {
  const data = [];
  for (let i = 0; i < n; i++) data.push(statRecord(first + i * users, users));
  const head = statRecord(first, users);
  return { uid: head.uid!, app_id: head.app_id!, ts: head.ts!, data };
}

/** The lines of the mixed input; `count` records of each kind, give or take. */
function mixedLines(count: number): string[] {
  const users = 13;
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(stringifyExact(statRecord(i, users)));
    if (i % 3 === 0) lines.push(stringifyExact(sudRecord(i)));
    if (i % 5 === 0) lines.push(stringifyExact(downloadRecord(i)));
    if (i % 11 === 0) lines.push(stringifyExact(statEnvelope(100_000 + i * 10, 3, users)));
    // The same SUD round again: a duplicate the run settles without sending.
    if (i % 97 === 0) lines.push(stringifyExact(sudRecord(i - (i % 3))));
    if (i % 151 === 0) lines.push('{"not json');
    if (i % 173 === 0) lines.push(stringifyExact({ report_type: 'game_start', report_msg: { game_round_id: `bad-${i}` } }));
    if (i % 199 === 0) lines.push('\uFEFF' + stringifyExact(downloadRecord(1_000_000 + i)));
  }
  return lines;
}

export async function writeMixed(file: string, count: number): Promise<string> {
  await writeFile(file, mixedLines(count).join('\n') + '\n');
  return file;
}
