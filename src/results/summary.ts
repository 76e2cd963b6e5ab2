/**
 * Result lines added up again (`report-replay report r.ndjson`): the same RunStats a run
 * keeps, so the table is the run's own — requests, retries, late, succeeded, failed,
 * possibly duplicated, failures by cause and the latency percentiles come out exactly as
 * the run reported them. What attempts do not carry (records read, invalid, duplicates,
 * records never sent) is not in it: `records` are the records the requests carried.
 */
import type { Attempt, Settlement } from '../replay/delivery/attempt.js';
import { buildReport, type Report } from '../report/report.js';
import { RunStats } from '../report/stats.js';
import type { ResultLine } from './line.js';

const NO_ORIGIN = Object.freeze({ file: '', line: 0, input: 0 });

function settlementOf(line: ResultLine): Settlement | undefined {
  switch (line.settled) {
    case 'delivered':
      return { kind: 'delivered', possiblyDuplicated: line.possiblyDuplicated === true };
    case 'failed':
      return { kind: 'failed', cause: line.failedAs ?? line.cause ?? 'unknown', excerpt: line.excerpt, uncertain: line.failedAs === 'uncertain' };
    case 'unsent':
      return { kind: 'unsent' };
    default:
      return undefined;
  }
}

export class ResultsSummary {
  readonly stats = new RunStats('replay', 5);
  #first = Infinity;
  #last = -Infinity;
  #paced = false;

  readonly add = (line: ResultLine): void => {
    const endpoint = line.endpoint;
    const attempt: Attempt = {
      endpoint,
      seq: line.seq,
      attempt: line.attempt,
      dueMs: line.dueMs,
      sentMs: line.sentMs,
      endMs: line.endMs,
      status: line.status,
      cause: line.cause,
      excerpt: line.excerpt,
      uncertain: line.uncertain === true,
      late: line.late === true,
      bytes: line.bytes,
      records: [],
      recordCount: line.records,
    };
    if (line.attempt === 0 && line.dueMs !== line.sentMs) this.#paced = true;
    if (line.dueMs < this.#first) this.#first = line.dueMs;
    if (line.endMs > this.#last) this.#last = line.endMs;
    this.stats.addAttempt(attempt);
    const settlement = settlementOf(line);
    if (settlement) {
      this.stats.addJudged({ origin: NO_ORIGIN, endpoint, records: line.records, valid: true, findings: [] });
      this.stats.addSettlement(endpoint, line.records, settlement);
    }
  };

  report(): Report {
    this.stats.setPaced(this.#paced);
    const report = buildReport(this.stats);
    if (Number.isFinite(this.#first)) {
      report.startedAt = new Date(this.#first).toISOString();
      report.durationMs = Math.round(this.#last - this.#first);
    }
    return report;
  }
}
