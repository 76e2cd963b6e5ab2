/**
 * The report of a resumed backfill covers the whole backfill, not only its last run.
 *
 * While a run with --checkpoint goes, `FILE.report` beside the checkpoint holds the
 * report of the backfill so far (every run, merged one after the other), replaced
 * atomically (temp file + rename) every second, at the end, and as a second Ctrl-C exits.
 * A --resume reads it, keeps only what those runs settled (records they read but left
 * unsent are read again now), and merges this run's report onto it.
 *
 * A run killed between two saves settled records the saved report does not know of. The
 * checkpoint does: the saved file records the checkpoint's watermark per input when it
 * was written, and the lines the resumed checkpoint is past that are counted as records
 * settled by an earlier run, outcome unknown (by line: exact for NDJSON without blank lines).
 */
import { checkpointCompanions } from '../replay/checkpoint/files.js';
import { readFileSync } from 'node:fs';
import { replaceFileSync } from '../files.js';
import { ConfigError, InputError, describeError } from '../errors.js';
import { redactText } from '../redact.js';
import { checkReport, mergeReports } from './merge.js';
import { reportJson, type EndpointReport, type Report } from './report.js';

/** What the runs before this one settled. */
export interface EarlierRuns {
  /** Their report (merged, oldest first); undefined when none was saved. */
  readonly report: Report | undefined;
  /** Records they settled after their last saved report (a run killed between saves). */
  readonly unaccounted: number;
}

/** The saved report: a report, plus the checkpoint's watermark per input when it was written. */
interface Saved extends Report {
  checkpoint: { settledThrough: number[] };
}

/** Not `.json`: a folder of shard reports is merged by a `*.json` glob, and this is no shard's report. */
function savedReportFile(checkpointFile: string): string {
  return checkpointCompanions(checkpointFile).report;
}

/**
 * The earlier runs of the backfill resumed from `checkpointFile`; `settledThrough` is the
 * resumed checkpoint's watermark per input.
 */
export function readEarlierRuns(checkpointFile: string, settledThrough: readonly number[]): EarlierRuns {
  const file = savedReportFile(checkpointFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(file, `cannot read the saved report (${describeError(err)})`);
    // A checkpoint from before reports were saved beside it: its lines are all that is known.
    return { report: undefined, unaccounted: settledThrough.reduce((a, b) => a + b, 0) };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file} cannot be read: ${describeError(err)}`, 'remove it to resume without the earlier runs\' counts');
  }
  const checked = checkReport(parsed);
  if ('problem' in checked) throw new ConfigError(`${file}: ${checked.problem}`, 'remove it to resume without the earlier runs\' counts');
  const savedThrough = (parsed as Partial<Saved>).checkpoint?.settledThrough ?? [];
  let unaccounted = 0;
  settledThrough.forEach((line, i) => (unaccounted += Math.max(0, line - (savedThrough[i] ?? 0))));
  return { report: checked.report, unaccounted };
}

/** Earlier runs' records settled, out of all they read: delivered, failed, invalid or duplicate. */
function settledPart(report: Report): Report {
  const byEndpoint: Record<string, EndpointReport> = {};
  const totals = { ...report.totals, records: report.resumed?.outcomeUnknown ?? 0, valid: 0, warnings: 0 };
  for (const [id, e] of Object.entries(report.byEndpoint)) {
    const records = e.invalid + e.succeeded + e.failed + e.duplicates;
    const settled = { ...e, records, valid: records - e.invalid, warnings: Math.min(e.warnings, records) };
    byEndpoint[id] = settled;
    totals.records += settled.records;
    totals.valid += settled.valid;
    totals.warnings += settled.warnings;
  }
  return { ...report, totals, byEndpoint };
}

/** This run's report, over the whole backfill when it resumed one. */
export function backfillReport(earlier: EarlierRuns | undefined, current: Report): Report {
  if (!earlier) return current;
  const before = earlier.report && settledPart(earlier.report);
  const merged = before ? mergeReports([before, current], { mode: 'sequential' }) : { ...current, notes: [...current.notes], totals: { ...current.totals } };
  merged.totals.records += earlier.unaccounted;
  const settledEarlier = (before?.totals.records ?? 0) + earlier.unaccounted;
  const outcomeUnknown = (before?.resumed?.outcomeUnknown ?? 0) + earlier.unaccounted;
  merged.resumed = { settledEarlier, outcomeUnknown };
  merged.notes.unshift(
    `resumed: ${settledEarlier} record${settledEarlier === 1 ? ' had' : 's had'} been settled by earlier runs` +
      (outcomeUnknown > 0 ? ` (${outcomeUnknown} of them after the last saved report: counted, delivered or failed not known)` : ''),
  );
  return merged;
}

/** Replaces the saved report atomically; secrets masked as in every report. */
export function saveReport(checkpointFile: string, report: Report, settledThrough: readonly number[], secrets: readonly string[]): void {
  const file = savedReportFile(checkpointFile);
  const saved: Saved = { ...report, checkpoint: { settledThrough: [...settledThrough] } };
  try {
    replaceFileSync(file, redactText(reportJson(saved), secrets) + '\n');
  } catch (err) {
    throw new InputError(file, `cannot save the report beside the checkpoint (${describeError(err)})`);
  }
}
