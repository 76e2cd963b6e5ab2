/**
 * What a run counts. One object adds everything up (vegeta's `Metrics.Add`): verdicts of
 * the judge, records passed over, attempts and settlements from delivery. Nothing else
 * writes a counter; the JSON report and the table render a finished RunStats.
 *
 * Counting rules (README, Reports): records, valid, invalid, warnings (records with a
 * warning), duplicates, succeeded, failed, unsent and possiblyDuplicated count records —
 * a stat envelope holds one per event of its `data` (`Endpoint.recordsIn`), every other
 * line or row is one; requests counts first attempts only; retries the extra attempts.
 * A replay's records add up: records = invalid + duplicates + succeeded + failed + unsent.
 */
import type { EndpointId } from '../apis/api.js';
import type { Finding, Severity } from '../findings.js';
import type { Origin } from '../records.js';
import { ABORTED_CAUSE, type Attempt, type Settlement } from '../replay/delivery/attempt.js';
import { sumFields } from '../sum-fields.js';
import { newHistogram, recordMs, type Histogram } from './histogram.js';

export interface FindingExample {
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly value?: unknown;
  readonly message: string;
}

export interface RuleTally {
  readonly rule: string;
  readonly severity: Severity;
  count: number;
  readonly examples: FindingExample[];
}

/** Findings grouped by rule: a count each, and the first `maxExamples` examples. */
export class FindingCollector {
  readonly #maxExamples: number;
  readonly #byRule = new Map<string, RuleTally>();

  constructor(maxExamples: number) {
    this.#maxExamples = maxExamples;
  }

  add(origin: Origin, finding: Finding): void {
    let tally = this.#byRule.get(finding.rule);
    if (!tally) {
      tally = { rule: finding.rule, severity: finding.severity, count: 0, examples: [] };
      this.#byRule.set(finding.rule, tally);
    }
    tally.count++;
    if (tally.examples.length < this.#maxExamples) {
      const example: FindingExample = { file: origin.file, line: origin.line, path: finding.path, message: finding.message };
      tally.examples.push(finding.value === undefined ? example : { ...example, value: finding.value });
    }
  }

  /** Errors first, then by count (most first), then by rule id. */
  tallies(): RuleTally[] {
    return [...this.#byRule.values()].sort(
      (a, b) =>
        (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || b.count - a.count || a.rule.localeCompare(b.rule),
    );
  }
}

/** An endpoint id, or UNKNOWN_ENDPOINT (ids are plain strings: the registry lists them). */
export type EndpointLabel = EndpointId;

/** One endpoint's counters. Read them through RunStats; only RunStats writes them. */
export class EndpointStats {
  records = 0;
  valid = 0;
  invalid = 0;
  /** Records with at least one warning. */
  warnings = 0;
  duplicates = 0;
  /** Records skipped because --shard gave them to another shard (not among `records`). */
  otherShard = 0;
  requests = 0;
  succeeded = 0;
  failed = 0;
  /** Records taken but never sent: the run stopped (Ctrl-C, --duration, --uncertain fail) or its schedule was over. */
  unsent = 0;
  /** Records delivered by a request of which an earlier attempt's answer was lost after it was written. */
  possiblyDuplicated = 0;
  retries = 0;
  /** First attempts sent late: held back by the concurrency bound, or by a lagging client. */
  late = 0;
  /** Latency from the actual send to the response (ms, µs precision). */
  readonly latency: Histogram = newHistogram();
  /** Latency from the due time (open model): includes time held back, so nothing is hidden. */
  readonly latencyFromDue: Histogram = newHistogram();
  /** Lateness of sends behind their due time. */
  readonly lateness: Histogram = newHistogram();
  /** Epoch ms of the first and last first-attempt send. */
  firstSendMs: number | undefined;
  lastSendMs: number | undefined;
}

/** An endpoint's counters as everything but RunStats sees them. */
export type EndpointCounts = Readonly<EndpointStats>;

/** A judge's verdict on one line or row, as counted. */
export interface JudgedRecords {
  readonly origin: Origin;
  readonly endpoint: EndpointLabel;
  /** Records the line holds (`Endpoint.recordsIn`). */
  readonly records: number;
  readonly valid: boolean;
  readonly findings: readonly Finding[];
}

/** Failed records of one cause, and the first answer seen for it. */
export interface FailureTally {
  count: number;
  example: string | undefined;
}

/** Requests per second: what the schedule asked (undefined when unpaced) and what was sent. */
export interface Rate {
  readonly target: number | undefined;
  readonly achieved: number;
}

/** First and last of a run of times, and how many. */
class Window {
  first = Infinity;
  last = -Infinity;
  count = 0;

  add(ms: number): void {
    this.count++;
    if (ms < this.first) this.first = ms;
    if (ms > this.last) this.last = ms;
  }

  /** Per second over n−1 intervals: exact for a schedule of n requests 1/rate apart. */
  perSecond(): number | undefined {
    const span = this.last - this.first;
    return this.count >= 2 && span > 0 ? ((this.count - 1) * 1000) / span : undefined;
  }
}

export class RunStats {
  readonly command: string;
  readonly startedAt = new Date();
  readonly #startMs = performance.now();
  readonly #findings: FindingCollector;
  readonly #byEndpoint = new Map<EndpointLabel, EndpointStats>();
  readonly #failures = new Map<string, FailureTally>();
  readonly #notes: string[] = [];
  /** The run's first attempts: when they were due, and when they went. */
  readonly #due = new Window();
  readonly #sent = new Window();
  #paced = false;
  #durationMs = 0;
  #interrupted = false;
  /** The endpoint of the last attempt: a run sends nearly everything to one or two. */
  #lastId: EndpointLabel | undefined;
  #last: EndpointStats | undefined;

  constructor(command: string, maxExamples: number) {
    this.command = command;
    this.#findings = new FindingCollector(maxExamples);
  }

  /** Findings by rule, as verdicts brought them (`addJudged`). */
  get findings(): Pick<FindingCollector, 'tallies'> {
    return this.#findings;
  }

  get byEndpoint(): ReadonlyMap<EndpointLabel, EndpointCounts> {
    return this.#byEndpoint;
  }

  /** An endpoint's counters (zeros when it has none yet). */
  endpoint(id: EndpointLabel): EndpointCounts {
    return this.#endpoint(id);
  }

  /** Failed records by cause (`http 503`, `ret_code 1001`, `network ECONNREFUSED`, `uncertain`, …). */
  get failures(): ReadonlyMap<string, Readonly<FailureTally>> {
    return this.#failures;
  }

  /** Lines for the user under the table (e.g. "client saturated: try --transport undici"). */
  get notes(): readonly string[] {
    return this.#notes;
  }

  get durationMs(): number {
    return this.#durationMs;
  }

  get interrupted(): boolean {
    return this.#interrupted;
  }

  #endpoint(id: EndpointLabel): EndpointStats {
    if (id === this.#lastId) return this.#last!;
    let stats = this.#byEndpoint.get(id);
    if (!stats) {
      stats = new EndpointStats();
      this.#byEndpoint.set(id, stats);
    }
    this.#lastId = id;
    this.#last = stats;
    return stats;
  }

  /** A verdict: records, valid or invalid, warnings (records with one), findings by rule. */
  addJudged(judged: JudgedRecords): void {
    const counts = this.#endpoint(judged.endpoint);
    counts.records += judged.records;
    if (judged.valid) counts.valid += judged.records;
    else counts.invalid += judged.records;
    let warned = false;
    for (const finding of judged.findings) {
      if (finding.severity === 'warning') warned = true;
      this.#findings.add(judged.origin, finding);
    }
    if (warned) counts.warnings += judged.records;
  }

  /** Records settled without a request: a SUD key already sent in this run, or another shard's. */
  addSkipped(endpoint: EndpointLabel, reason: 'duplicate' | 'other shard', records: number): void {
    const counts = this.#endpoint(endpoint);
    if (reason === 'duplicate') counts.duplicates += records;
    else counts.otherShard += records;
  }

  /** Paced runs have a target rate: what their first attempts' due times ask. */
  setPaced(paced: boolean): void {
    this.#paced = paced;
  }

  /** A dry run's request: counted, never sent. */
  addDryRunRequest(endpoint: EndpointId): void {
    this.#endpoint(endpoint).requests++;
  }

  /** One attempt, once it has ended. */
  addAttempt(attempt: Attempt): void {
    const counts = this.#endpoint(attempt.endpoint);
    const { sentMs, dueMs } = attempt;
    if (attempt.attempt === 0) {
      counts.requests++;
      counts.firstSendMs ??= sentMs;
      counts.lastSendMs = sentMs;
      if (attempt.late) counts.late++;
      this.#sent.add(sentMs);
      this.#due.add(dueMs);
    } else {
      counts.retries++;
    }
    // An attempt aborted by the run's stop had no answer, so no latency.
    if (attempt.cause === ABORTED_CAUSE) return;
    const { endMs } = attempt;
    recordMs(counts.latency, endMs - sentMs);
    recordMs(counts.latencyFromDue, endMs - dueMs);
    recordMs(counts.lateness, sentMs - dueMs);
  }

  /** How a request ended, for the `records` it carried. */
  addSettlement(endpoint: EndpointId, records: number, settlement: Settlement): void {
    const counts = this.#endpoint(endpoint);
    switch (settlement.kind) {
      case 'delivered':
        counts.succeeded += records;
        if (settlement.possiblyDuplicated) counts.possiblyDuplicated += records;
        return;
      case 'failed': {
        counts.failed += records;
        const tally = this.#failures.get(settlement.cause);
        if (tally) {
          tally.count += records;
          tally.example ??= settlement.excerpt;
        } else this.#failures.set(settlement.cause, { count: records, example: settlement.excerpt });
        return;
      }
      case 'unsent':
        counts.unsent += records;
        return;
    }
  }

  addNote(note: string): void {
    this.#notes.push(note);
  }

  /** The run was stopped by Ctrl-C. */
  markInterrupted(): void {
    this.#interrupted = true;
  }

  finish(): void {
    this.#durationMs = Math.round(performance.now() - this.#startMs);
  }

  /**
   * The run's rate (README, Reports): achieved is first attempts over the span from the
   * first send to the last; target is what the due times of those same requests asked
   * (the --rate, the ramp's, or the log's own pace), undefined when unpaced.
   */
  rate(): Rate {
    return { target: this.#paced ? this.#due.perSecond() : undefined, achieved: this.#sent.perSecond() ?? 0 };
  }

  totals(): Totals {
    return sumFields(this.#byEndpoint.values(), TOTAL_FIELDS);
  }
}

export interface Totals {
  records: number;
  valid: number;
  invalid: number;
  warnings: number;
  duplicates: number;
  requests: number;
  succeeded: number;
  failed: number;
  retries: number;
  /** Records taken but never sent (the run stopped, or its schedule was over). */
  unsent: number;
  /** Records delivered after an attempt whose answer was lost: the server may hold them twice. */
  possiblyDuplicated: number;
}

/** The counters `Totals` adds up over the endpoints, in the report's order. */
const TOTAL_FIELDS = [
  'records', 'valid', 'invalid', 'warnings', 'duplicates', 'requests', 'succeeded', 'failed', 'retries', 'unsent', 'possiblyDuplicated',
] as const satisfies readonly (keyof Totals)[];
