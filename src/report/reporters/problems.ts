/**
 * What the CI reporters (`--reporter junit|github`, README "CI reporters") are told, record
 * by record: a record's findings when it was judged, and a record that failed delivery.
 */
import type { Finding } from '../../findings.js';
import type { Origin } from '../../records.js';

export interface ProblemReporter {
  /** A record judged: invalid when any finding is an error (or, with --strict, a warning made one). */
  judged(origin: Origin, findings: readonly Finding[], valid: boolean): void;
  /** A record that was valid but could not be delivered. */
  undelivered(origin: Origin, cause: string, excerpt: string | undefined): void;
  /** Everything is in: the reporter's output as text (the github reporter has written it already). */
  finish(): string;
}

/** The reporters `validate` and `replay` take; `table` and `json` are the summary's own. */
export const REPORTERS = ['table', 'json', 'junit', 'github'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export const DELIVERY_RULE = 'delivery.failed';
