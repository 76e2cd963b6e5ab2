/**
 * One record in, one verdict out: reader errors, `_` metadata, `_api` and detection
 * (docs/API.md § Records), CSV typing, the endpoint's rules, `--strict`. Counts go to RunStats as it
 * judges, so validate, replay and dry-run count the same way.
 */
import { UNKNOWN_ENDPOINT, recordsIn, type Credentials, type Endpoint, type ValidateOptions, type WireOptions } from '../apis/api.js';
import { detectEndpoint, getEndpoint, selectEndpoints } from '../apis/registry.js';
import { tooDeepFinding, type Finding } from '../findings.js';
import { JsonDepthError } from '../json/exact.js';
import type { JsonObject, Origin, RawRecord, ValidRecord } from '../records.js';
import type { RunStats } from '../report/stats.js';
import { UsageError } from '../errors.js';

export interface JudgeOptions {
  /** --api: `auto`, an API name or an endpoint id. */
  readonly api: string;
  /** --strict: warnings are errors (the record is not sent). */
  readonly strict: boolean;
  readonly allowUnknownAid: boolean;
  readonly nowMs: number;
  /**
   * Configured credentials (config, REPLAY_* variables, flags), applied to each record before
   * it is judged (SUD `uid`/`ss_token`): what is judged is what is sent, in validate and replay.
   */
  readonly credentials?: Credentials;
  /** --keep-auth: a record's own credentials win; configured ones only fill what it lacks. */
  readonly keepAuth?: boolean;
  /**
   * replay only: how requests go on the wire, for rules about the request a record makes
   * (stat's URL limit). validate has no target and does not check them.
   */
  readonly wire?: Omit<WireOptions, 'credentials' | 'keepAuth'>;
}

export interface Judgement {
  readonly origin: Origin;
  readonly endpoint: Endpoint | undefined;
  readonly findings: readonly Finding[];
  /** Set when the record may be sent. */
  readonly record: ValidRecord | undefined;
  /** Records the line holds, counted the report's way (a stat envelope: one per event). */
  readonly records: number;
  /**
   * The record as it should be written to --failed: typed, metadata kept. Only for a
   * record that may not be sent (a valid one is written from its ValidRecord, if ever).
   */
  readonly failedForm: JsonObject | undefined;
}

export class RecordJudge {
  readonly #candidates: readonly Endpoint[];
  readonly #options: JudgeOptions;
  readonly #validateOptions: ValidateOptions;
  /** `_api` value → the endpoints it selects among the candidates (most records name one of a few). */
  readonly #allowedByName = new Map<string, readonly Endpoint[]>();
  /** Where verdicts are counted; undefined to judge on the side (the caller counts). */
  readonly #stats: RunStats | undefined;
  #seq = 0;

  constructor(options: JudgeOptions, stats: RunStats | undefined) {
    const candidates = selectEndpoints(options.api);
    if (!candidates) throw new UsageError(`--api ${options.api} is not an API or endpoint`, 'use auto, stat, sud, download, or an endpoint id such as download.downloadEvent');
    this.#candidates = candidates;
    this.#options = options;
    const { allowUnknownAid, nowMs, wire } = options;
    this.#validateOptions =
      wire === undefined
        ? { allowUnknownAid, nowMs }
        : { allowUnknownAid, nowMs, wire: { ...wire, credentials: options.credentials ?? {}, keepAuth: options.keepAuth ?? false } };
    this.#stats = stats;
  }

  judge(raw: RawRecord): Judgement {
    const { origin } = raw;
    if (raw.error || !raw.value) {
      const finding: Finding = { rule: raw.error?.rule ?? 'json.syntax', severity: 'error', path: '', message: raw.error?.message ?? 'no record' };
      return this.#verdict(origin, undefined, [finding], undefined, raw.text === undefined ? undefined : { _raw: raw.text }, 1);
    }
    let meta: JsonObject = NO_META;
    let fields: JsonObject = raw.value;
    // Most records carry no metadata: then the record as read is already its fields, uncopied.
    if (hasMetadata(raw.value)) {
      meta = {};
      fields = {};
      for (const key in raw.value) {
        const v = raw.value[key];
        if (key.charCodeAt(0) === UNDERSCORE) {
          if (!(raw.format === 'csv' && v === '')) meta[key] = v;
        } else fields[key] = v;
      }
    }
    const resolved = this.#endpointFor(fields, meta);
    if (typeof resolved === 'string') {
      const rule = meta._api === undefined ? 'record.unknown_api' : 'record.api_mismatch';
      return this.#verdict(origin, undefined, [{ rule, severity: 'error', path: meta._api === undefined ? '' : '_api', value: meta._api, message: resolved }], undefined, raw.value, 1);
    }
    const endpoint = resolved;
    if (meta !== NO_META && endpoint.underscoreParams) [fields, meta] = takeParams(endpoint.underscoreParams, fields, meta);
    if (raw.format === 'csv') {
      try {
        fields = endpoint.typeTextFields(dropForeignEmptyCells(fields, endpoint));
      } catch (err) {
        if (!(err instanceof JsonDepthError)) throw err;
        return this.#verdict(origin, endpoint, [tooDeepFinding('')], undefined, { ...meta, _api: endpoint.id, ...fields }, 1);
      }
    }
    // What is judged is what is sent: the configured credentials first. The record as logged
    // stays the one written to --failed, so a configured secret never reaches a file.
    const logged = fields;
    const credentials = this.#options.credentials;
    if (credentials && endpoint.withCredentials) fields = endpoint.withCredentials(fields, credentials, this.#options.keepAuth ?? false);
    const validation = endpoint.validate(fields, this.#validateOptions);
    let findings = validation.findings;
    if (this.#options.strict && findings.some((f) => f.severity === 'warning')) {
      findings = findings.map((f) => (f.severity === 'warning' ? { ...f, severity: 'error' as const } : f));
    }
    const ok = !findings.some((f) => f.severity === 'error');
    const records = recordsIn(endpoint, validation.value);
    if (ok) {
      const seq = this.#seq++;
      const record: ValidRecord =
        logged === fields ? { origin, endpoint: endpoint.id, value: validation.value, meta, seq } : { origin, endpoint: endpoint.id, value: validation.value, meta, seq, logged };
      return this.#verdict(origin, endpoint, findings, record, undefined, records);
    }
    return this.#verdict(origin, endpoint, findings, undefined, { ...meta, _api: endpoint.id, ...logged }, records);
  }

  #endpointFor(fields: JsonObject, meta: JsonObject): Endpoint | string {
    const named = meta._api;
    if (named !== undefined) {
      let allowed = typeof named === 'string' ? this.#allowedByName.get(named) : undefined;
      if (allowed === undefined) {
        const selected = typeof named === 'string' ? selectEndpoints(named) : undefined;
        if (!selected || named === 'auto') return `_api ${JSON.stringify(named)} is not an API or endpoint id`;
        allowed = selected.filter((e) => this.#candidates.includes(e));
        // Only names of APIs and endpoints get here: a handful, so the cache stays small.
        this.#allowedByName.set(named as string, allowed);
      }
      if (allowed.length === 0) return `_api ${JSON.stringify(named)} is not among the endpoints --api ${this.#options.api} selects`;
      const endpoint = detectEndpoint(fields, allowed) ?? (allowed.length === 1 ? allowed[0] : undefined);
      return endpoint ?? `_api ${JSON.stringify(named)} names several endpoints and the record matches none of them`;
    }
    return detectEndpoint(fields, this.#candidates) ?? 'cannot tell which API this record belongs to (no _api, and none of its fields identifies one)';
  }

  #verdict(
    origin: Origin,
    endpoint: Endpoint | undefined,
    findings: readonly Finding[],
    record: ValidRecord | undefined,
    failedForm: JsonObject | undefined,
    records: number,
  ): Judgement {
    const judgement: Judgement = { origin, endpoint, findings, record, records, failedForm };
    if (this.#stats) countJudgement(this.#stats, judgement);
    return judgement;
  }
}

/** Count a verdict in the run's stats (records, valid or invalid, warnings, findings by rule). */
export function countJudgement(stats: RunStats, judgement: Judgement): void {
  stats.addJudged({
    origin: judgement.origin,
    endpoint: judgement.endpoint?.id ?? UNKNOWN_ENDPOINT,
    records: judgement.records,
    valid: judgement.record !== undefined,
    findings: judgement.findings,
  });
}

/** The metadata of a record that has none: shared, so frozen. */
const NO_META: JsonObject = Object.freeze({});

const UNDERSCORE = 95;

function hasMetadata(value: JsonObject): boolean {
  for (const key in value) if (key.charCodeAt(0) === UNDERSCORE) return true;
  return false;
}

/**
 * Every top-level field starting with `_` is metadata, never sent (`_api`, `_time`, `_error`,
 * `__note`…), except the parameters an endpoint names itself (stat's `__md5`): those are
 * moved from the metadata back to the fields once the endpoint is known.
 */
function takeParams(names: readonly string[], fields: JsonObject, meta: JsonObject): [JsonObject, JsonObject] {
  if (!names.some((name) => Object.hasOwn(meta, name))) return [fields, meta];
  const keptMeta: JsonObject = {};
  const withParams: JsonObject = { ...fields };
  for (const key in meta) {
    if (names.includes(key)) withParams[key] = meta[key];
    else keptMeta[key] = meta[key];
  }
  return [withParams, keptMeta];
}

/** A mixed CSV carries every endpoint's columns: an empty cell of another endpoint's column is not data. */
function dropForeignEmptyCells(row: JsonObject, endpoint: Endpoint): JsonObject {
  let out: JsonObject | undefined;
  for (const key in row) {
    if (row[key] === '' && !endpoint.fields.includes(key)) {
      out ??= { ...row };
      delete out[key];
    }
  }
  return out ?? row;
}

/** Only the endpoint by id, for code that has a ValidRecord. */
export function endpointOf(record: ValidRecord): Endpoint {
  return getEndpoint(record.endpoint)!;
}
