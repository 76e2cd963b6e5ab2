/** Feeding RunStats the way a run does — verdicts, attempts, settlements — with known numbers. */
import type { EndpointId } from '../../src/apis/api.js';
import type { Finding } from '../../src/findings.js';
import type { Attempt } from '../../src/replay/delivery/attempt.js';
import type { EndpointLabel, RunStats } from '../../src/report/stats.js';

/** An attempt that delivered, at `sentMs` (epoch ms), answered `latencyMs` later, on time; `fields` override. */
export function attempt(endpoint: EndpointId, sentMs: number, latencyMs: number, fields: Partial<Attempt> = {}): Attempt {
  return {
    endpoint,
    seq: 0,
    attempt: 0,
    dueMs: sentMs,
    sentMs,
    endMs: sentMs + latencyMs,
    status: 200,
    cause: undefined,
    excerpt: undefined,
    uncertain: false,
    late: false,
    bytes: 100,
    records: [],
    recordCount: 1,
    ...fields,
  };
}

/** `records` judged valid (or invalid), one line each, with the findings given for each line. */
export function judge(stats: RunStats, endpoint: EndpointLabel, records: number, valid: boolean, findings: readonly Finding[] = []): void {
  for (let line = 1; line <= records; line++) stats.addJudged({ origin: { file: 'log.ndjson', line, input: 0 }, endpoint, records: 1, valid, findings });
}

/** A finding on one line of `log.ndjson`, counted as an invalid (error) or valid (warning) record. */
export function finding(stats: RunStats, endpoint: EndpointLabel, line: number, found: Finding): void {
  stats.addJudged({ origin: { file: 'log.ndjson', line, input: 0 }, endpoint, records: 1, valid: found.severity !== 'error', findings: [found] });
}
