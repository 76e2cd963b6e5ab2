/**
 * Turns valid stat records into requests (docs/API.md § stat.push_data). Single events are batched per
 * (`uid`, `app_id`) in input order; an envelope record is one request as it was logged.
 * A request's envelope parameters hold for every event in it, so a batch only holds events
 * whose `ts`, `session_key`, `uid` and `app_id` are the same (with `--ts now`, `ts` is the
 * batch's own, and only the others count); an event that differs closes its user's open
 * batch and opens the next, which keeps a user's events in order. With --pace original a
 * batch also holds one original time only (`BuildOptions.timeOf`), so each event goes at
 * its own time.
 *
 * Parameters, in the order sent: `session_key`, `ts`, `app_id`, `uid`, `data`. `__md5` is
 * the signer's job and is left out, except with keepAuth, where an envelope's logged
 * `__md5` (and the `session_key` and `ts` it signed) are sent unchanged. A single event's
 * logged `__md5` is never sent: it signed the request the event came in, not this batch.
 * A single event's unknown fields are part of the event and sent inside `data`; an
 * envelope's unknown top-level fields are not parameters of the API and are not sent.
 */
import type { JsonObject, ValidRecord } from '../../records.js';
import type { BuildOptions, PendingRequest, RequestBuilder } from '../api.js';
import { batchHead, envelopeParams, eventText, sessionKeyOf } from './params.js';
import { STAT_PATH } from './path.js';
import { COMMA_BYTES, batchUrlBytes, eventUrlBytes, fitsUnder } from './url.js';

export { STAT_PATH } from './path.js';
/**
 * Open groups held at most. Each user with events held keeps a group open; past this
 * many, the oldest group leaves early so memory stays flat on logs with millions of
 * users and the engine's checkpoint (which waits for held records) keeps moving.
 */
export const MAX_OPEN_GROUPS = 1000;

interface OpenBatch {
  readonly key: string;
  /** Parameters before `data`, fixed by the batch's first event. */
  readonly head: Record<string, string>;
  readonly sessionKey: string | undefined;
  /** The logged `ts` its events share (`--ts keep`); undefined when they have none, or with `--ts now`. */
  readonly loggedTs: string | undefined;
  /** --pace original: the original time its events share. */
  readonly timeMs: number | undefined;
  readonly records: ValidRecord[];
  /** Each event's JSON text, serialized once when it was added. */
  readonly texts: string[];
  /** Query mode: length of the full URL if sent now, the signature included. */
  urlBytes: number;
  /** The `nowMs` of the first `due()` call that saw this batch. */
  firstSeenMs: number | undefined;
}

function groupKey(value: JsonObject): string {
  // app_id is an integer, so the first `:` always ends it.
  return String(value.app_id) + ':' + String(value.uid);
}

class StatBatcher implements RequestBuilder {
  readonly #options: BuildOptions;
  readonly #query: boolean;
  /** Insertion order is opening order, so the first entry is the oldest group. */
  readonly #open = new Map<string, OpenBatch>();
  #held = 0;

  constructor(options: BuildOptions) {
    this.#options = options;
    this.#query = options.statParams === 'query';
  }

  get held(): number {
    return this.#held;
  }

  add(record: ValidRecord): PendingRequest[] {
    const out: PendingRequest[] = [];
    if (record.value.data !== undefined) {
      // The same user's earlier events leave first, so a user's events keep their order.
      const open = this.#open.get(groupKey(record.value));
      if (open) out.push(this.#close(open));
      out.push(this.#envelopeRequest(record));
    } else {
      this.#addEvent(record, out);
    }
    return out;
  }

  /** An envelope is one request by itself, after its user's open batch; a single event is batched here. */
  alone(value: JsonObject): string | undefined {
    return value.data !== undefined ? groupKey(value) : undefined;
  }

  release(group: string): PendingRequest[] {
    const open = this.#open.get(group);
    return open ? [this.#close(open)] : [];
  }

  /**
   * The builder has no clock of its own: a batch's wait starts at the first `due()` call
   * that sees it, on the caller's clock. So no batch leaves before `lingerMs` has passed,
   * and at most one `due()` interval later than that.
   */
  due(nowMs: number, lingerMs: number): PendingRequest[] {
    const out: PendingRequest[] = [];
    for (const batch of this.#open.values()) {
      batch.firstSeenMs ??= nowMs;
      if (nowMs - batch.firstSeenMs >= lingerMs) out.push(this.#close(batch));
    }
    return out;
  }

  flush(): PendingRequest[] {
    const out: PendingRequest[] = [];
    for (const batch of this.#open.values()) out.push(this.#close(batch));
    return out;
  }

  #addEvent(record: ValidRecord, out: PendingRequest[]): void {
    const { value } = record;
    const { batchSize, maxUrlBytes } = this.#options;
    const key = groupKey(value);
    const sessionKey = sessionKeyOf(value, this.#options);
    const loggedTs = this.#loggedTsOf(value);
    const timeMs = this.#options.timeOf?.(record);
    const text = eventText(value);
    const textBytes = this.#query ? eventUrlBytes(text) : 0;
    let batch = this.#open.get(key);
    // A batch holds one envelope's events: the same session_key and ts (and, paced by the log's clock, the same moment).
    const sameEnvelope = batch !== undefined && batch.sessionKey === sessionKey && batch.loggedTs === loggedTs && batch.timeMs === timeMs;
    if (batch && (!sameEnvelope || (this.#query && !fitsUnder(batch.urlBytes + COMMA_BYTES + textBytes, maxUrlBytes)))) {
      out.push(this.#close(batch));
      batch = undefined;
    }
    if (batch) {
      batch.urlBytes += COMMA_BYTES + textBytes;
    } else {
      if (this.#open.size >= MAX_OPEN_GROUPS) out.push(this.#close(this.#open.values().next().value!));
      batch = this.#openBatch(key, value, sessionKey, loggedTs, timeMs);
      batch.urlBytes += textBytes;
      // Validation refuses an event whose smallest request cannot fit (stat.url_too_long).
      if (this.#query && !fitsUnder(batch.urlBytes, maxUrlBytes)) {
        this.#open.delete(key);
        throw new Error(`internal: a stat event over --max-url-bytes ${maxUrlBytes} reached the builder (${record.origin.file}:${record.origin.line})`);
      }
    }
    batch.records.push(record);
    batch.texts.push(text);
    this.#held++;
    if (batch.records.length >= batchSize) out.push(this.#close(batch));
  }

  #openBatch(key: string, value: JsonObject, sessionKey: string | undefined, loggedTs: string | undefined, timeMs: number | undefined): OpenBatch {
    // ts is fixed when the batch opens, so the URL measured is the URL sent; batches are
    // short-lived (batch size, linger, the open-group bound), so it stays current.
    const head = batchHead(value, sessionKey, this.#options);
    const urlBytes = this.#query ? batchUrlBytes(this.#options.baseUrlBytes, head) : 0;
    const batch: OpenBatch = { key, head, sessionKey, loggedTs, timeMs, records: [], texts: [], urlBytes, firstSeenMs: undefined };
    this.#open.set(key, batch);
    return batch;
  }

  #close(batch: OpenBatch): PendingRequest {
    this.#open.delete(batch.key);
    this.#held -= batch.records.length;
    const params = { ...batch.head, data: '[' + batch.texts.join(',') + ']' };
    return { endpoint: 'stat.push_data', records: batch.records, path: STAT_PATH, params, paramsIn: this.#options.statParams, headers: {} };
  }

  /** An envelope is not re-batched: it goes as logged (validation refused one whose URL cannot be under the limit). */
  #envelopeRequest(record: ValidRecord): PendingRequest {
    const params = envelopeParams(record.value, this.#options);
    return { endpoint: 'stat.push_data', records: [record], path: STAT_PATH, params, paramsIn: this.#options.statParams, headers: {} };
  }

  /** A single event's logged ts as sent (`--ts keep`); undefined when it has none, or with `--ts now`. */
  #loggedTsOf(value: JsonObject): string | undefined {
    return value.ts !== undefined && this.#options.ts === 'keep' ? String(value.ts) : undefined;
  }
}

export function createStatBuilder(options: BuildOptions): RequestBuilder {
  return new StatBatcher(options);
}
