/**
 * Reading a run's inputs (README § validate): every source in order, as batches of raw records.
 * A batch is records of one chunk read (NDJSON: at most a few hundred of them), so the
 * consumer pays one await per batch, not one per record, and pulling the next batch is
 * the backpressure that keeps memory flat.
 */
import type { RawRecord } from '../records.js';
import { readNdjson } from './ndjson.js';
import type { InputSource } from './sources.js';
import type { ReadOptions } from './read-options.js';

export type { ReadOptions } from './read-options.js';

/**
 * The records of `sources`, in order; `origin.input` is the source's index. Bad lines and rows
 * are records with `error` (a CSV row whose quote is never closed too); an input that cannot be
 * read (missing, truncated `.gz`, a bad CSV header) throws an InputError after the batches read
 * before the failure.
 */
export async function* readRecords(sources: readonly InputSource[], options: ReadOptions = {}): AsyncGenerator<RawRecord[]> {
  for (let input = 0; input < sources.length; input++) {
    const source = sources[input]!;
    // csv-parse loads only for a run with CSV inputs (most read NDJSON): a CLI start is ~0.5 s of loading.
    if (source.format === 'csv') yield* (await import('./csv.js')).readCsv(source, input, options);
    else yield* readNdjson(source, input, options);
  }
}
