/** The download service's rules (docs/API.md § download service, docs/RULES.md): stable ids users grep for. */
import type { RuleDef } from '../../findings.js';
import { ruleFinding } from '../rules.js';

export const RULE = {
  missingField: 'download.missing_field',
  notInteger: 'download.not_integer',
  notString: 'download.not_string',
  badValue: 'download.bad_value',
  badBegintime: 'download.bad_begintime',
  openidConflict: 'download.openid_conflict',
  errorWithoutMessage: 'download.error_without_message',
  filesizeMismatch: 'download.filesize_mismatch',
  filesizeExceedsTotal: 'download.filesize_exceeds_total',
} as const;

export type DownloadRuleId = (typeof RULE)[keyof typeof RULE];

/** Every rule of both endpoints, written once. */
const DOWNLOAD_RULES: readonly RuleDef[] = [
  { id: RULE.missingField, severity: 'error', summary: 'A required field is missing or empty (checkAppUpdate: updateType is required when resultCode is 1).' },
  { id: RULE.notInteger, severity: 'error', summary: 'An integer field (appid, platform, totaltime, resultCode, …) holds something that is not a safe integer or a string of digits.' },
  { id: RULE.notString, severity: 'error', summary: 'A text field holds an object, an array or a boolean.' },
  { id: RULE.badValue, severity: 'error', summary: 'An integer outside its set (platform 1|2|3|9, resultCode, updateType 0|1|2, versionType 0|1|2), or a negative id, time or size.' },
  { id: RULE.badBegintime, severity: 'error', summary: 'begintime is not a real date and time written YYYY-MM-DD hh:mm:ss.' },
  { id: RULE.openidConflict, severity: 'error', summary: 'downloadEvent carries both oepnid and its alias openid, with different values.' },
  { id: RULE.errorWithoutMessage, severity: 'warning', summary: 'errorCode reports a failure (not "0") but errorMsg is empty.' },
  { id: RULE.filesizeMismatch, severity: 'warning', summary: 'A successful download (resultCode 0) whose filesize is less than totalfilesize.' },
  { id: RULE.filesizeExceedsTotal, severity: 'warning', summary: 'filesize is greater than totalfilesize (reported instead of filesize_mismatch).' },
];

const byId = (ids: readonly DownloadRuleId[]): RuleDef[] => DOWNLOAD_RULES.filter((rule) => ids.includes(rule.id as DownloadRuleId));

export const CHECK_APP_UPDATE_RULES: readonly RuleDef[] = byId([RULE.missingField, RULE.notInteger, RULE.notString, RULE.badValue, RULE.errorWithoutMessage]);

export const DOWNLOAD_EVENT_RULES: readonly RuleDef[] = DOWNLOAD_RULES;

export const downloadFinding = ruleFinding<DownloadRuleId>(DOWNLOAD_RULES);
