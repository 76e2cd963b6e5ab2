/** The download service's rules (docs/API.md § download service, docs/RULES.md): stable ids users grep for. */
import { severityTable, type RuleDef } from '../../findings.js';

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

const MISSING_FIELD: RuleDef = {
  id: RULE.missingField,
  severity: 'error',
  summary: 'A required field is missing or empty (checkAppUpdate: updateType is required when resultCode is 1).',
};
const NOT_INTEGER: RuleDef = {
  id: RULE.notInteger,
  severity: 'error',
  summary: 'An integer field (appid, platform, totaltime, resultCode, …) holds something that is not a safe integer or a string of digits.',
};
const NOT_STRING: RuleDef = {
  id: RULE.notString,
  severity: 'error',
  summary: 'A text field holds an object, an array or a boolean.',
};
const BAD_VALUE: RuleDef = {
  id: RULE.badValue,
  severity: 'error',
  summary: 'An integer outside its set (platform 1|2|3|9, resultCode, updateType 0|1|2, versionType 0|1|2), or a negative id, time or size.',
};
const BAD_BEGINTIME: RuleDef = {
  id: RULE.badBegintime,
  severity: 'error',
  summary: 'begintime is not a real date and time written YYYY-MM-DD hh:mm:ss.',
};
const OPENID_CONFLICT: RuleDef = {
  id: RULE.openidConflict,
  severity: 'error',
  summary: 'downloadEvent carries both oepnid and its alias openid, with different values.',
};
const ERROR_WITHOUT_MESSAGE: RuleDef = {
  id: RULE.errorWithoutMessage,
  severity: 'warning',
  summary: 'errorCode reports a failure (not "0") but errorMsg is empty.',
};
const FILESIZE_MISMATCH: RuleDef = {
  id: RULE.filesizeMismatch,
  severity: 'warning',
  summary: 'A successful download (resultCode 0) whose filesize is less than totalfilesize.',
};
const FILESIZE_EXCEEDS_TOTAL: RuleDef = {
  id: RULE.filesizeExceedsTotal,
  severity: 'warning',
  summary: 'filesize is greater than totalfilesize (reported instead of filesize_mismatch).',
};

export const CHECK_APP_UPDATE_RULES: readonly RuleDef[] = [MISSING_FIELD, NOT_INTEGER, NOT_STRING, BAD_VALUE, ERROR_WITHOUT_MESSAGE];

export const DOWNLOAD_EVENT_RULES: readonly RuleDef[] = [
  MISSING_FIELD,
  NOT_INTEGER,
  NOT_STRING,
  BAD_VALUE,
  BAD_BEGINTIME,
  OPENID_CONFLICT,
  ERROR_WITHOUT_MESSAGE,
  FILESIZE_MISMATCH,
  FILESIZE_EXCEEDS_TOTAL,
];

type DownloadRuleId = (typeof RULE)[keyof typeof RULE];

/** Each rule's severity, from the definitions above: validate.ts never writes one itself. */
export const severityOf = severityTable<DownloadRuleId>(DOWNLOAD_EVENT_RULES);
