/**
 * What delivery hands to the statistics, as values (vegeta's `Result`): one `Attempt` per
 * HTTP attempt, one `Settlement` per request when it ends. The dispatcher emits them and
 * never counts anything itself; `RunStats` adds them up; a results file can write one line
 * per attempt. A leaf module: types and constants only.
 */
import type { EndpointId } from '../../apis/api.js';
import type { ValidRecord } from '../../records.js';

/** One HTTP attempt of a request, once it has ended. Times are epoch ms (µs precision). */
export interface Attempt {
  readonly endpoint: EndpointId;
  /** The request's number in the run (0-based, in the order requests were submitted); its retries share it. */
  readonly seq: number;
  /** 0 for the first attempt, 1 for the first retry, and so on. */
  readonly attempt: number;
  /**
   * When the attempt was due: a paced run's schedule time for a first attempt (the send
   * time when unpaced), the end of the backoff for a retry; never after `sentMs`.
   */
  readonly dueMs: number;
  readonly sentMs: number;
  readonly endMs: number;
  /** The answer's HTTP status; 0 when no answer came. */
  readonly status: number;
  /**
   * Undefined when the attempt delivered; else why not, as the report names causes:
   * `http 503`, `ret_code 1001`, `code 2`, `bad response`, `timeout`, `network ECONNRESET`,
   * `aborted` (Ctrl-C after the grace period).
   */
  readonly cause: string | undefined;
  /** A failed attempt's answer (its body, or the transport's words): one line, ≤ 200 characters, secrets masked. */
  readonly excerpt: string | undefined;
  /** The request was written, then its answer was lost: the server may have processed it. */
  readonly uncertain: boolean;
  /** A first attempt that went late: held back by the concurrency bound, or by a lagging client. */
  readonly late: boolean;
  /** Bytes of the request: its URL and its body. */
  readonly bytes: number;
  /** The records the request carried (their origins name file and line). */
  readonly records: readonly ValidRecord[];
  /** How many records they are, counted the report's way (a stat envelope holds one per event). */
  readonly recordCount: number;
}

/**
 * How a request ended, for its records. `unsent`: never sent (the run stopped first, or
 * the schedule was over) or aborted in flight — not settled, so a resumed run sends them.
 */
export type Settlement =
  | { readonly kind: 'delivered'; readonly possiblyDuplicated: boolean }
  | { readonly kind: 'failed'; readonly cause: string; readonly excerpt: string | undefined; readonly uncertain: boolean }
  | { readonly kind: 'unsent' };

/** The cause of an attempt aborted in flight when the run stopped (it has no latency). */
export const ABORTED_CAUSE = 'aborted';

/** The failure cause of records whose request was written but whose answer was lost. */
export const UNCERTAIN_CAUSE = 'uncertain';

export const DELIVERED: Settlement = Object.freeze({ kind: 'delivered', possiblyDuplicated: false });
export const DELIVERED_POSSIBLY_TWICE: Settlement = Object.freeze({ kind: 'delivered', possiblyDuplicated: true });
export const UNSENT: Settlement = Object.freeze({ kind: 'unsent' });
