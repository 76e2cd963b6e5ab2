/**
 * The HTTP client behind the engine, one interface over two libraries (README § replay,
 * `--transport`): got, the user's chosen client, and undici for load beyond got's ceiling of
 * about 4 k requests/s per core (docs/BENCHMARKS.md § Measured before building). Whichever is used, the engine sees the same
 * `TransportResult` for the same situation; a failed request is a value, never a throw.
 *
 * Each library is loaded when a run first needs it: together they are ~170 modules, a third
 * of the command line's start-up, which validate, generate, serve and a dry run never use.
 */
import assert from 'node:assert/strict';
import type { Transport, TransportOptions } from './types.js';

export type { SendOptions, Transport, TransportResult } from './types.js';

export async function createTransport(kind: 'got' | 'undici', options: TransportOptions): Promise<Transport> {
  // --concurrency is checked by the options schema (commands/replay-options.ts); this is an invariant.
  assert.ok(Number.isInteger(options.concurrency) && options.concurrency > 0, `internal: concurrency must be a whole number more than 0, not ${options.concurrency}`);
  if (kind === 'got') {
    const { GotTransport } = await import('./got.js');
    return new GotTransport(options);
  }
  const { UndiciTransport } = await import('./undici.js');
  return new UndiciTransport(options);
}
