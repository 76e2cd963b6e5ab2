/**
 * Cutting a run's inputs into units for worker threads (`validate --workers`, `replay
 * --workers`; README "validate", "replay"): an NDJSON file into byte ranges that each end
 * right after a newline, so every line lies whole in one range; a CSV or `.gz` file is one
 * unit (a quoted cell may hold a newline; gzip cannot be entered mid-way).
 */
import { open } from 'node:fs/promises';
import { fsProblem, type InputSource } from '../input/sources.js';
import { InputError } from '../errors.js';

export interface InputUnit {
  /** Position among all units of the run: the merge applies units in this order. */
  readonly index: number;
  /** The source's index among the run's inputs. */
  readonly input: number;
  readonly source: InputSource;
  /** Byte range [start, end) of an NDJSON file, cut right after a newline; absent: the whole input. */
  readonly range?: { readonly start: number; readonly end: number };
}

/** Inputs smaller than this are not worth threads: starting one costs more than it saves. */
const SMALL_INPUT_BYTES = 4 << 20;

const NEWLINE = 0x0a;
const SCAN_BYTES = 64 * 1024;
const MIN_RANGE = 1 << 20;
const MAX_RANGE = 16 << 20;

/**
 * The size of the next range when `remaining` bytes of the run are left to cut, for `threads`
 * threads: guided, as OpenMP's `schedule(guided)` — a quarter of each thread's share of what is
 * left, between 1 and 16 MiB. Big ranges while much is left (cutting and handing over cost
 * nothing), ever smaller ones towards the end, so the threads finish together instead of one
 * judging a last 16 MiB alone. `REPORT_REPLAY_RANGE_BYTES` fixes it (tests cut small files into
 * many ranges).
 */
function nextRangeBytes(remaining: number, threads: number, env: NodeJS.ProcessEnv): number {
  if (rangesForced(env)) return Number(env.REPORT_REPLAY_RANGE_BYTES);
  return Math.min(MAX_RANGE, Math.max(MIN_RANGE, Math.ceil(remaining / (threads * 4))));
}

/**
 * True when `REPORT_REPLAY_RANGE_BYTES` sets the range size: the tests' way to make threads
 * work on a small input — it is cut and threaded, and validate's main thread waits for its
 * threads to be ready before it takes a unit itself, so that the threads judge some.
 */
export function rangesForced(env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = Number(env.REPORT_REPLAY_RANGE_BYTES);
  return Number.isInteger(forced) && forced > 0;
}

/** True when inputs of `totalBytes` are worth worker threads (always when the range size is forced). */
export function worthThreads(totalBytes: number, env: NodeJS.ProcessEnv = process.env): boolean {
  return totalBytes >= SMALL_INPUT_BYTES || rangesForced(env);
}

/** The run's inputs as units for `threads` threads, in input order (range sizes: nextRangeBytes). */
export async function cutUnits(sources: readonly InputSource[], threads: number, env: NodeJS.ProcessEnv = process.env): Promise<InputUnit[]> {
  const units: InputUnit[] = [];
  /** Bytes from the start of this input to the end of the run's last one. */
  let fromHere = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  for (let input = 0; input < sources.length; input++) {
    const source = sources[input]!;
    const left = fromHere;
    if (source.format !== 'ndjson' || source.gzip || source.size === undefined || source.size <= nextRangeBytes(left, threads, env)) {
      units.push({ index: units.length, input, source });
    } else {
      for (const range of await cutFile(source, (start) => nextRangeBytes(left - start, threads, env))) units.push({ index: units.length, input, source, range });
    }
    fromHere -= source.size ?? 0;
  }
  return units;
}

/** Ranges of about `rangeBytes(start)` each, ending after a newline (the last at the end of the file). */
async function cutFile(source: InputSource, rangeBytes: (start: number) => number): Promise<{ start: number; end: number }[]> {
  const size = source.size!;
  const ranges: { start: number; end: number }[] = [];
  let handle;
  try {
    handle = await open(source.path, 'r');
  } catch (err) {
    throw new InputError(source.name, fsProblem(err), err);
  }
  try {
    const buf = Buffer.allocUnsafe(SCAN_BYTES);
    let start = 0;
    while (start < size) {
      let end = size;
      // The range ends after the first newline at or past start + rangeBytes - 1.
      let pos = start + rangeBytes(start) - 1;
      while (pos < size) {
        const { bytesRead } = await handle.read(buf, 0, SCAN_BYTES, pos);
        if (bytesRead === 0) break;
        const nl = buf.subarray(0, bytesRead).indexOf(NEWLINE);
        if (nl !== -1) {
          end = pos + nl + 1;
          break;
        }
        pos += bytesRead;
      }
      ranges.push({ start, end });
      start = end;
    }
  } catch (err) {
    throw new InputError(source.name, fsProblem(err), err);
  } finally {
    await handle.close();
  }
  return ranges;
}
