/** download's `replay` flag (docs/API.md § download): the player id field downloadEvent sends. */
import { z } from 'zod';
import type { ReplayOptionSpec } from '../api.js';

export const DOWNLOAD_REPLAY_OPTIONS: readonly ReplayOptionSpec[] = [
  {
    flag: '--download-openid-field',
    group: 'requests',
    describe: 'downloadEvent player id field sent',
    choices: ['oepnid', 'openid'],
    default: 'oepnid',
    /** @default 'oepnid' */
    schema: z.enum(['oepnid', 'openid']).default('oepnid'),
    into: 'build',
    key: 'downloadOpenidField',
  },
];
