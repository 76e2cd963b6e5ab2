/**
 * stat's `replay` flags (docs/API.md § stat.push_data): how `ts` is sent, how events are
 * batched and where its parameters go. `replay` declares them from here (ApiModule.replayOptions).
 */
import type { ReplayOptionSpec } from '../api.js';
import { oneOf, parsed, wholeNumber } from '../../commands/options/problems.js';
import { parseDuration } from '../../commands/options/duration.js';
import { STAT_REQUEST_DEFAULTS as D } from './defaults.js';

export const STAT_REPLAY_OPTIONS: readonly ReplayOptionSpec[] = [
  {
    flag: '--ts',
    group: 'signing',
    describe: "stat ts: keep the record's (else now), or now",
    /** `keep`: the record's ts when present, else now; `now`: always now. */
    ...oneOf(['keep', 'now'], 'keep'),
    into: 'build',
    key: 'ts',
  },
  {
    flag: '--batch-size',
    group: 'requests',
    describe: 'stat events per request',
    type: 'number',
    default: D.batchSize,
    /** @default 50 */
    schema: wholeNumber('batch-size', 1).default(D.batchSize),
    into: 'build',
    key: 'batchSize',
  },
  {
    flag: '--max-url-bytes',
    group: 'requests',
    describe: 'stat query mode: URL length limit; batches split to fit',
    type: 'number',
    default: D.maxUrlBytes,
    /** @default 8000 */
    schema: wholeNumber('max-url-bytes', 256).default(D.maxUrlBytes),
    into: 'build',
    key: 'maxUrlBytes',
  },
  {
    flag: '--batch-linger',
    group: 'requests',
    describe: 'paced stat batches wait at most this long for more events',
    type: 'string',
    default: '200ms',
    /** In ms. @default 200 */
    schema: parsed('batch-linger', parseDuration).default(D.batchLingerMs),
    into: 'run',
    key: 'batchLingerMs',
  },
  {
    flag: '--stat-params',
    group: 'requests',
    describe: 'stat parameters in the query string or a form body',
    ...oneOf(['query', 'form'], 'query'),
    into: 'build',
    key: 'statParams',
  },
];
