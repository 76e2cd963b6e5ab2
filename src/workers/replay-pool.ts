/**
 * `replay --workers N` (README "replay"): the inputs cut into units (units.ts), read, parsed,
 * judged and — where a record makes one request by itself — built and signed by N worker
 * threads (replay-worker.ts), then handed to the engine in input order (ordered-merge.ts),
 * so it takes them exactly as it takes the single-thread reader's batches. The engine keeps
 * all that is decided in order: checkpoint, duplicates, stat batches, due times, sending.
 */
import type { Endpoint, PendingRequest } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import { allEndpoints } from '../apis/registry.js';
import type { LineProblem } from '../input/lines.js';
import { NdjsonBatch } from '../input/ndjson.js';
import type { InputSource } from '../input/sources.js';
import type { JsonObject, Origin, RawRecord, ValidRecord } from '../records.js';
import type { Judgement } from '../validate/judge.js';
import { OrderedMerge } from './ordered-merge.js';
import { KIND_BUILT, KIND_PASSED, readPayload, type ReplayPayload } from './replay-batch.js';
import type { ReplayWorkerData } from './replay-protocol.js';
import { startUnitThreads } from './unit-threads.js';
import { cutUnits, type InputUnit } from './units.js';

/**
 * Per thread: batches read but not yet taken by the engine, at most about this many bytes
 * (with 512-record batches, a few of them: more buys nothing once the engine always has the
 * next one, and costs memory — docs/BENCHMARKS.md "rss").
 */
const AHEAD_BYTES = 2 << 20;
/** Batches decoded and waiting for the engine. */
const QUEUED_BATCHES = 2;

/** A record a worker judged valid and whose request it built and signed ahead. */
export interface BuiltRecord {
  readonly origin: Origin;
  /** Valid, without findings; its record makes its fields again only when asked (--failed). */
  readonly judgement: Judgement & { readonly record: ValidRecord; readonly endpoint: Endpoint };
  readonly request: PendingRequest;
  readonly wire: WireRequest;
  /** The builder group whose held records leave first (RequestBuilder.release); '' for none. */
  readonly group: string;
  readonly duplicateKey: string | undefined;
}

/** What the engine takes, in input order: a raw record to judge itself, or one built ahead. */
export type ReplayItem = RawRecord | BuiltRecord;

export function isBuilt(item: ReplayItem): item is BuiltRecord {
  return 'wire' in item;
}

export interface ReplayPoolOptions {
  readonly workers: number;
  readonly data: Omit<ReplayWorkerData, 'aheadBytes'>;
  /** Judges a record again on this thread (as the engine judges): how a built record makes its fields when asked. */
  readonly rejudge: (raw: RawRecord) => Judgement;
  /** Input bytes consumed, for the progress line. */
  readonly progress: { bytesRead: number };
}

interface Decoded {
  readonly unit: InputUnit;
  readonly payload: ReplayPayload;
  readonly lineOffset: number;
}

/** The records of `sources` (NDJSON files only) in input order, in batches, read by worker threads. */
export async function* readInParallel(sources: readonly InputSource[], options: ReplayPoolOptions): AsyncGenerator<ReplayItem[]> {
  const units = await cutUnits(sources, options.workers);
  const queue: Decoded[] = [];
  let wake: (() => void) | undefined;
  let drained: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const merge = new OrderedMerge<ReplayPayload>(units, {
    apply: async (unit, payload, lineOffset) => {
      queue.push({ unit, payload, lineOffset });
      signal();
      if (queue.length >= QUEUED_BATCHES) await new Promise<void>((resolve) => (drained = resolve));
    },
    sizeOf: (payload) => payload.head.byteLength + payload.text.byteLength,
    aheadBytes: AHEAD_BYTES,
  });
  let next = 0;
  const threads = startUnitThreads<ReplayPayload, ReplayPayload>({
    script: new URL('./replay-worker.js', import.meta.url),
    workerData: { ...options.data, aheadBytes: AHEAD_BYTES } satisfies ReplayWorkerData,
    count: Math.min(options.workers, units.length),
    take: () => (merge.failed || next >= units.length ? undefined : units[next++]),
    merge,
    receive: (payload) => payload,
    command: 'replay',
  });
  let ended = false;
  let failure: unknown;
  const running = merge.run().then(
    () => void (ended = true),
    (err: unknown) => void (failure = err),
  );
  void running.then(signal);
  const decoder = new PayloadDecoder(options.rejudge);
  try {
    for (;;) {
      const decoded = queue.shift();
      if (decoded) {
        const release = drained;
        drained = undefined;
        release?.();
        options.progress.bytesRead += decoded.payload.bytes;
        yield decoder.decode(decoded);
        continue;
      }
      if (failure !== undefined) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    // Stopped early (Ctrl-C, an error) or done: the threads stop; what they read unsent is never taken.
    merge.crash(new Error('the replay stopped reading'));
    merge.release();
    drained?.();
    await running;
    await threads.stop();
  }
}

const endpoints = allEndpoints();

class PayloadDecoder {
  readonly #rejudge: (raw: RawRecord) => Judgement;

  constructor(rejudge: (raw: RawRecord) => Judgement) {
    this.#rejudge = rejudge;
  }

  decode({ unit, payload, lineOffset }: Decoded): ReplayItem[] {
    const file = unit.source.name;
    const input = unit.input;
    // Lines the main thread parses, through the same parser as the single-thread reader.
    const parser = new NdjsonBatch(file, input);
    const items: (ReplayItem | undefined)[] = [];
    for (const entry of readPayload(payload)) {
      const line = entry.line + lineOffset;
      if (entry.kind === KIND_PASSED) {
        parser.line(entry.text, line);
        items.push(undefined);
      } else if (entry.kind === KIND_BUILT) {
        const endpoint = endpoints[entry.endpoint]!;
        const origin: Origin = { file, line, input };
        const record = new BuiltLineRecord(origin, endpoint.id, entry.records, entry.text, this.#rejudge);
        const request: PendingRequest = { endpoint: endpoint.id, records: [record], path: '', headers: {} };
        const judgement = { origin, endpoint, findings: [], record, records: entry.records, failedForm: undefined };
        items.push({ origin, judgement, request, wire: entry.wire, group: entry.group, duplicateKey: entry.duplicateKey });
      } else {
        parser.problem(entry.problem.rule as LineProblem, entry.problem.message, entry.problem.text, line);
        items.push(undefined);
      }
    }
    const parsed: RawRecord[] = [];
    while (parser.size > 0) for (const raw of parser.take()) parsed.push(raw);
    let p = 0;
    for (let i = 0; i < items.length; i++) if (items[i] === undefined) items[i] = parsed[p++];
    return items as ReplayItem[];
  }
}

/**
 * A record built ahead: where it came from is known; its fields are made again from its
 * line, judged as before, only when something asks for them (--failed, the uncertain
 * records of a resume) — a rare path, so the common one carries no parsed record across.
 */
class BuiltLineRecord implements ValidRecord {
  readonly origin: Origin;
  readonly endpoint: string;
  readonly seq = 0;
  readonly count: number;
  readonly #text: string;
  readonly #rejudge: (raw: RawRecord) => Judgement;
  #record: ValidRecord | undefined;

  constructor(origin: Origin, endpoint: string, count: number, text: string, rejudge: (raw: RawRecord) => Judgement) {
    this.origin = origin;
    this.endpoint = endpoint;
    this.count = count;
    this.#text = text;
    this.#rejudge = rejudge;
  }

  get value(): JsonObject {
    return this.#made().value;
  }

  get meta(): JsonObject {
    return this.#made().meta;
  }

  get logged(): JsonObject | undefined {
    return this.#made().logged;
  }

  #made(): ValidRecord {
    if (this.#record) return this.#record;
    const parser = new NdjsonBatch(this.origin.file, this.origin.input);
    parser.line(this.#text, this.origin.line);
    const [raw] = parser.take();
    const record = raw && this.#rejudge(raw).record;
    if (!record) throw new Error(`internal: the record at ${this.origin.file}:${this.origin.line} was judged valid in a worker thread but not again`);
    return (this.#record = record);
  }
}
