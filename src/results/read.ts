/**
 * Reading results files back (`report-replay report`): line by line, streamed (flat memory),
 * gzip by its magic bytes whatever the name. A line that is not a result is one error
 * naming file and line (exit 2).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { InputError, describeError } from '../errors.js';
import { fsProblem } from '../input/sources.js';
import type { ResultLine } from './line.js';

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What a file given to `report` holds: result lines (NDJSON, maybe gzip) or a JSON report. */
export async function kindOf(file: string): Promise<'results' | 'report'> {
  let head: Buffer;
  try {
    head = await firstBytes(file, 4096);
  } catch (err) {
    throw new InputError(file, fsProblem(err), err);
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'results';
  const text = head.toString('utf8').trimStart();
  if (text === '') return 'results';
  // A result line is one line with "endpoint" first; a report is pretty JSON, "command" first.
  return /^\{"endpoint":/.test(text) ? 'results' : 'report';
}

function isResultLine(value: unknown): value is ResultLine {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.endpoint === 'string' &&
    typeof v.seq === 'number' &&
    typeof v.attempt === 'number' &&
    typeof v.dueMs === 'number' &&
    typeof v.sentMs === 'number' &&
    typeof v.endMs === 'number' &&
    typeof v.latencyMs === 'number' &&
    typeof v.latencyFromDueMs === 'number' &&
    typeof v.records === 'number'
  );
}

export async function* readResults(file: string): AsyncGenerator<ResultLine> {
  const head = await firstBytes(file, 2).catch((err: unknown) => {
    throw new InputError(file, fsProblem(err), err);
  });
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  const stream = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  let failure: unknown;
  raw.on('error', (err) => (failure = err));
  stream.on('error', (err: Error) => (failure ??= err));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const text of lines) {
      n++;
      if (text === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new InputError(file, `line ${n} is not JSON: not a results file (replay --results)`);
      }
      if (!isResultLine(value)) throw new InputError(file, `line ${n} is not a result line (replay --results)`);
      yield value;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(file, `cannot read the results (${describeError(failure ?? err)})`, err);
  } finally {
    lines.close();
    raw.destroy();
  }
  if (failure !== undefined) throw new InputError(file, `cannot read the results (${describeError(failure)})`, failure);
}
