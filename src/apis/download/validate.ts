/**
 * Validation of the two download endpoints: types settled field by field, the zod schema
 * for structure (issues walked only on failure), then the semantic rules in plain code.
 * The value returned is what is sent (the builder orders the parameters): every known
 * field with its type settled and the player id under its canonical name, plus the other
 * fields the record carried. It is the input object itself when nothing needed changing.
 */
import type { Validation } from '../api.js';
import type { Finding } from '../../findings.js';
import { stringifyExact } from '../../json/exact.js';
import type { JsonObject } from '../../records.js';
import { begintimeMs, begintimeProblem } from './begintime.js';
import { settle } from './convert.js';
import { RULE, downloadFinding } from './rules.js';
import { CHECK_APP_UPDATE, DOWNLOAD_EVENT, type DownloadSchema, type FieldSpec } from './schema.js';

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** A value as a message shows it. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object' && v !== null) return stringifyExact(v);
  return String(v);
}

function isSafeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

/** The one finding for a field the schema refused: missing, of the wrong type, or out of its set. */
function structureFinding(spec: FieldSpec, v: unknown, path: string): Finding {
  if (v === undefined) {
    const hint = spec.emptyOk ? ' (send it empty when there is none)' : '';
    return downloadFinding(RULE.missingField, path, v, `${path} is missing${hint}`);
  }
  if (spec.type === 'int') {
    if (!isSafeInt(v)) {
      // Digit strings were converted already: an integer here is one too big to send exactly.
      const what = typeof v === 'bigint' || Number.isInteger(v) ? 'a safe integer' : 'an integer';
      return downloadFinding(RULE.notInteger, path, v, `${path} ${show(v)} is not ${what}`);
    }
    const expected = spec.values ? `one of ${spec.meaning}` : '0 or more';
    return downloadFinding(RULE.badValue, path, v, `${path} ${v} is not ${expected}`);
  }
  if (typeof v !== 'string') {
    return downloadFinding(RULE.notString, path, v, `${path} ${show(v)} is not text`);
  }
  return downloadFinding(RULE.missingField, path, v, `${path} is empty`);
}

interface Settled {
  readonly value: JsonObject;
  readonly findings: Finding[];
}

/**
 * Types settled, alias applied, schema checked. Most records already have every type
 * right and no alias: the shape accepts them as they are and they are returned unchanged (the
 * builder reads fields by name and skips empty unknown ones). Only the others are copied.
 */
function settleAndCheck(schema: DownloadSchema, input: JsonObject): Settled {
  if ((schema.alias === undefined || isBlank(input[schema.alias])) && schema.shape.accepts(input)) {
    return { value: input, findings: [] };
  }
  return settleCopy(schema, input);
}

/** The slow path: a copy with types settled, in the API document's order, findings for what is wrong. */
function settleCopy(schema: DownloadSchema, input: JsonObject): Settled {
  const findings: Finding[] = [];
  const value: JsonObject = {};
  /** Input name the aliased field's value came from, when it was the alias. */
  let aliasUsed: string | undefined;
  for (const spec of schema.specs) {
    let v = settle(spec, input[spec.name]);
    if (spec.alias !== undefined) {
      const aliased = settle(spec, input[spec.alias]);
      if (isBlank(v) && !isBlank(aliased)) {
        v = aliased;
        aliasUsed = spec.alias;
      } else if (!isBlank(v) && !isBlank(aliased) && v !== aliased) {
        findings.push(downloadFinding(RULE.openidConflict, spec.alias, aliased, `${spec.name} ${show(v)} and its alias ${spec.alias} ${show(aliased)} differ: keep one of them`));
      } else if (v === undefined) v = aliased;
    }
    if (v !== undefined) value[spec.name] = v;
  }
  for (const key in input) {
    if (!schema.known.has(key) && !isBlank(input[key])) value[key] = input[key];
  }
  const parsed = schema.shape.zod.safeParse(value);
  if (!parsed.success) {
    let last: PropertyKey | undefined;
    for (const issue of parsed.error.issues) {
      const name = issue.path[0];
      if (name === last || typeof name !== 'string') continue;
      last = name;
      const spec = schema.byName.get(name)!;
      const path = spec.alias !== undefined && aliasUsed === spec.alias ? spec.alias : name;
      findings.push(structureFinding(spec, value[name], path));
    }
  }
  return { value, findings };
}

/** errorCode not "0" with nothing in errorMsg: the failure cannot be diagnosed. */
function checkErrorMessage(value: JsonObject, findings: Finding[]): void {
  const code = value.errorCode;
  const msg = value.errorMsg;
  if (typeof code !== 'string' || code === '' || code === '0') return;
  if (msg !== undefined && (typeof msg !== 'string' || msg.trim() !== '')) return;
  findings.push(downloadFinding(RULE.errorWithoutMessage, 'errorMsg', msg, `errorCode ${show(code)} reports a failure but errorMsg is empty`));
}

export function validateCheckAppUpdate(input: JsonObject): Validation {
  const { value, findings } = settleAndCheck(CHECK_APP_UPDATE, input);
  if (value.resultCode === 1 && value.updateType === undefined) {
    findings.push(downloadFinding(RULE.missingField, 'updateType', undefined, 'updateType is missing: it is required when resultCode is 1 (0 ignored, 1 voluntary, 2 forced)'));
  }
  checkErrorMessage(value, findings);
  return { findings, value };
}

export function validateDownloadEvent(input: JsonObject): Validation {
  const { value, findings } = settleAndCheck(DOWNLOAD_EVENT, input);
  const begintime = value.begintime;
  if (typeof begintime === 'string' && begintime !== '' && Number.isNaN(begintimeMs(begintime))) {
    findings.push(downloadFinding(RULE.badBegintime, 'begintime', begintime, begintimeProblem(begintime)));
  }
  checkErrorMessage(value, findings);
  const { filesize, totalfilesize } = value;
  if (isSafeInt(filesize) && isSafeInt(totalfilesize) && filesize >= 0 && totalfilesize >= 0) {
    // One finding per fact: more than the total is its own warning, whatever the result.
    if (filesize > totalfilesize) {
      findings.push(downloadFinding(RULE.filesizeExceedsTotal, 'filesize', filesize, `filesize ${filesize} is more than totalfilesize ${totalfilesize}`));
    } else if (value.resultCode === 0 && filesize !== totalfilesize) {
      findings.push(downloadFinding(RULE.filesizeMismatch, 'filesize', filesize, `the download succeeded (resultCode 0) but filesize ${filesize} is not totalfilesize ${totalfilesize}`));
    }
  }
  return { findings, value };
}
