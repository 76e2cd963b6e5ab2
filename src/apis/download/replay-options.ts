/** download's `replay` flag (docs/API.md § download): the player id field downloadEvent sends. */
import { oneOf } from '../../commands/options/problems.js';
import type { ReplayOptionSpec } from '../api.js';

export const DOWNLOAD_REPLAY_OPTIONS: readonly ReplayOptionSpec[] = [
  {
    flag: '--download-openid-field',
    group: 'requests',
    describe: 'downloadEvent player id field sent',
    ...oneOf(['oepnid', 'openid'], 'oepnid'),
    into: 'build',
    key: 'downloadOpenidField',
  },
];
