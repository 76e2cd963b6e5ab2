/**
 * Turns valid stat records into requests (SPEC §1.1, §4). Single events are batched per
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
import { encodeParams } from '../encode.js';
import { stringifyExact } from '../../json/exact.js';

export const STAT_PATH = '/statistic/push_data/';
/**
 * Open groups held at most. Each user with events held keeps a group open; past this
 * many, the oldest group leaves early so memory stays flat on logs with millions of
 * users and the engine's checkpoint (which waits for held records) keeps moving.
 */
export const MAX_OPEN_GROUPS = 1000;
/** Room kept in every URL for the `&__md5=` + 32 hex digits the signer adds later. */
const SIGNATURE_BYTES = '&__md5='.length + 32;
/** `&data=` and the encoded brackets `%5B` `%5D` around the events. */
const DATA_FRAME_BYTES = '&data='.length + 6;
/** An encoded `,` between two events. */
const COMMA_BYTES = 3;

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

/** The envelope fields a single-event record may carry: request parameters, not event fields. */
function eventOf(value: JsonObject): JsonObject {
  if (value.ts === undefined && value.session_key === undefined && value.__md5 === undefined) return value;
  const { ts: _ts, session_key: _sessionKey, __md5: _md5, ...event } = value;
  return event;
}

function groupKey(value: JsonObject): string {
  // app_id is an integer, so the first `:` always ends it.
  return String(value.app_id) + ':' + String(value.uid);
}

export class StatBatcher implements RequestBuilder {
  readonly #options: BuildOptions;
  readonly #query: boolean;
  /** Base URL, path, `?` and the signature: what every URL has besides its parameters. */
  readonly #fixedUrlBytes: number;
  /** Insertion order is opening order, so the first entry is the oldest group. */
  readonly #open = new Map<string, OpenBatch>();
  #held = 0;

  constructor(options: BuildOptions) {
    this.#options = options;
    this.#query = options.statParams === 'query';
    this.#fixedUrlBytes = options.baseUrlBytes + STAT_PATH.length + 1 + SIGNATURE_BYTES;
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
    const sessionKey = this.#sessionKeyOf(value);
    const loggedTs = this.#loggedTsOf(value);
    const timeMs = this.#options.timeOf?.(record);
    const text = stringifyExact(eventOf(value));
    const textBytes = this.#query ? encodeURIComponent(text).length : 0;
    let batch = this.#open.get(key);
    const sameEnvelope = batch !== undefined && batch.sessionKey === sessionKey && batch.loggedTs === loggedTs && batch.timeMs === timeMs;
    if (batch && (!sameEnvelope || (this.#query && batch.urlBytes + COMMA_BYTES + textBytes > maxUrlBytes))) {
      out.push(this.#close(batch));
      batch = undefined;
    }
    if (batch) {
      batch.urlBytes += COMMA_BYTES + textBytes;
    } else {
      if (this.#open.size >= MAX_OPEN_GROUPS) out.push(this.#close(this.#open.values().next().value!));
      batch = this.#openBatch(key, value, sessionKey, loggedTs, timeMs);
      batch.urlBytes += textBytes;
    }
    batch.records.push(record);
    batch.texts.push(text);
    this.#held++;
    // An event over the URL limit on its own still goes, alone: dropping it would lose it
    // silently, while the receiver's answer (414, 400) is counted and written to --failed.
    if (batch.records.length >= batchSize || (this.#query && batch.urlBytes > maxUrlBytes)) out.push(this.#close(batch));
  }

  #openBatch(key: string, value: JsonObject, sessionKey: string | undefined, loggedTs: string | undefined, timeMs: number | undefined): OpenBatch {
    const head: Record<string, string> = {};
    if (sessionKey !== undefined) head.session_key = sessionKey;
    // ts is fixed when the batch opens, so the URL measured is the URL sent; batches are
    // short-lived (batch size, linger, the open-group bound), so a ts of now stays current.
    head.ts = loggedTs ?? String(this.#options.nowSeconds());
    head.app_id = String(value.app_id);
    head.uid = String(value.uid);
    const urlBytes = this.#query ? this.#fixedUrlBytes + encodeParams(head).length + DATA_FRAME_BYTES : 0;
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

  /** An envelope is not re-batched; over the URL limit it still goes as logged. */
  #envelopeRequest(record: ValidRecord): PendingRequest {
    const { value } = record;
    const keepAuth = this.#options.keepAuth;
    const params: Record<string, string> = {};
    const sessionKey = this.#sessionKeyOf(value);
    if (sessionKey !== undefined) params.session_key = sessionKey;
    params.ts = this.#tsOf(value, keepAuth);
    params.app_id = String(value.app_id);
    params.uid = String(value.uid);
    // validate() has parsed JSON text into an array; text here means it was not validated.
    params.data = typeof value.data === 'string' ? value.data : stringifyExact(value.data);
    if (keepAuth && typeof value.__md5 === 'string') params.__md5 = value.__md5;
    return { endpoint: 'stat.push_data', records: [record], path: STAT_PATH, params, paramsIn: this.#options.statParams, headers: {} };
  }

  /** Configured key over the logged one; with keepAuth the logged one is sent unchanged. */
  #sessionKeyOf(value: JsonObject): string | undefined {
    const logged = typeof value.session_key === 'string' ? value.session_key : undefined;
    if (this.#options.keepAuth && logged !== undefined) return logged;
    return this.#options.credentials.statSessionKey ?? logged;
  }

  /** A single event's logged ts as sent (`--ts keep`); undefined when it has none, or with `--ts now`. */
  #loggedTsOf(value: JsonObject): string | undefined {
    return value.ts !== undefined && this.#options.ts === 'keep' ? String(value.ts) : undefined;
  }

  /** `keep`: the logged ts, else now. `now`: now, except an envelope's under keepAuth (its `__md5` signed it). */
  #tsOf(value: JsonObject, keepLogged: boolean): string {
    const ts = value.ts;
    if (ts !== undefined && (keepLogged || this.#options.ts === 'keep')) return String(ts);
    return String(this.#options.nowSeconds());
  }
}

export function createStatBuilder(options: BuildOptions): RequestBuilder {
  return new StatBatcher(options);
}
