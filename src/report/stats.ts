/**
 * What a run counts, as it goes. Collectors only add; the JSON report and the table render
 * a finished RunStats and nothing else (vegeta's Metrics/reporters split).
 *
 * Counting rules (SPEC §6): records, valid, invalid, warnings (records with a warning),
 * duplicates, succeeded and failed count records (a stat event is one record however it
 * was batched); requests counts first attempts only; retries the extra attempts.
 */
import type { EndpointId } from '../apis/api.js';
import type { Finding, Severity } from '../findings.js';
import type { Origin } from '../records.js';
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

/** The label for records that could not be attributed to an endpoint (bad JSON, unknown API). */
export const UNKNOWN_ENDPOINT = 'unknown';
export type EndpointLabel = EndpointId | typeof UNKNOWN_ENDPOINT;

export class EndpointStats {
  records = 0;
  valid = 0;
  invalid = 0;
  /** Records with at least one warning. */
  warnings = 0;
  duplicates = 0;
  /** Records skipped because --shard gave them to another shard. */
  otherShard = 0;
  requests = 0;
  succeeded = 0;
  failed = 0;
  retries = 0;
  /** Requests the concurrency bound held back past their due time. */
  late = 0;
  /** Latency from the actual send to the response (ms, µs precision). */
  readonly latency: Histogram = newHistogram();
  /** Latency from the due time (open model): includes time held back, so nothing is hidden. */
  readonly latencyFromDue: Histogram = newHistogram();
  /** Lateness of sends behind their due time. */
  readonly lateness: Histogram = newHistogram();
  /** Target rate in requests/s (undefined: as fast as the concurrency allows). */
  rateTarget: number | undefined;
  /** Wall-clock ms of the first and last first-attempt send, for the achieved rate. */
  firstSendMs: number | undefined;
  lastSendMs: number | undefined;

  recordSend(nowMs: number): void {
    this.requests++;
    if (this.firstSendMs === undefined) this.firstSendMs = nowMs;
    this.lastSendMs = nowMs;
  }

  recordLatency(fromSendMs: number, fromDueMs: number, latenessMs: number): void {
    recordMs(this.latency, fromSendMs);
    recordMs(this.latencyFromDue, fromDueMs);
    recordMs(this.lateness, latenessMs);
  }

  /** Requests per second between the first and the last send (n−1 intervals). */
  achievedRate(): number {
    if (this.requests < 2 || this.firstSendMs === undefined || this.lastSendMs === undefined) return 0;
    const spanMs = this.lastSendMs - this.firstSendMs;
    return spanMs > 0 ? ((this.requests - 1) * 1000) / spanMs : 0;
  }
}

export class RunStats {
  readonly command: string;
  readonly startedAt = new Date();
  readonly #startMs = performance.now();
  readonly findings: FindingCollector;
  readonly byEndpoint = new Map<EndpointLabel, EndpointStats>();
  /** Failed records by cause (`http 503`, `ret_code 1001`, `network ECONNREFUSED`, …). */
  readonly failures = new Map<string, number>();
  /** Lines for the user under the table (e.g. "client saturated: try --transport undici"). */
  readonly notes: string[] = [];
  durationMs = 0;
  interrupted = false;

  constructor(command: string, maxExamples: number) {
    this.command = command;
    this.findings = new FindingCollector(maxExamples);
  }

  endpoint(id: EndpointLabel): EndpointStats {
    let stats = this.byEndpoint.get(id);
    if (!stats) {
      stats = new EndpointStats();
      this.byEndpoint.set(id, stats);
    }
    return stats;
  }

  addFailure(cause: string, records: number): void {
    this.failures.set(cause, (this.failures.get(cause) ?? 0) + records);
  }

  finish(): void {
    this.durationMs = Math.round(performance.now() - this.#startMs);
  }

  totals(): Totals {
    const t: Totals = { records: 0, valid: 0, invalid: 0, warnings: 0, duplicates: 0, requests: 0, succeeded: 0, failed: 0, retries: 0 };
    for (const s of this.byEndpoint.values()) {
      t.records += s.records;
      t.valid += s.valid;
      t.invalid += s.invalid;
      t.warnings += s.warnings;
      t.duplicates += s.duplicates;
      t.requests += s.requests;
      t.succeeded += s.succeeded;
      t.failed += s.failed;
      t.retries += s.retries;
    }
    return t;
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
}
