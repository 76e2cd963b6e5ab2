/**
 * What the receiver has seen, per endpoint. Counting is O(1) per request; the only
 * structures that grow are the ones a caller asked for (content keys, with `trackKeys`)
 * and the SUD duplicate-key set, which de-duplication itself needs.
 */
import type { Verdict } from '../apis/answer.js';
import type { EndpointId } from '../apis/api.js';
import { allEndpoints } from '../apis/registry.js';
import { sumFields } from '../sum-fields.js';

export interface EndpointCounts {
  /** Requests to this endpoint's path: accepted + rejected + duplicates + faults. */
  requests: number;
  /** Requests answered as success that carried new records. */
  accepted: number;
  /** Requests refused: bad parameters or body, bad signature, too large. */
  rejected: number;
  /** Requests answered with an injected failure (503, 429, SUD ret_code 5000). */
  faults: number;
  /** Records in accepted requests: each event of a stat request; 1 per SUD/download request. */
  records: number;
  /** SUD requests answered ret_code 0 whose (report_type, game_round_id) was already accepted. */
  duplicates: number;
  /** Requests processed (and counted above) whose answer was dropped with the connection (--drop-after-rate). */
  dropped: number;
  /** Epoch ms of the first and last request, or null before any. */
  firstAt: number | null;
  lastAt: number | null;
}

export interface ReceiverStats {
  /** Epoch ms when the receiver started listening. */
  readonly startedAt: number;
  readonly totals: EndpointCounts;
  readonly byEndpoint: Record<EndpointId, EndpointCounts>;
  /** Requests to no endpoint (404, 405), not counted in totals. */
  readonly unrouted: number;
  /**
   * With `trackKeys`: per endpoint, accepted records by content key (`contentKey`): a stat
   * event's canonical JSON, SUD `report_type:game_round_id`, a download form's canonical
   * JSON. Every value 1 means every record arrived exactly once.
   */
  readonly keys?: Record<EndpointId, Record<string, number>>;
}

/** The counters of `EndpointCounts`, in its order (firstAt and lastAt are times, not counts). */
const COUNT_FIELDS = ['requests', 'accepted', 'rejected', 'faults', 'records', 'duplicates', 'dropped'] as const satisfies readonly (keyof EndpointCounts)[];

function emptyCounts(): EndpointCounts {
  return { ...sumFields([], COUNT_FIELDS), firstAt: null, lastAt: null };
}

export class ReceiverCounts {
  readonly startedAt = Date.now();
  readonly #byEndpoint = new Map<EndpointId, EndpointCounts>();
  readonly #keys: Map<EndpointId, Map<string, number>> | undefined;
  #unrouted = 0;

  constructor(trackKeys: boolean) {
    const ids = allEndpoints().map((endpoint) => endpoint.id);
    for (const id of ids) this.#byEndpoint.set(id, emptyCounts());
    this.#keys = trackKeys ? new Map(ids.map((id) => [id, new Map<string, number>()])) : undefined;
  }

  /** Whether callers should compute content keys at all (they cost a canonical stringify). */
  get tracksKeys(): boolean {
    return this.#keys !== undefined;
  }

  /** Count one answered endpoint request. `records` matters only for `accepted`. */
  count(endpoint: EndpointId, verdict: Verdict, records: number, nowMs: number): void {
    const counts = this.#byEndpoint.get(endpoint)!;
    counts.requests++;
    if (counts.firstAt === null) counts.firstAt = nowMs;
    counts.lastAt = nowMs;
    switch (verdict) {
      case 'accepted':
        counts.accepted++;
        counts.records += records;
        break;
      case 'rejected':
        counts.rejected++;
        break;
      case 'duplicate':
        counts.duplicates++;
        break;
      case 'fault':
        counts.faults++;
        break;
    }
  }

  /** Record the content keys of an accepted request's records (only with trackKeys). */
  addKeys(endpoint: EndpointId, keys: readonly string[]): void {
    const map = this.#keys?.get(endpoint);
    if (!map) return;
    for (const key of keys) map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** A request counted with its verdict whose answer was then dropped. */
  countDropped(endpoint: EndpointId): void {
    this.#byEndpoint.get(endpoint)!.dropped++;
  }

  countUnrouted(): void {
    this.#unrouted++;
  }

  /** A snapshot: later requests do not change it. */
  snapshot(): ReceiverStats {
    const totals: EndpointCounts = { ...sumFields(this.#byEndpoint.values(), COUNT_FIELDS), firstAt: null, lastAt: null };
    const byEndpoint = {} as Record<EndpointId, EndpointCounts>;
    for (const [id, counts] of this.#byEndpoint) {
      byEndpoint[id] = { ...counts };
      if (counts.firstAt !== null && (totals.firstAt === null || counts.firstAt < totals.firstAt)) totals.firstAt = counts.firstAt;
      if (counts.lastAt !== null && (totals.lastAt === null || counts.lastAt > totals.lastAt)) totals.lastAt = counts.lastAt;
    }
    const stats: ReceiverStats = { startedAt: this.startedAt, totals, byEndpoint, unrouted: this.#unrouted };
    if (!this.#keys) return stats;
    const keys = {} as Record<EndpointId, Record<string, number>>;
    for (const [id, map] of this.#keys) keys[id] = Object.fromEntries(map);
    return { ...stats, keys };
  }
}
