/** The stat API's credentials (docs/API.md, `stat.push_data`): its signing secret and the session key it sends. */
import type { CredentialSpec, ServeVerification } from '../api.js';

export const STAT_CREDENTIALS: readonly CredentialSpec[] = [
  {
    key: 'statSecret',
    flag: '--stat-secret',
    describe: 'stat md5 signing secret',
    verifies: 'verify stat __md5 (md5-sorted) with this secret',
    section: 'stat',
    field: 'secret',
    variable: 'REPLAY_STAT_SECRET',
    secret: true,
    demo: 'demo-stat-secret',
  },
  {
    key: 'statSessionKey',
    flag: '--stat-session-key',
    describe: 'stat session_key sent with every request',
    section: 'stat',
    field: 'sessionKey',
    variable: 'REPLAY_STAT_SESSION_KEY',
    secret: true,
    demo: 'demo-session',
  },
];

/** serve: `__md5` is checked when the receiver has the secret. */
export const STAT_VERIFICATION: ServeVerification = {
  describe: (credentials) => `stat __md5: ${credentials.statSecret !== undefined ? 'verified (md5-sorted)' : 'not checked (no stat secret)'}`,
};

/** Request parameters whose values are secret: masked by name wherever a request is shown. */
export const STAT_SECRET_FIELDS: readonly string[] = ['session_key'];
