/**
 * SUD's `uid` and `ss_token` come from the record or from the configured credentials
 * (README.md, Signing). This is the one place they are applied: the judge applies them before validating,
 * so a record that lacks them is valid when they are configured, and the builder sends the
 * record as judged. Configured values override the record's (the usual backfill: the log's
 * tokens have expired); with --keep-auth the record's own win and configuration only fills
 * what it lacks (absent or empty), to reproduce captured traffic.
 */
import type { CredentialSpec, Credentials, ServeVerification } from '../api.js';
import type { JsonObject } from '../../records.js';

/** SUD's credentials: the leader's uid and token sent in the body, and the app id and secret of the signature headers. */
export const SUD_CREDENTIALS: readonly CredentialSpec[] = [
  { key: 'sudUid', flag: '--sud-uid', describe: 'SUD leader uid, overrides the records', section: 'sud', field: 'uid', variable: 'REPLAY_SUD_UID', secret: false },
  { key: 'sudSsToken', flag: '--sud-ss-token', describe: 'SUD leader ss_token, overrides the records', section: 'sud', field: 'ssToken', variable: 'REPLAY_SUD_SS_TOKEN', secret: true },
  {
    key: 'sudAppId',
    flag: '--sud-app-id',
    describe: 'SUD app id for signature headers',
    verifies: 'verify SUD Sud-* signature headers for this app id',
    section: 'sud',
    field: 'appId',
    variable: 'REPLAY_SUD_APP_ID',
    secret: false,
    demo: 'demo-app',
  },
  {
    key: 'sudAppSecret',
    flag: '--sud-app-secret',
    describe: 'SUD app secret for signature headers',
    verifies: 'the SUD app secret for those signatures',
    section: 'sud',
    field: 'appSecret',
    variable: 'REPLAY_SUD_APP_SECRET',
    secret: true,
    demo: 'demo-sud-secret',
  },
];

/** serve: the Sud-* headers are checked with an app id and its secret, which come together. */
export const SUD_VERIFICATION: ServeVerification = {
  describe: (credentials) =>
    `SUD signature: ${credentials.sudAppId !== undefined ? `verified for app id ${credentials.sudAppId}` : 'not checked (no SUD app id and secret)'}`,
  problem: (credentials) => {
    if ((credentials.sudAppId === undefined) === (credentials.sudAppSecret === undefined)) return undefined;
    const missing = credentials.sudAppId === undefined ? '--sud-app-id (or REPLAY_SUD_APP_ID)' : '--sud-app-secret (or REPLAY_SUD_APP_SECRET)';
    return `verifying SUD signatures needs both an app id and an app secret: ${missing} is missing`;
  },
};

/** Body fields whose values are secret: masked by name wherever a request or record is shown. */
export const SUD_SECRET_FIELDS: readonly string[] = ['ss_token', 'sstoken'];

function lacks(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The record with configured `uid`/`ss_token` applied, in place of the record's so key order is kept; `value` itself when nothing changes. */
export function withSudCredentials(value: JsonObject, credentials: Credentials, keepAuth: boolean): JsonObject {
  const { sudUid, sudSsToken } = credentials;
  const uid = sudUid !== undefined && (!keepAuth || lacks(value.uid)) && value.uid !== sudUid;
  const ssToken = sudSsToken !== undefined && (!keepAuth || lacks(value.ss_token)) && value.ss_token !== sudSsToken;
  if (!uid && !ssToken) return value;
  const out: JsonObject = { ...value };
  if (uid) out.uid = sudUid;
  if (ssToken) out.ss_token = sudSsToken;
  return out;
}
