/**
 * `validate --workers N` (README "validate"): the inputs cut into units (units.ts),
 * judged by N worker threads and by the main thread itself, and merged in input order, so
 * the findings, counts and --failed file are those of `--workers 0`, order included.
 *
 * Memory stays flat (ordered-merge.ts): a thread judges one unit at a time and stops while more than
 * AHEAD_BYTES of its batches wait for the merge; the unit being merged is always being
 * judged by some thread, whose batches are merged as they come, so the run never stalls.
 */
import type { InputSource } from '../input/sources.js';
import { UserError } from '../errors.js';
import type { Origin } from '../records.js';
import { allEndpoints } from '../apis/registry.js';
import { RecordJudge } from '../validate/judge.js';
import { fromPortable } from './validate-portable.js';
import { batchSize, type ValidatePayload, type ValidateWorkerData } from './validate-protocol.js';
import { cutUnits, rangesForced, worthThreads, type InputUnit } from './units.js';
import { OrderedMerge } from './ordered-merge.js';
import { startUnitThreads } from './unit-threads.js';
import { EndpointLabels, VERDICT, judgeUnit, type UnitBatch, type UnitVerdict } from './validate-unit.js';

/** Per thread: batches judged but not yet merged, at most about this many bytes. */
const AHEAD_BYTES = 8 << 20;

/** Where merged verdicts go, in input order. */
export interface MergeSink {
  /** `lines` valid records without findings, of one endpoint, holding `records` records. */
  valid(endpoint: string, origin: Origin, lines: number, records: number): void;
  /** A record with findings, or invalid. */
  verdict(origin: Origin, verdict: UnitVerdict): Promise<void>;
  /** After each merged batch: records judged and input bytes read by it. */
  progress(judged: number, bytes: number): void;
}

export interface PoolOptions {
  readonly workers: number;
  readonly judge: ValidateWorkerData['judge'];
  readonly delimiter: string | undefined;
}

/** Judge `sources` on `workers` threads plus this one; throws a UserError where --workers 0 would. */
export async function validateInParallel(sources: readonly InputSource[], options: PoolOptions, sink: MergeSink): Promise<void> {
  const total = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  const units = await cutUnits(sources, options.workers + 1);
  const labelIds = allEndpoints().map((e) => e.id);
  const applier = new Applier(new EndpointLabels(labelIds), sink);
  const merge = new OrderedMerge<UnitBatch>(units, {
    apply: (unit, batch, lineOffset) => applier.apply(unit, batch, lineOffset),
    sizeOf: (batch) => batchSize(batch.codes, batch.verdicts.length),
    aheadBytes: AHEAD_BYTES,
  });
  let next = 0;
  const take = (): InputUnit | undefined => (merge.failed || next >= units.length ? undefined : units[next++]);

  const data: ValidateWorkerData = { judge: options.judge, labels: labelIds, delimiter: options.delimiter, aheadBytes: AHEAD_BYTES };
  // A thread per unit at most, and none for a small input: starting one costs more than it saves.
  const count = worthThreads(total) ? Math.min(options.workers, units.length - 1) : 0;
  const threads = startUnitThreads<ValidatePayload, UnitBatch>({
    script: new URL('./validate-worker.js', import.meta.url),
    workerData: data,
    count,
    take,
    merge,
    receive: (payload) => {
      const verdicts = payload.verdicts.numberTexts.length === 0 ? payload.verdicts.verdicts : fromPortable(payload.verdicts);
      return { codes: new Uint32Array(payload.codes), verdicts, judged: payload.judged, bytes: payload.bytes };
    },
    command: 'validate',
  });

  // This thread's share, between merges: from the first unit on, while the threads start.
  const judge = new RecordJudge(options.judge, undefined);
  const labels = new EndpointLabels(labelIds);
  const local = (async () => {
    if (rangesForced()) await threads.ready;
    for (let unit = take(); unit !== undefined; unit = take()) {
      const batches = judgeUnit(unit, judge, labels, { delimiter: options.delimiter });
      try {
        for (;;) {
          const step = await batches.next();
          if (step.done) {
            merge.done(unit.index, step.value);
            break;
          }
          let resume: (() => void) | undefined;
          const waited = merge.push(unit.index, { batch: step.value, merged: () => resume?.() });
          if (merge.failed) return;
          if (!waited) continue;
          // Over its share ahead of the merge: wait until this batch is merged.
          await new Promise<void>((resolve) => (resume = resolve));
        }
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        merge.fail(unit.index, err);
        return;
      } finally {
        await batches.return(0); // closes the file when the run stopped mid-unit
      }
    }
  })();
  local.catch((err: unknown) => merge.crash(err instanceof Error ? err : new Error(String(err))));
  try {
    await merge.run();
  } finally {
    merge.release();
    await threads.stop();
  }
  await local;
}

/** Merged batches into the sink, in input order. */
class Applier {
  readonly #labels: EndpointLabels;
  readonly #sink: MergeSink;

  constructor(labels: EndpointLabels, sink: MergeSink) {
    this.#labels = labels;
    this.#sink = sink;
  }

  async apply(unit: InputUnit, batch: UnitBatch, offset: number): Promise<void> {
    const { codes, verdicts } = batch;
    const file = unit.source.name;
    let v = 0;
    for (let i = 0; i < codes.length; i += 3) {
      const code = codes[i]!;
      if (code === VERDICT) {
        const verdict = verdicts[v++]!;
        await this.#sink.verdict({ file, line: verdict.line + offset, input: unit.input }, verdict);
      } else {
        this.#sink.valid(this.#labels.label(code), { file, line: 0, input: unit.input }, codes[i + 1]!, codes[i + 2]!);
      }
    }
    this.#sink.progress(batch.judged, batch.bytes);
  }
}
