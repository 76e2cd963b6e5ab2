/**
 * The pre-flight: everything a replay needs before it sends, checked before it sends
 * anything (README "Replay"). Three kinds of need, one mechanism:
 *   - an endpoint's URL (SUD: --sud-url or --target; the others: --target),
 *   - the credentials its signer needs (stat: the secret; SUD with app credentials: both),
 *   - what a record needs that it does not carry itself (`Endpoint.recordNeeds`: stat's
 *     `session_key`).
 * Which endpoints and records a run sends is known only by reading. With an explicit
 * --api, an endpoint that lacks something stops the run before any file is opened. When
 * something can only be known by reading (--api auto with an endpoint lacking something, a
 * record need that configuration does not cover, or --pace original's time span), file
 * inputs are read once ahead — with a progress line on a terminal — and the run stops at
 * the first record that lacks something, naming its file and line. Stdin cannot be read
 * twice: there each batch is checked as it comes, before any request of its records is
 * built. Runs with everything configured (the usual case) never read ahead.
 */
import type { Credentials, Endpoint } from '../../apis/api.js';
import { endpointUrl, urlSources, type Target } from '../../apis/encode.js';
import { selectEndpoints } from '../../apis/registry.js';
import { credentialSource } from '../../config/config.js';
import { ConfigError } from '../../errors.js';
import { readRecords } from '../../input/read.js';
import type { InputSource } from '../../input/sources.js';
import type { Origin } from '../../records.js';
import { missingCredentials, resolveSigner } from '../../sign/index.js';
import { RecordJudge, type JudgeOptions, type Judgement } from '../../validate/judge.js';
import { recordTimeMs } from '../schedule/original-pace.js';
import { ProgressLine, totalInputBytes } from '../../report/progress.js';
import { shardKeyOf, shardOf } from './shard.js';

export interface PreflightOptions {
  readonly inputs: readonly InputSource[];
  readonly read: { readonly delimiter?: string };
  readonly judge: JudgeOptions;
  readonly shard: { readonly index: number; readonly count: number } | undefined;
  readonly target: Target;
  readonly credentials: Credentials;
  /** --signer, or undefined for each endpoint's default. */
  readonly signer: string | undefined;
  /** Where a --signer module path is resolved from. */
  readonly cwd: string;
  /** --pace original: learn the log's time span while reading ahead. */
  readonly learnTimeSpan: boolean;
  /** Where to draw the read-ahead's progress line (a terminal), if anywhere. */
  readonly progress: NodeJS.WritableStream | undefined;
}

/** The times of the records a run will send (epoch ms), for --pace original's preview. */
export interface TimeSpan {
  /** The first timed record's, in input order: the paced run's time zero. */
  readonly first: number;
  readonly min: number;
  readonly max: number;
}

/** A record with nothing in it: what a record needs when it carries nothing itself. */
const BARE_RECORD = Object.freeze({});

export class Preflight {
  readonly #options: PreflightOptions;
  /** What each candidate endpoint lacks (empty when it can be sent), as the user would supply it. */
  readonly #lacks: ReadonlyMap<Endpoint, readonly string[]>;
  readonly #candidates: readonly Endpoint[];

  private constructor(options: PreflightOptions, candidates: readonly Endpoint[], lacks: ReadonlyMap<Endpoint, readonly string[]>) {
    this.#options = options;
    this.#candidates = candidates;
    this.#lacks = lacks;
  }

  /** Works out what each endpoint --api allows lacks (loading a --signer plugin on the way). */
  static async create(options: PreflightOptions): Promise<Preflight> {
    const candidates = selectEndpoints(options.judge.api) ?? [];
    const lacks = new Map<Endpoint, readonly string[]>();
    for (const endpoint of candidates) {
      const missing: string[] = [];
      if (endpointUrl(endpoint, options.target) === undefined) missing.push(`a URL: ${urlSources(endpoint)}`);
      const signer = await resolveSigner(options.signer, endpoint, options.credentials, options.cwd);
      missing.push(...missingCredentials(signer, [endpoint], options.credentials));
      lacks.set(endpoint, missing);
    }
    return new Preflight(options, candidates, lacks);
  }

  /**
   * With an explicit --api the endpoints are known: one that lacks something stops the run
   * now. (With auto, only a record of it does: see `readAhead` and `check`.)
   */
  checkKnownEndpoints(): void {
    if (this.#options.judge.api === 'auto') return;
    for (const endpoint of this.#candidates) this.#throwIfLacking(endpoint, undefined);
  }

  /** True when what the run lacks, or --pace original's span, can only be known by reading the records. */
  get #mustRead(): boolean {
    const { credentials } = this.#options;
    return (
      this.#options.learnTimeSpan ||
      this.#candidates.some((e) => (this.#lacks.get(e)?.length ?? 0) > 0 || (e.recordNeeds?.(BARE_RECORD, credentials).length ?? 0) > 0)
    );
  }

  /**
   * Reads file inputs once, when something can only be known by reading, and stops at the
   * first record that lacks something. Returns what it learnt — the time span of the
   * records to send, when asked for it — or undefined when it did not read (stdin, or
   * nothing to learn).
   */
  async readAhead(): Promise<{ span: TimeSpan | undefined } | undefined> {
    const options = this.#options;
    if (!this.#mustRead || options.inputs.some((source) => source.path === '-')) return undefined;
    const judge = new RecordJudge(options.judge, undefined);
    const bytes = { bytesRead: 0 };
    const total = totalInputBytes(options.inputs);
    const progress = options.progress ? new ProgressLine(options.progress, total === undefined ? {} : { totalBytes: total }) : undefined;
    let span: { first: number; min: number; max: number } | undefined;
    let read = 0;
    try {
      for await (const batch of readRecords(options.inputs, { ...(options.read.delimiter !== undefined && { delimiter: options.read.delimiter }), progress: bytes })) {
        for (const raw of batch) {
          const judgement = judge.judge(raw);
          if (!this.#sends(judgement)) continue;
          this.#check(judgement);
          if (options.learnTimeSpan) {
            const time = recordTimeMs(judgement.endpoint!, judgement.record!);
            if (time !== undefined) {
              if (span === undefined) span = { first: time, min: time, max: time };
              else {
                span.min = Math.min(span.min, time);
                span.max = Math.max(span.max, time);
              }
            }
          }
        }
        read += batch.length;
        progress?.reading('checking the inputs before sending', { read, bytesRead: bytes.bytesRead });
      }
    } finally {
      progress?.done();
    }
    return { span };
  }

  /** One judged record, before any request of it is built: stops the run when it cannot be sent. */
  check(judgement: Judgement): void {
    if (this.#sends(judgement)) this.#check(judgement);
  }

  /** A record a worker thread built ahead (valid; it checked what the record needs): its endpoint's credentials. */
  checkBuilt(endpoint: Endpoint, origin: Origin): void {
    this.#throwIfLacking(endpoint, origin);
  }

  /** Valid and this shard's: a record the run would send. */
  #sends(judgement: Judgement): boolean {
    if (!judgement.record || !judgement.endpoint) return false;
    const shard = this.#options.shard;
    return !shard || shardOf(shardKeyOf(judgement), shard.count) === shard.index;
  }

  #check(judgement: Judgement): void {
    const endpoint = judgement.endpoint!;
    this.#throwIfLacking(endpoint, judgement.origin);
    const needs = endpoint.recordNeeds?.(judgement.record!.value, this.#options.credentials);
    if (needs && needs.length > 0) {
      const { file, line } = judgement.origin;
      throw new ConfigError(
        `cannot send the ${endpoint.id} record at ${file}:${line}: it needs ${needs.map(credentialSource).join(' and ')}, and carries none itself`,
      );
    }
  }

  #throwIfLacking(endpoint: Endpoint, origin: Origin | undefined): void {
    const missing = this.#lacks.get(endpoint) ?? [];
    if (missing.length === 0) return;
    const where = origin ? ` (the first is at ${origin.file}:${origin.line})` : '';
    throw new ConfigError(`cannot send ${endpoint.id} requests${where}: missing ${missing.join('; and ')}`);
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `3 days 4 h`, `2 h 5 min`, `42 s`: a duration for a person. */
function humanDuration(ms: number): string {
  if (ms >= DAY) return `${Math.floor(ms / DAY)} day${ms >= 2 * DAY ? 's' : ''} ${Math.floor((ms % DAY) / HOUR)} h`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)} h ${Math.floor((ms % HOUR) / MINUTE)} min`;
  if (ms >= MINUTE) return `${Math.floor(ms / MINUTE)} min ${Math.floor((ms % MINUTE) / 1000)} s`;
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * What --pace original will take, said before it starts: the log's span and the run time
 * at --speed, and a warning (with the speed that would take an hour) when it is longer.
 */
export function describeTimeSpan(span: TimeSpan | undefined, speed: number): { lines: string[]; warning?: string } {
  if (span === undefined) return { lines: ['--pace original: no record has a time of its own; they are sent as fast as --concurrency allows'] };
  const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const runMs = Math.max(0, span.max - span.first) / speed;
  const lines = [
    `--pace original: the log spans ${humanDuration(span.max - span.min)} (${iso(span.min)} to ${iso(span.max)}); at --speed ${speed} the replay takes about ${humanDuration(runMs)}`,
  ];
  if (runMs <= HOUR) return { lines };
  const hourSpeed = Math.ceil((speed * runMs) / HOUR);
  return { lines, warning: `this replay will run for more than an hour (about ${humanDuration(runMs)}); --speed ${hourSpeed} would take about an hour` };
}
