/** stat's request defaults (README § replay), for its flags (replay-options.ts) and replays built in code (replay/options.ts). */
export const STAT_REQUEST_DEFAULTS = {
  /** Events per request. */
  batchSize: 50,
  /** Query mode: the whole URL stays under this, strictly. */
  maxUrlBytes: 8000,
  /** How long a paced batch waits for more events (ms). */
  batchLingerMs: 200,
} as const;
