/**
 * SUD's `uid` and `ss_token` come from the record or from the configured credentials
 * (README.md, Signing). This is the one place they are applied: the judge applies them before validating,
 * so a record that lacks them is valid when they are configured, and the builder sends the
 * record as judged. Configured values override the record's (the usual backfill: the log's
 * tokens have expired); with --keep-auth the record's own win and configuration only fills
 * what it lacks (absent or empty), to reproduce captured traffic.
 */
import type { Credentials } from '../api.js';
import type { JsonObject } from '../../records.js';

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
