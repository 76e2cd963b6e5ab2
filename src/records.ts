
/** Where a record came from: every message about a record names it. */
export interface Origin {
  /** The input as the user named it (a path, or `-` for stdin). */
  readonly file: string;
  /** 1-based line of the record's first line in that input (CSV: the row's first line). */
  readonly line: number;
  /** Index of the input among the run's inputs, in reading order (for checkpoints). */
  readonly input: number;
}

/** A JSON-like object as read: integers beyond 2^53 are `bigint`, never rounded. */
export type JsonObject = Record<string, unknown>;

/**
 * One record as the reader produced it. Either `value` is set, or `error` says why the
 * line/row could not be made into an object (it is then an invalid record, never a crash).
 */
export interface RawRecord {
  readonly origin: Origin;
  readonly format: 'ndjson' | 'csv';
  /** NDJSON: the parsed object. CSV: the row, dotted headers nested, every cell a string. */
  readonly value?: JsonObject;
  /** Reader-level problem: rule id (`json.syntax`, `json.not_object`, `csv.row`) and message. */
  readonly error?: { readonly rule: string; readonly message: string };
  /** The original text of the line, kept only when it could not be parsed (for --failed). */
  readonly text?: string;
}

/** A record that passed validation for one endpoint and may be sent. */
export interface ValidRecord {
  readonly origin: Origin;
  /** The endpoint id (`EndpointId`, src/apis/api.ts). */
  readonly endpoint: string;
  /** The value to send: typed, aliases applied, over-long strings truncated. `_` fields removed. */
  readonly value: JsonObject;
  /** Metadata fields (`_api`, `_time`, …) of the input record, never sent. */
  readonly meta: JsonObject;
  /** Sequence number in the run (0-based, over valid records), for ordering and reports. */
  readonly seq: number;
  /**
   * The record's fields as logged, when configured credentials changed them in `value` (SUD
   * `uid`/`ss_token`): --failed writes these, so a configured secret never reaches a file.
   */
  readonly logged?: JsonObject;
  /**
   * Records the value holds (`recordsIn`), when known without looking at it: a record a
   * worker thread built ahead (src/workers/replay-pool.ts) makes its fields only when asked.
   */
  readonly count?: number;
}
