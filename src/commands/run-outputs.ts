/**
 * What `replay` writes besides its summary (README "Results", "CI reporters"):
 * `--results FILE` (one line per attempt, as the run goes), `--html FILE` (the HTML report,
 * at the end) and `--reporter junit|github` (the run's findings and failures). All hear the
 * run through one RunObserver.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings.js';
import type { Origin } from '../records.js';
import { maskedCommandLine } from '../report/html/command-line.js';
import { renderHtml, writeHtml } from '../report/html/page.js';
import type { Report } from '../report/report.js';
import type { ProblemReporter } from '../report/reporters/problems.js';
import type { RunObserver } from '../replay/observer.js';
import { resultLine } from '../results/line.js';
import { TimeSeries } from '../results/series.js';
import { ResultsTap, type LineSink } from '../results/tap.js';
import { ResultsWriter } from '../results/writer.js';
import type { Io } from './context.js';
import type { OutputPath } from './outputs.js';
import { problemReporter, summaryStream, withReporterOption, type ReporterArgs } from './reporter-option.js';

export interface RunOutputArgs extends ReporterArgs {
  results?: string;
  html?: string;
  json: boolean;
  strict: boolean;
  /** A resumed backfill: --results appends. */
  resume?: boolean;
}

export function withRunOutputOptions<T>(y: Argv<T>): Argv<T & RunOutputArgs> {
  return withReporterOption(
    y
      .option('results', { describe: 'write one NDJSON line per attempt to FILE as the run goes (- for stdout, .gz for gzip)', type: 'string', requiresArg: true })
      .option('html', { describe: 'write the HTML report (charts, summary) to FILE at the end', type: 'string', requiresArg: true }),
  ) as unknown as Argv<T & RunOutputArgs>;
}

/** --results and --html, for the checks every output gets before the run (outputs.ts). */
export function runOutputPaths(args: RunOutputArgs): OutputPath[] {
  const paths: OutputPath[] = [];
  if (args.results !== undefined && args.results !== '-') paths.push({ flag: '--results', path: args.results });
  if (args.html !== undefined) paths.push({ flag: '--html', path: args.html });
  return paths;
}

export class RunOutputs {
  readonly observer: RunObserver;
  readonly #args: RunOutputArgs;
  readonly #io: Io;
  readonly #writer: ResultsWriter | undefined;
  readonly #series: TimeSeries | undefined;
  readonly #tap: ResultsTap | undefined;
  readonly #reporter: ProblemReporter | undefined;

  constructor(args: RunOutputArgs, io: Io) {
    this.#args = args;
    this.#io = io;
    const toStdout = [args.results === '-' && '--results -', args.json ? '--json' : args.reporter === 'json' && '--reporter json', (args.reporter === 'junit' || args.reporter === 'github') && `--reporter ${args.reporter}`].filter(Boolean);
    if (toStdout.length > 1) throw new UsageError(`${toStdout.join(' and ')} both write to stdout: give one of them a file`);
    this.#writer = args.results === undefined ? undefined : new ResultsWriter(args.results, io.stdout, { append: args.resume === true });
    this.#series = args.html === undefined ? undefined : new TimeSeries();
    const sinks: LineSink[] = [];
    if (this.#writer) sinks.push(this.#writer.write);
    const series = this.#series;
    if (series) sinks.push((attempt, settlement) => series.add(resultLine(attempt, settlement)));
    const tap = (this.#tap = sinks.length > 0 ? new ResultsTap(sinks) : undefined);
    const reporter = (this.#reporter = problemReporter(args, io, 'report-replay replay'));
    const observer: RunObserver = {};
    if (tap) observer.attempt = (attempt) => tap.attempt(attempt);
    if (tap || reporter) {
      observer.settled = (seq, records, settlement) => {
        tap?.settled(seq, records, settlement);
        if (reporter && settlement.kind === 'failed') for (const record of records) reporter.undelivered(record.origin, settlement.cause, settlement.excerpt);
      };
    }
    if (reporter) {
      observer.invalid = (origin: Origin, findings: readonly Finding[]) => reporter.judged(origin, findings, false);
      observer.warned = (origin: Origin, findings: readonly Finding[]) => reporter.judged(origin, findings, true);
    }
    this.observer = observer;
  }

  /** What the summary should say about these outputs before the run (a torn results line cut off). */
  get notes(): string[] {
    const repaired = this.#writer?.repairedBytes ?? 0;
    return repaired > 0 ? [`${this.#args.results} ended in a torn line (${repaired} bytes) from an earlier run: it was cut off before this run's lines`] : [];
  }

  /** Whether the JSON report goes to stdout (--json or --reporter json). */
  get json(): boolean {
    return this.#args.json || this.#args.reporter === 'json';
  }

  /** Where the summary table goes when stdout carries results or a reporter's output. */
  get summaryOut(): Io['stdout'] | undefined {
    return this.#args.results === '-' ? this.#io.stderr : summaryStream(this.#args, this.#io);
  }

  /** The run is over: the results file closed, the reporter's output written. A results file that failed throws. */
  closeStreams(): void {
    this.#tap?.flush();
    this.#writer?.close();
    if (this.#reporter) this.#io.stdout.write(this.#reporter.finish());
  }

  async writeHtml(report: Report): Promise<void> {
    if (this.#args.html === undefined) return;
    await writeHtml(this.#args.html, renderHtml(report, this.#series, { command: maskedCommandLine(process.argv.slice(2)) }));
  }

  /** The results file's write error, reported after the summary. */
  get error(): Error | undefined {
    return this.#writer?.error;
  }
}
