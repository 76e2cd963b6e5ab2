/**
 * The one interface every reporting API implements, both sides of its wire: how records
 * are judged, built, signed and sent, how an answer is read, and how the embedded receiver
 * answers (answer.ts). Adding a fourth API means adding a folder under src/apis/ that
 * exports an `ApiModule`, and one line in registry.ts (docs/API.md, "Adding an API").
 */
import type { Finding, RuleDef } from '../findings.js';
import type { JsonObject, ValidRecord } from '../records.js';
import type { Prng } from '../prng.js';
import type { z } from 'zod';

/** An API's name: the first part of its endpoint ids (`stat`, `sud`, `download`). */
type ApiName = string;
/** `<api>.<name>`, as the API's folder declares it (`stat.push_data`); the registry lists them. */
export type EndpointId = string;

/**
 * The label for records that could not be attributed to an endpoint (bad JSON, unknown API).
 * Here, not in report/stats.ts, so that a worker thread judging records does not load the
 * report's modules (and hdr-histogram) to name it.
 */
export const UNKNOWN_ENDPOINT = 'unknown';

/** Options that change what validation accepts. */
export interface ValidateOptions {
  /** --allow-unknown-aid: stat aids outside the feature table pass. */
  readonly allowUnknownAid: boolean;
  /** Wall-clock "now" in ms, injected so rules about time are testable. */
  readonly nowMs: number;
  /** replay only: how requests will go on the wire, for rules about the request a record makes. */
  readonly wire?: WireOptions;
}

/** What a replay knows about its requests, for rules about the request a record makes (stat's URL limit). */
export type WireOptions = Pick<BuildOptions, 'maxUrlBytes' | 'statParams' | 'baseUrlBytes' | 'ts' | 'keepAuth' | 'credentials' | 'nowSeconds'>;

/**
 * An endpoint's own URL setting: `Target[option]`, set by `flag` or `configKey` in the
 * config. `replay` declares the flag from this, and `serve` its `--upstream-<flag>` when
 * `upstreamDescribe` is given (commands/url-options.ts): no command names it.
 */
export interface UrlOption {
  readonly option: string;
  readonly flag: `--${string}`;
  readonly configKey: string;
  /** What it is, for `replay --help`: `full URL of SUD's report endpoint (deployment-specific)`. */
  readonly describe: string;
  /** Who it is for, in other flags' help and in messages: `SUD`. */
  readonly label: string;
  /**
   * For `serve --help`, when `serve --upstream` may forward this endpoint's requests to a
   * URL of their own (`--upstream-<flag>`): `with --upstream: forward SUD requests to this URL instead`.
   */
  readonly upstreamDescribe?: string;
}

/**
 * A `replay` flag an API adds (stat's `--batch-size`): how it is declared, how its value is
 * checked, and where the value lands. `replay` declares and parses these from the registry
 * (commands/api-options.ts), in registry order within each help group: nothing outside the
 * API's folder names them (docs/API.md, "Adding an API").
 */
export interface ReplayOptionSpec {
  readonly flag: `--${string}`;
  /** Its `replay --help` group: `signing` ("Credentials and signing:", after --signer) or `requests` ("Requests:"). */
  readonly group: 'signing' | 'requests';
  /** For `replay --help`. */
  readonly describe: string;
  /** As yargs reads it (absent with `choices`); a flag with a value requires one. */
  readonly type?: 'string' | 'number' | 'boolean';
  readonly choices?: readonly string[];
  /** Shown in `replay --help` (the schema applies its own default). */
  readonly default?: string | number | boolean;
  /** The check of the value yargs gives, its default included (a piece of the options schema: commands/options/problems.ts has the pieces). */
  readonly schema: z.ZodType;
  /**
   * Where the checked value lands: the request builders' options under `key` (`BuildOptions`;
   * an API's own key reaches its `createBuilder` too), or the run's (`batchLingerMs`, how
   * long a paced batch waits for more records).
   */
  readonly into: 'build' | 'run';
  readonly key: string;
}

/** What validating one record gives: findings, and the value to send when there is no error. */
export interface Validation {
  readonly findings: Finding[];
  /** The typed, normalized value (aliases applied, truncations done, `_` fields removed). */
  readonly value: JsonObject;
}

/** Options for turning valid records into requests (docs/API.md, README § Signing, § replay). */
export interface BuildOptions {
  /** stat: events per request (default 50). */
  readonly batchSize: number;
  /** stat query mode: the whole URL (base + path + query) stays under this, strictly (default 8000). */
  readonly maxUrlBytes: number;
  /** stat: parameters in the query string (default) or a form body. */
  readonly statParams: 'query' | 'form';
  /** Length in bytes of the target base URL (scheme://host:port, no trailing slash), for URL limits. */
  readonly baseUrlBytes: number;
  /** `keep`: ts from the record when present, else now. `now`: always now. */
  readonly ts: 'keep' | 'now';
  /** Send logged auth fields (`__md5`, `session_key`, SUD headers) unchanged; configured ones only fill what a record lacks. */
  readonly keepAuth: boolean;
  /** download.downloadEvent: name of the player id field sent (default `oepnid`). */
  readonly downloadOpenidField: 'oepnid' | 'openid';
  /**
   * The configured credentials: stat's session key overrides the record's here. SUD's
   * `uid`/`ss_token` are in the record already (Endpoint.withCredentials, before judging).
   */
  readonly credentials: Credentials;
  /** Clock in Unix seconds (injected for tests). */
  readonly nowSeconds: () => number;
  /**
   * --pace original: a record's original time (epoch ms). A batch then holds records of one
   * time only, so each goes at its own time. Undefined: the time does not matter.
   */
  readonly timeOf?: (record: ValidRecord) => number | undefined;
}

/**
 * The configured credentials by key (`statSecret`, `sudAppId`): each API declares its own
 * in its folder (`ApiModule.credentials`), with the flag, config field and environment
 * variable that set it and whether it is secret. Secret values are never printed.
 */
export type Credentials = Readonly<Partial<Record<CredentialKey, string>>>;

/** A credential's key, as its API declares it (`statSecret`). */
export type CredentialKey = string;

/**
 * One credential an API needs: how a user sets it (README "Configuration"), and whether it
 * is secret. The commands declare its flag from this (commands/credential-options.ts): a
 * new API's credentials need nothing outside its folder.
 */
export interface CredentialSpec {
  readonly key: CredentialKey;
  readonly flag: `--${string}`;
  /** What it is, for `replay --help` (its variable is added): `stat md5 signing secret`. */
  readonly describe: string;
  /**
   * For `serve --help`, when the embedded receiver checks requests with it (its variable is
   * added): `verify stat __md5 (md5-sorted) with this secret`. Absent: not a `serve` flag.
   */
  readonly verifies?: string;
  /** Where it sits in the config file: `section.field` (`stat.secret`). */
  readonly section: string;
  readonly field: string;
  readonly variable: string;
  /** Masked by value in all output (ids are not). */
  readonly secret: boolean;
  /** The made-up value `demo` signs and verifies with (never a real service's). Absent: the demo leaves it unset. */
  readonly demo?: string;
}

/** What `serve` says about how its receiver checks an API's requests, and which credentials it refuses. */
export interface ServeVerification {
  /** One line of serve's setup: `stat __md5: verified (md5-sorted)`, or why it is not checked. */
  describe(credentials: Credentials): string;
  /** Why these credentials cannot verify requests (SUD: an app id without its secret); undefined when they can. */
  problem?(credentials: Credentials): string | undefined;
}

/**
 * How an endpoint's requests are signed by default: the built-in signer, and which
 * credentials key it. A built-in signer signs only the endpoints that name it; a plugin
 * (`--signer`) gets `secret` (and `appId`) of whatever endpoint it signs.
 */
interface Signing {
  readonly signer: SignerName;
  /** The credential the signature is keyed with. */
  readonly secret?: CredentialKey;
  /** An id sent with the signature (SUD's app id); not secret. */
  readonly appId?: CredentialKey;
  /**
   * The signer applies only when every one of these is configured; else the endpoint goes
   * unsigned (SUD: with neither app id nor app secret, uid/ss_token authenticate).
   */
  readonly optional?: boolean;
  /**
   * Where a signed request carries its signature: a parameter (stat `__md5`, recomputed on
   * every send) or a header (SUD `Sud-Signature`). A record that still carries it keeps its
   * logged auth under --keep-auth.
   */
  readonly carriedIn?: { readonly param?: string; readonly header?: string };
}

/**
 * A request before signing and encoding. Parameters are plain strings (not URL-encoded);
 * a signer adds parameters and/or headers; `encodeRequest` turns it into bytes.
 */
export interface PendingRequest {
  readonly endpoint: EndpointId;
  /** The records this request carries, in input order (a stat batch carries many). */
  readonly records: readonly ValidRecord[];
  /** Path under the target base URL (docs/API.md). */
  readonly path: string;
  /** The target option that, when set, is this request's whole URL instead (`Endpoint.urlOption`). */
  readonly urlOption?: string;
  /** stat and download: name → value, in the order to send them. */
  params?: Record<string, string>;
  /** Where params go: the query string of a POST, or an x-www-form-urlencoded body. */
  readonly paramsIn?: 'query' | 'form';
  /** sud: the JSON body, serialized once; the signed bytes are the sent bytes. */
  readonly body?: string;
  /** Headers to send (content-type included when there is a body). */
  headers: Record<string, string>;
  /** Duplicate key (SUD), when the endpoint has one. */
  readonly duplicateKey?: string;
}

/** Stateful per-run builder: records go in, in input order; requests come out when ready. */
export interface RequestBuilder {
  /** Add one valid record; returns the requests that are now complete (often none). */
  add(record: ValidRecord): PendingRequest[];
  /** Requests holding records that have waited at least `lingerMs` (paced replays). */
  due(nowMs: number, lingerMs: number): PendingRequest[];
  /** End of input: everything still held. */
  flush(): PendingRequest[];
  /** Records currently held back (not yet in a request). */
  readonly held: number;
  /**
   * `replay --workers` (README "replay"): for a record (its value) that makes one request by
   * itself, the group whose held records must leave before it ('' for none), so a worker
   * thread may build and sign it ahead; undefined when the record must go through this
   * builder in turn. Asked of a record's value as read too, before judging: only records it
   * may take alone are judged in the thread.
   */
  alone?(value: JsonObject): string | undefined;
  /** The requests holding `group`'s records, which leave before a request of the group built ahead. */
  release?(group: string): PendingRequest[];
}

/** A response as the transport saw it (body fully read, as text). */
export interface ResponseInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** How an endpoint judges a response. Failures are data, never exceptions. */
export type Outcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Cause as shown in reports: `http 503`, `ret_code 1001`, `code 2`, `bad response`. */
      readonly cause: string;
      /** `transport`: generic policy (5xx, 429). `api`: the endpoint's own policy. `none`: final. */
      readonly retry: 'transport' | 'api' | 'none';
      /** Honoured from Retry-After, when present. */
      readonly retryAfterMs?: number;
      readonly message?: string;
    };

/** When and how often to retry the endpoint's own failure signal (docs/API.md § sud.report_game_info: 60 s × 3). */
export interface RetryPolicy {
  readonly retries: number;
  readonly delayMs: number;
  readonly backoff: 'fixed' | 'exponential';
}

export type SignerName = 'md5-sorted' | 'sud-hmac' | 'none';

export interface Endpoint {
  readonly id: EndpointId;
  readonly api: ApiName;
  /** Default request path (docs/API.md); the receiver answers here. */
  readonly defaultPath: string;
  /** Further paths the receiver answers on for this endpoint (stat: without its trailing slash). */
  readonly otherPaths?: readonly string[];
  /**
   * A URL of its own that replaces the base URL and path when configured (SUD's URL is
   * deployment-specific): the `Target` option that holds it, and how a user sets it.
   */
  readonly urlOption?: UrlOption;
  /** Every rule this endpoint can report, with stable ids. */
  readonly rules: readonly RuleDef[];
  /** Field names that identify a record as this endpoint's (docs/API.md § Records, detection), checked in registry order. */
  readonly detectBy: readonly string[];
  /** Every top-level field the endpoint's schema knows (a mixed CSV's other empty cells are dropped). */
  readonly fields: readonly string[];
  /**
   * Convert text fields — a CSV row (nested, every cell a string) or a form's parameters —
   * to schema types: integers (exact, bigint past 2^53), JSON text for arrays/objects. A
   * value that cannot convert is left as it was, so validation reports it with the field's
   * name. JSON text that would make the record nest deeper than MAX_DEPTH throws
   * JsonDepthError (../json/exact.ts).
   */
  typeTextFields(row: JsonObject): JsonObject;
  /** Top-level fields starting with `_` that are this API's own parameters, not metadata (stat: `__md5`). */
  readonly underscoreParams?: readonly string[];
  /**
   * The record with the configured credentials applied, the one place they are (SUD: `uid`,
   * `ss_token`): configured values win, or with `keepAuth` only fill what the record lacks.
   * Returns `value` itself when nothing changes. The judge calls it before `validate`.
   */
  withCredentials?(value: JsonObject, credentials: Credentials, keepAuth: boolean): JsonObject;
  /** Judge one record (without metadata `_` fields). Pure. */
  validate(value: JsonObject, options: ValidateOptions): Validation;
  /** SUD: (`report_type`, `game_round_id`). Undefined when the endpoint has none. */
  duplicateKey?(value: JsonObject): string | undefined;
  /** Rewrite the duplicate key for loop `n` of a --loop --unique run. */
  uniquify?(value: JsonObject, loop: number): JsonObject;
  /** Shard key (README § Scaling out): stat `uid`, SUD `game_round_id`, download `appid`+id. */
  shardKey(value: JsonObject): string;
  /**
   * Credentials a record of this endpoint still needs, given those configured: what its
   * requests must carry that neither the record nor the configuration supplies (stat:
   * `session_key`, which its API marks required). Empty, or absent, when it can be sent.
   * A replay checks this before it sends anything.
   */
  recordNeeds?(value: JsonObject, credentials: Credentials): readonly (keyof Credentials)[];
  /** The record's own time in epoch ms, for --pace original; undefined when it has none. */
  timeOf(value: JsonObject): number | undefined;
  /**
   * How many records a value holds (README, Reports): a stat envelope holds one per event
   * of its `data`; everything else is one. Counted the same way by the replay's report and
   * by the receiver. Absent: 1 (see `recordsIn`).
   */
  recordsIn?(value: JsonObject): number;
  /**
   * A request captured by `serve --record` turned back into the record it carries (README,
   * "Capture a client, replay it later"): stat's parameters with `data` (an envelope: one
   * record per event), SUD's JSON body (int64 exact), download's form. Absent: the endpoint's
   * captures cannot be read. Never throws: what cannot be read is an `error`.
   */
  fromCapture?(request: CapturedRequest): CaptureReading;
  /** Builder for this endpoint's requests in one run. */
  createBuilder(options: BuildOptions): RequestBuilder;
  /** The signer used unless --signer says otherwise, and the credentials it is keyed with. */
  readonly signing: Signing;
  /** Judge a response (the client side of the answer). */
  interpret(response: ResponseInfo): Outcome;
  /** The embedded receiver's side: answer a request to this endpoint (one answerer per receiver). */
  createAnswerer(context: ReceiverContext): Answerer;
  /** Policy for `retry: 'api'` outcomes. */
  readonly retryPolicy: RetryPolicy;
  /**
   * What `--uncertain` does by default for this endpoint's requests whose answer was lost
   * after they were written (the server may have processed them). `resend` only where the
   * server de-duplicates, so a second copy does no harm. @default 'skip'
   */
  readonly uncertainPolicy?: UncertainPolicy;
}

/** A request as `serve --record` captured it, decoded only as far as every API needs. */
export interface CapturedRequest {
  /** The query string without `?` ('' when none). */
  readonly query: string;
  /** As received (node lowercases the names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text ('' when none). */
  readonly body: string;
  /** False when the body's bytes were not UTF-8 (captured as base64). */
  readonly bodyUtf8: boolean;
}

/**
 * What a captured request holds: the record's fields (the API's own parameters; `__md5`
 * included), the headers that carried its auth and the body text they signed, re-sent only
 * with `--keep-auth` (SUD's `Sud-*` signature over its exact body); or why it cannot be read.
 */
export type CaptureReading =
  | { readonly value: JsonObject; readonly authHeaders?: Readonly<Record<string, string>>; readonly signedBody?: string }
  | { readonly error: string };

/**
 * `--uncertain`: what to do with a request that was written but whose answer was lost.
 * `resend`: retry it (and count its records as possibly duplicated once delivered); `skip`:
 * fail its records with cause `uncertain`, to be checked by a person; `fail`: the same, and
 * the run stops taking records and exits 2.
 */
export type UncertainPolicy = 'resend' | 'skip' | 'fail';

/** Records a value of this endpoint holds: the endpoint's own count, else 1. */
export function recordsIn(endpoint: Endpoint, value: JsonObject): number {
  return endpoint.recordsIn === undefined ? 1 : endpoint.recordsIn(value);
}

/** Records several values hold together (a request's, a batch's). */
export function recordsInAll(endpoint: Endpoint, records: readonly { readonly value: JsonObject; readonly count?: number }[]): number {
  if (endpoint.recordsIn === undefined) return records.length;
  let n = 0;
  for (const record of records) n += record.count ?? endpoint.recordsIn(record.value);
  return n;
}

export interface ApiModule {
  readonly name: ApiName;
  /** In detection order (`--api auto` tries them in registry order, then this order). */
  readonly endpoints: readonly Endpoint[];
  /** The credentials its endpoints use (flags, config, environment; masking). */
  readonly credentials?: readonly CredentialSpec[];
  /** Parameter, JSON field and header names whose values are secret (masked by name wherever shown). */
  readonly secretFields?: readonly string[];
  /** How the embedded receiver checks its requests with the credentials, for `serve` (its setup lines are in API name order). */
  readonly verification?: ServeVerification;
  /** The `replay` flags its requests take (stat's `--batch-size`, download's `--download-openid-field`). */
  readonly replayOptions?: readonly ReplayOptionSpec[];
  /** Synthetic valid records for `generate --api <name>`. */
  readonly generator?: ApiGenerator;
}

// The receiver's side (helpers in answer.ts).

/** Every answered request has exactly one verdict. */
export type Verdict = 'accepted' | 'rejected' | 'duplicate' | 'fault';

/** What to answer, and how to count it. */
export interface Answer {
  readonly status: number;
  readonly body: string;
  readonly contentType?: string;
  /** Further response headers (Retry-After on a 429). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly verdict: Verdict;
  /** One line: why it was refused or failed (also the record's `reason`). */
  readonly reason?: string;
  /** Records carried, counted when accepted. */
  readonly records: number;
  /** Content keys of the records, when the receiver tracks them (`contentKey`). */
  readonly keys?: readonly string[];
}

/** A request as an answerer sees it: everything read, nothing decoded. */
export interface ReceivedRequest {
  /** The query string without `?` ('' when none). */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** False when the body's bytes are not valid UTF-8 (`body` then holds U+FFFD where they were). */
  readonly bodyUtf8?: boolean;
}

/** Injected failures of an API's own kind (SUD's ret_code 5000), for APIs that have one. */
interface ApiFaults {
  /** The first delivery of each duplicate key fails. */
  readonly failFirst: boolean;
  /** True when this answer should be an injected failure (a seeded rate). */
  nextError(): boolean;
}

/** What a receiver gives every answerer. */
export interface ReceiverContext {
  /** The receiver's credentials: a signature is verified when its keys are here. */
  readonly credentials: Credentials;
  readonly allowUnknownAid: boolean;
  readonly trackKeys: boolean;
  readonly apiFaults: ApiFaults;
}

/** Answers one request to its endpoint; may keep state (SUD's accepted keys) for the receiver's life. */
export type Answerer = (request: ReceivedRequest) => Answer;

/** What an API gives `generate` (src/generate/): synthetic valid records, and their CSV header. */
export interface ApiGenerator {
  /**
   * `count` valid records, lazily and in bounded memory, drawing every choice from `rng`
   * and every time from the clock `startSeconds` (never the wall clock): a seed gives the
   * same records every time.
   */
  records(count: number, rng: Prng, startSeconds: number): Generator<JsonObject>;
  /** The CSV header (dotted names nest, as the reader expects). */
  readonly columns: readonly string[];
}
