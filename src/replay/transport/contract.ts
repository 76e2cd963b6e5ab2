/**
 * The HTTP client behind the engine, one interface over two libraries (README § replay,
 * `--transport`): got, the user's chosen client, and undici for load beyond got's ceiling of
 * about 4 k requests/s per core (docs/BENCHMARKS.md § Measured before building). Whichever is used, the engine sees the same
 * `TransportResult` for the same situation; a failed request is a value, never a throw.
 */
import { GotTransport } from './got.js';
import type { Transport, TransportOptions } from './types.js';
import { UndiciTransport } from './undici.js';

export type { SendOptions, Transport, TransportResult } from './types.js';

export function createTransport(kind: 'got' | 'undici', options: TransportOptions): Transport {
  if (!(Number.isInteger(options.concurrency) && options.concurrency > 0)) {
    throw new RangeError(`concurrency must be a whole number more than 0, not ${options.concurrency}`);
  }
  return kind === 'got' ? new GotTransport(options) : new UndiciTransport(options);
}
