/**
 * The replay engine (README § replay): inputs → judge → shard, duplicates → builders → signing →
 * due times → dispatcher → transport → interpret → retries → RunStats, checkpoint and
 * --failed. Memory stays flat: the reader pulls a batch only while fewer than
 * 2 × concurrency requests are queued or in flight (docs/BENCHMARKS.md § Measured before building: never queue the input).
 *
 * Every record read is settled exactly once — delivered, failed (written to --failed
 * first), invalid, duplicate, another shard's — or, when the run stops early, left
 * unsettled so that `--resume` sends it. The command renders the table from `stats`.
 */
import type { Readable } from 'node:stream';
import { recordsInAll, type Endpoint } from '../apis/api.js';
import type { Io } from '../commands/context.js';
import { readRecords } from '../input/read.js';
import type { RawRecord } from '../records.js';
import { FailedFileError, FailedWriter } from '../report/failed.js';
import { journalIntent } from './checkpoint/intent.js';
import { UncertainRecords } from './checkpoint/uncertain.js';
import { buildReport } from '../report/report.js';
import { backfillReport, readEarlierRuns, saveReport, type EarlierRuns } from '../report/resumed.js';
import { secretValues } from '../redact.js';
import type { RunStats } from '../report/stats.js';
import { endpointOf, type JudgeOptions, type Judgement } from '../validate/judge.js';
import { UNCERTAIN_CAUSE, UNSENT, type Settlement } from './delivery/attempt.js';
import { Checkpoint } from './checkpoint/checkpoint.js';
import { Dispatcher, type Delivery } from './delivery/dispatcher.js';
import { DryRunSink, credentialSecretForms } from './dry-run.js';
import { DispatchSink, type RunSink } from './sink.js';
import { excerptMaker } from './delivery/excerpt.js';
import { RecordIntake } from './intake/intake.js';
import { uncertainPolicyFor, type ReplayOptions } from './options.js';
import { recordTimeMs } from './schedule/original-pace.js';
import { ProgressLine, RateWindow, totalInputBytes } from '../report/progress.js';
import { RecordLedger } from './delivery/ledger.js';
import { describeTimeSpan, Preflight, type TimeSpan } from './intake/preflight.js';
import { checkpointFingerprint, timingOf, tuneHeap } from './plan.js';
import { RequestFlow, unixClock, type Timing } from './schedule/requests.js';
import { policyFor, type Backoff } from './delivery/retry.js';
import { listenForInterrupts, RunState, STOPPED, type StopReason } from './signals.js';
import { ExitCode } from '../errors.js';
import { evaluateThresholds } from '../report/thresholds.js';
import { createTransport } from './transport/contract.js';
import { saturationNote } from '../report/saturation.js';
import type { RunObserver } from './observer.js';
import { isBuilt, readInParallel, type BuiltRecord, type ReplayItem } from '../workers/replay-pool.js';
import { worthThreads } from '../workers/units.js';
import { RecordJudge } from '../validate/judge.js';

export interface ReplayOutcome {
  /** Stopped by Ctrl-C (SIGINT/SIGTERM): the command exits 130. */
  interrupted: boolean;
  /** Records whose delivery failed after their retries (written to --failed). */
  undelivered: number;
  thresholds: { expression: string; ok: boolean; actual: number }[];
  /** Records read but not sent because the run stopped early; a --resume sends them. */
  unsent: number;
  /** The run stopped because --failed could not be written: the command prints the summary, then this (exit 2). */
  failure?: unknown;
  /** A --resume: what the earlier runs of the backfill settled (see report/resumed.ts). */
  earlier?: EarlierRuns;
  /**
   * Set when `--uncertain fail` stopped the run: how many records were uncertain (failed
   * with cause `uncertain`). The command exits 2.
   */
  uncertainStop?: number;
}

/** Backpressure: the reader pauses while this many requests per concurrency slot are queued or in flight. */
const BACKLOG_PER_SLOT = 2;
/** …or while this many retries wait on their timers (each holds its request in memory). */
const WAITING_RETRIES_PER_SLOT = 16;
/** How often the backfill's report so far is saved beside the checkpoint (each save is an fsync and a rename: docs/BENCHMARKS.md). */
const SAVE_REPORT_EVERY_MS = 5000;
/** A little under ProgressLine's own 250 ms throttle, so no redraw is skipped. */
const PROGRESS_EVERY_MS = 200;
/** The longest stretch of synchronous work between event-loop turns (see #yield). */
const YIELD_PACED_MS = 1;
const YIELD_UNPACED_MS = 5;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** `observer` hears every attempt, settlement and invalid record as `stats` counts it (--results, --html, --reporter). */
export async function runReplay(options: ReplayOptions, io: Io, stats: RunStats, observer: RunObserver = {}): Promise<ReplayOutcome> {
  const run = new ReplayRun(options, io, stats, observer);
  const outcome = await run.run();
  stats.finish();
  outcome.thresholds = evaluateThresholds(options.thresholds, buildReport(stats));
  return outcome;
}

class ReplayRun {
  readonly #options: ReplayOptions;
  readonly #io: Io;
  readonly #stats: RunStats;
  readonly #state = new RunState();
  readonly #intake: RecordIntake;
  readonly #judge: JudgeOptions;
  readonly #flow: RequestFlow;
  readonly #timing: Timing;
  readonly #bytes = { bytesRead: 0 };
  #checkpoint: Checkpoint | undefined;
  #failed: FailedWriter | undefined;
  /** Where built requests go: the dispatcher, or the dry run (set when the run opens). */
  #sink: RunSink | undefined;
  #progress: ProgressLine | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #sendRate = new RateWindow();
  /** Records an earlier run settled (--resume): done before this run started, for the progress line. */
  #skipped = 0;
  #preflight: Preflight | undefined;
  #lastYield = 0;
  readonly #yieldEveryMs: number;
  #ledger: RecordLedger | undefined;
  /** What stopped the run early when --failed could not be written. */
  #failure: unknown;
  /** With --resume: what the earlier runs of the backfill settled. */
  #earlier: EarlierRuns | undefined;
  /** With --resume: the records in flight when the earlier run died. */
  #uncertain: UncertainRecords | undefined;

  readonly #observer: RunObserver;

  constructor(options: ReplayOptions, io: Io, stats: RunStats, observer: RunObserver) {
    this.#options = options;
    this.#observer = observer;
    this.#io = io;
    this.#stats = stats;
    this.#timing = timingOf(options);
    tuneHeap(this.#timing);
    this.#yieldEveryMs = this.#timing.kind === 'unlimited' ? YIELD_UNPACED_MS : YIELD_PACED_MS;
    this.#flow = new RequestFlow({
      // --pace original: each stat event goes at its own time, so a batch holds one time only.
      build: options.pace === 'original' ? { ...options.build, timeOf: (record) => recordTimeMs(endpointOf(record), record) } : options.build,
      target: options.target,
      credentials: options.credentials,
      signer: options.signer,
      cwd: io.cwd,
      timing: this.#timing,
      sink: (request, wire, endpoint, dueAt) => this.#sink!.submit(request, wire, endpoint, dueAt),
      onPacedOut: () => this.#stopRun('schedule over'),
      onUnsent: (request, endpoint) => stats.addSettlement(endpoint.id, recordsInAll(endpoint, request.records), UNSENT),
      now: () => performance.now(),
      nowSeconds: unixClock(io.env),
    });
    // Records are judged as they will be sent: credentials applied, against the URL limit.
    const build = this.#flow.buildOptions;
    this.#judge = { ...options.judge, credentials: build.credentials, keepAuth: build.keepAuth, wire: build };
    this.#intake = new RecordIntake(
      {
        judge: this.#judge,
        shard: options.shard,
        unique: options.unique,
        writeInvalid: (j) => {
          observer.invalid?.(j.origin, j.findings);
          return this.#failed?.writeInvalid(j.origin, j.failedForm, j.findings).catch((err: unknown) => {
            this.#fail(err);
            throw err;
          });
        },
        warned: (j) => observer.warned?.(j.origin, j.findings),
        settle: (origin) => this.#checkpoint?.settle(origin.input, origin.line),
        rememberKey: (origin, key) => this.#checkpoint?.rememberKey(origin.input, origin.line, key),
      },
      stats,
    );
  }

  async run(): Promise<ReplayOutcome> {
    const options = this.#options;
    // What the run needs before it sends (URLs, credentials, stat's session_key): checked
    // before any output is opened, reading the inputs ahead when only the records can tell.
    const preflight = (this.#preflight = await Preflight.create({
      inputs: options.inputs,
      read: options.read,
      judge: this.#judge,
      shard: options.shard,
      target: options.target,
      credentials: options.credentials,
      signer: options.signer,
      cwd: this.#io.cwd,
      learnTimeSpan: options.pace === 'original',
      progress: options.progress ? this.#io.stdout : undefined,
    }));
    preflight.checkKnownEndpoints();
    const ahead = await preflight.readAhead();
    if (options.pace === 'original' && ahead) this.#tellTimeSpan(ahead.span);
    const removeListeners = listenForInterrupts(
      () => this.#interrupt(),
      () => this.#abandon(),
    );
    const unwatchOutput = options.dryRun && options.printRequests ? this.#watchOutput() : undefined;
    /** Every input was read to its end and everything sent ended (a complete checkpoint). */
    let ranToEnd = false;
    try {
      await this.#open();
      if (this.#checkpoint) process.on('exit', this.#saveOnExit);
      this.#startTimers();
      try {
        await this.#readAll();
        if (this.#state.reading) await this.#flow.flush();
        await this.#flow.settled();
        this.#state.finishReading();
        await this.#drain();
        ranToEnd = this.#state.reason === undefined;
        // Stopped, or the schedule is over: what builders still hold is never sent.
        this.#flow.discardHeld();
      } catch (err) {
        // Send nothing new; give what is in flight its grace (a request aborted mid-way may
        // have arrived, and a resume sends it again); what settled stays settled.
        this.#state.stop('error');
        await this.#graceThenAbort().catch(() => {});
        if (err !== this.#failure) throw err;
      } finally {
        await this.#close(ranToEnd);
      }
    } finally {
      removeListeners();
      process.off('exit', this.#saveOnExit);
      unwatchOutput?.();
    }
    this.#finishStats();
    this.#saveReport();
    const totals = this.#stats.totals();
    return {
      interrupted: this.#state.reason === 'interrupted',
      undelivered: totals.failed,
      thresholds: [],
      unsent: totals.unsent,
      ...(this.#failure !== undefined && { failure: this.#failure }),
      ...(this.#earlier && { earlier: this.#earlier }),
      ...(this.#state.reason === 'uncertain' && { uncertainStop: this.#stats.failures.get(UNCERTAIN_CAUSE)?.count ?? 0 }),
    };
  }

  /** --pace original: the log's span and the run time, before the run starts (the pre-flight read learnt them). */
  #tellTimeSpan(span: TimeSpan | undefined): void {
    const { lines, warning } = describeTimeSpan(span, this.#options.speed);
    for (const line of lines) this.#io.stderr.write(`report-replay: ${line}\n`);
    if (warning) this.#io.stderr.write(`report-replay: warning: ${warning}\n`);
  }

  async #open(): Promise<void> {
    const options = this.#options;
    // A dry run sends nothing, so it settles nothing: the checkpoint is left alone.
    if (options.checkpointFile !== undefined && !options.dryRun) {
      const checkpoint = (this.#checkpoint = await Checkpoint.open(options.checkpointFile, {
        resume: options.resume,
        restart: options.restart,
        inputs: options.inputs,
        fingerprint: checkpointFingerprint(options),
        notice: (text) => this.#io.stderr.write(`report-replay: ${text}\n`),
        onError: (error) => this.#fail(error),
      }));
      this.#intake.knowSentKeys(checkpoint.earlierKeys());
      // Lines up to each input's watermark were settled before: one record a line, near enough for a percentage.
      this.#skipped = options.inputs.reduce((sum, _input, i) => sum + checkpoint.skipThrough(i), 0);
      if (options.resume) this.#earlier = readEarlierRuns(options.checkpointFile, options.inputs.map((_, i) => checkpoint.skipThrough(i)));
    }
    // Durable always: a line gathered in memory is lost to a second Ctrl-C or a crash, and
    // the synchronous write costs under a microsecond a line, next to a request's round trip.
    if (options.failedFile !== undefined) {
      const failed = (this.#failed = new FailedWriter(options.failedFile, { append: options.resume, durable: true }));
      if (failed.repairedBytes > 0) {
        this.#stats.addNote(`${options.failedFile} ended in a torn line (${failed.repairedBytes} bytes) from an earlier run: it was cut off (its record was never settled, so this run sends it again)`);
      }
    }
    if (this.#checkpoint) {
      const uncertain = (this.#uncertain = new UncertainRecords(this.#checkpoint, (endpoint) => uncertainPolicyFor(options, endpoint), this.#failed, this.#stats));
      try {
        uncertain.refuse((input) => options.inputs[input]?.name ?? `input ${input + 1}`);
      } catch (err) {
        await this.#failed?.close().catch(() => {});
        await this.#checkpoint.close().catch(() => {});
        throw err;
      }
    }
    if (!options.dryRun) {
      const stats = this.#stats;
      const ledger = (this.#ledger = new RecordLedger(
        this.#failed,
        this.#checkpoint,
        (delivery, records, settlement) => stats.addSettlement(delivery.request.endpoint, recordsInAll(delivery.endpoint, records), settlement),
        (err) => this.#fail(err),
      ));
      const paced = this.#timing.kind !== 'unlimited';
      stats.setPaced(paced);
      // The base URL, or else the first endpoint's own URL (--sud-url alone): where connections go first.
      const someUrl = options.target.baseUrl ?? Object.values(options.target).find((url) => url !== undefined);
      const transport = await createTransport(options.transport, { concurrency: options.concurrency, ...(someUrl !== undefined && { origin: new URL(someUrl).origin }) });
      const checkpoint = this.#checkpoint;
      const dispatcher = new Dispatcher({
        run: this.#state,
        transport,
        ...(checkpoint && { journal: journalIntent(checkpoint) }),
        concurrency: options.concurrency,
        timeoutMs: options.timeoutMs,
        paced,
        policy: this.#policies(),
        uncertain: (endpoint) => uncertainPolicyFor(options, endpoint),
        excerpt: excerptMaker(credentialSecretForms(options.credentials)),
        onAttempt: this.#observer.attempt ? (attempt) => (stats.addAttempt(attempt), this.#observer.attempt!(attempt)) : (attempt) => stats.addAttempt(attempt),
        onSettled: (delivery, settlement) => this.#settled(delivery, settlement, ledger),
      });
      this.#sink = new DispatchSink(dispatcher, transport);
    } else {
      this.#sink = new DryRunSink({
        stdout: this.#io.stdout,
        credentials: options.credentials,
        count: (endpoint) => this.#stats.addDryRunRequest(endpoint.id),
        print: () => options.printRequests && this.#state.reason !== 'output closed',
      });
    }
    if (options.progress) {
      const totalBytes = options.loop ? undefined : totalInputBytes(options.inputs);
      this.#progress = new ProgressLine(this.#io.stdout, totalBytes === undefined ? {} : { totalBytes });
    }
  }

  /** Kept in the run's state and counted (the ledger counts what settles); an uncertain request under `--uncertain fail` stops the run. */
  #settled(delivery: Delivery, settlement: Settlement, ledger: RecordLedger): void | Promise<void> {
    this.#observer.settled?.(delivery.order, delivery.request.records, settlement);
    if (settlement.kind === 'failed' && settlement.uncertain && uncertainPolicyFor(this.#options, delivery.endpoint) === 'fail') this.#stopRun('uncertain');
    return ledger.settle(delivery, settlement);
  }

  #policies(): (endpoint: Endpoint, kind: 'transport' | 'api') => Backoff {
    const overrides = {
      ...(this.#options.retries !== undefined && { retries: this.#options.retries }),
      ...(this.#options.retryDelayMs !== undefined && { retryDelayMs: this.#options.retryDelayMs }),
    };
    const cache = new Map<string, Backoff>();
    return (endpoint, kind) => {
      const key = `${endpoint.id} ${kind}`;
      let policy = cache.get(key);
      if (!policy) cache.set(key, (policy = policyFor(kind, endpoint.retryPolicy, overrides)));
      return policy;
    };
  }

  #startTimers(): void {
    const options = this.#options;
    if (!options.dryRun) {
      // Stat batches that waited --batch-linger leave even while the input is quiet (stdin).
      const tick = Math.max(5, Math.min(50, options.batchLingerMs / 4));
      this.#timers.push(setInterval(() => this.#flow.poll(options.batchLingerMs), tick));
    }
    // Paced runs end by due time (RequestFlow), and by the wall clock in case nothing more
    // is ever built (a looped input of duplicates); an unpaced one has only the wall clock.
    const { durationMs } = options;
    if (durationMs !== undefined) {
      if (this.#timing.kind === 'unlimited') this.#timers.push(setTimeout(() => this.#stopRun('duration'), durationMs));
      else {
        // The schedule's t0 is its first request; the wall clock must not cut it short.
        const end = (): void => {
          const left = (this.#flow.startAt ?? Infinity) + durationMs - performance.now();
          if (left > 0 && left !== Infinity) this.#timers.push(setTimeout(end, left));
          else this.#stopRun('schedule over');
        };
        this.#timers.push(setTimeout(end, durationMs));
      }
    }
    if (this.#progress) this.#timers.push(setInterval(() => this.#showProgress(), PROGRESS_EVERY_MS));
    if (this.#checkpoint) this.#timers.push(setInterval(() => this.#saveReport(), SAVE_REPORT_EVERY_MS));
  }

  /** A second Ctrl-C exits at once: the report so far is saved then too (synchronously, as the checkpoint journals). */
  readonly #saveOnExit = (): void => this.#saveReport();

  /** The backfill's report so far, beside the checkpoint: what a --resume starts its own report from. */
  #saveReport(): void {
    const checkpoint = this.#checkpoint;
    if (!checkpoint || this.#options.checkpointFile === undefined) return;
    // Stamps the duration so far (the run's end stamps it again), so a killed run's saved report has one.
    this.#stats.finish();
    const report = backfillReport(this.#earlier, buildReport(this.#stats));
    try {
      saveReport(this.#options.checkpointFile, report, this.#options.inputs.map((_, i) => checkpoint.settledThrough(i)), secretValues(this.#options.credentials));
    } catch (err) {
      this.#fail(err);
    }
  }

  /** The first Ctrl-C: stop taking records, and say how long in-flight requests may still take. */
  #interrupt(): void {
    this.#stopRun('interrupted');
    const inFlight = (this.#sink?.inFlight ?? 0) + (this.#sink?.waitingRetries ?? 0);
    const waiting = inFlight > 0 ? `waiting up to ${seconds(this.#options.graceMs)} for ${plural(inFlight, 'request')} in flight` : 'finishing';
    this.#progress?.clear();
    this.#io.stderr.write(`report-replay: stopping: no new records are taken; ${waiting} (Ctrl-C again to stop at once)\n`);
  }

  /** The second Ctrl-C: exit at once, saying what was left in the air. */
  #abandon(): never {
    const inFlight = (this.#sink?.inFlight ?? 0) + (this.#sink?.waitingRetries ?? 0);
    const resume = this.#checkpoint && inFlight > 0 ? '; their records are not marked settled, so --resume sends them again' : '';
    this.#progress?.clear();
    this.#io.stderr.write(`report-replay: stopped at once: abandoned ${plural(inFlight, 'request')} in flight${resume}\n`);
    process.exit(ExitCode.Interrupted);
  }

  /** Stop taking records; unless only the schedule is over, what is queued is left unsent (the dispatcher follows the state). */
  #stopRun(reason: StopReason): void {
    this.#state.stop(reason);
  }

  /** --failed (or the saved report) could not be written: stop at once; what is in flight drains, the command exits 2 after the summary. */
  #fail(err: unknown): void {
    this.#failure ??= err;
    this.#stopRun('write failed');
  }

  async #readAll(): Promise<void> {
    const loops = this.#options.loop ? Infinity : 1;
    for (let loop = 0; loop < loops && this.#state.reading; loop++) {
      const admitted = await this.#readOnce(loop);
      // A loop that sent nothing (no records, all invalid or duplicates) would spin until --duration.
      if (admitted === 0) break;
    }
  }

  /**
   * --workers N, when the run can use them and be what `--workers 0` would be (README
   * "replay"): NDJSON files big enough to be worth threads, sent flat out (a paced run would
   * sign requests long before they go), with the built-in signers, no --shard, no --unique.
   */
  #workers(): number {
    const o = this.#options;
    if (o.workers === 0 || this.#timing.kind !== 'unlimited' || o.signer !== undefined || o.shard !== undefined || o.unique) return 0;
    if (o.inputs.some((input) => input.path === '-' || input.format !== 'ndjson')) return 0;
    return worthThreads(o.inputs.reduce((sum, input) => sum + (input.size ?? 0), 0)) ? o.workers : 0;
  }

  /** The run's records in input order, in batches: read here, or by worker threads (some built ahead). */
  #records(): AsyncGenerator<readonly ReplayItem[]> {
    const checkpoint = this.#checkpoint;
    const workers = this.#workers();
    if (workers > 0) {
      const build = this.#flow.buildOptions;
      let rejudge: RecordJudge | undefined;
      return readInParallel(this.#options.inputs, {
        workers,
        data: {
          judge: { ...this.#options.judge, credentials: build.credentials, keepAuth: build.keepAuth },
          build: { batchSize: build.batchSize, maxUrlBytes: build.maxUrlBytes, statParams: build.statParams, baseUrlBytes: build.baseUrlBytes, ts: build.ts, keepAuth: build.keepAuth, downloadOpenidField: build.downloadOpenidField, credentials: build.credentials },
          target: this.#options.target,
          cwd: this.#io.cwd,
          sourceDateEpoch: this.#io.env.SOURCE_DATE_EPOCH,
        },
        rejudge: (raw) => (rejudge ??= new RecordJudge(this.#judge, undefined)).judge(raw),
        progress: this.#bytes,
      });
    }
    return readRecords(this.#options.inputs, {
      ...(this.#options.read.delimiter !== undefined && { delimiter: this.#options.read.delimiter }),
      ...(checkpoint && { skipThrough: (input: number) => checkpoint.skipThrough(input) }),
      progress: this.#bytes,
      stdin: this.#io.stdin as Readable,
    });
  }

  /** One pass over the inputs; returns how many records went on to be sent. */
  async #readOnce(loop: number): Promise<number> {
    const records = this.#records();
    const iterator = records[Symbol.asyncIterator]();
    let admitted = 0;
    try {
      while (this.#state.reading) {
        const next = iterator.next();
        // If the run stops while this read is pending, its later failure must not go unhandled.
        next.catch(() => {});
        const result = await this.#state.untilStopped(next);
        if (result === STOPPED || result.done) break;
        admitted += await this.#takeBatch(result.value, loop);
      }
    } finally {
      void iterator.return(undefined).catch(() => {});
    }
    return admitted;
  }

  /**
   * Judge a batch (or take the judgements of records built ahead), check the credentials of
   * endpoints it brings, then send its records; returns how many went on.
   */
  async #takeBatch(batch: readonly ReplayItem[], loop: number): Promise<number> {
    const checkpoint = this.#checkpoint;
    const judged: (Judgement | BuiltRecord)[] = [];
    for (const item of batch) {
      const { input, line } = item.origin;
      if (checkpoint) {
        if (checkpoint.wasSettled(input, line)) continue;
        checkpoint.take(input, line);
      }
      const built = isBuilt(item) ? item : undefined;
      const judgement = built ? this.#intake.judged(built.judgement) : this.#intake.judge(item as RawRecord);
      const setAside = judgement.record && this.#uncertain?.take(judgement.record);
      if (setAside) {
        await setAside;
        continue;
      }
      judged.push(built ?? judgement);
      if (performance.now() - this.#lastYield > this.#yieldEveryMs) await this.#yield();
    }
    const endpoints = new Set<Endpoint>();
    for (const entry of judged) {
      if ('wire' in entry) {
        this.#preflight!.checkBuilt(entry.judgement.endpoint, entry.origin);
        endpoints.add(entry.judgement.endpoint);
        continue;
      }
      this.#preflight!.check(entry);
      if (entry.record && entry.endpoint) endpoints.add(entry.endpoint);
    }
    await this.#flow.prepare(endpoints);
    // The whole batch goes through even when the run stops meanwhile: the dispatcher then
    // leaves its requests unsent, so every record judged is settled or left for --resume.
    let count = 0;
    for (const entry of judged) {
      let sending: Promise<void> | undefined;
      if ('wire' in entry) {
        if (!this.#intake.admitBuilt(entry.judgement, entry.duplicateKey)) continue;
        count++;
        sending = this.#flow.addBuilt(entry.judgement.endpoint, entry.group, entry.request, entry.wire);
      } else {
        const admitted = this.#intake.admit(entry, loop);
        if (admitted === undefined) continue;
        if (admitted instanceof Promise) {
          await admitted;
          continue;
        }
        count++;
        sending = this.#flow.add(admitted);
      }
      if (sending) await sending;
      const room = this.#sink!.room(BACKLOG_PER_SLOT * this.#options.concurrency, WAITING_RETRIES_PER_SLOT * this.#options.concurrency);
      if (room) {
        await room;
        this.#lastYield = performance.now();
      } else if (performance.now() - this.#lastYield > this.#yieldEveryMs) await this.#yield();
    }
    return count;
  }

  /**
   * Let timers and sockets run. Judging and building a batch is synchronous work (awaits of
   * settled promises never reach the event loop), and while it runs no due request can go
   * and no answer is read: a paced run gives the loop a turn every millisecond.
   */
  async #yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#lastYield = performance.now();
  }

  /** `--print-requests | head`: when the reader of stdout goes away, stop quietly instead of crashing on EPIPE. */
  #watchOutput(): () => void {
    const stdout = this.#io.stdout;
    const onError = (): void => this.#stopRun('output closed');
    stdout.on('error', onError);
    return () => stdout.off('error', onError);
  }

  /** Wait for every request to end; once stopped, give in-flight ones --grace, then abort them. */
  async #drain(): Promise<void> {
    const sink = this.#sink!;
    if (this.#state.reason === undefined) {
      const ended = await this.#state.untilStopped(sink.idle());
      if (ended !== STOPPED) return;
    }
    await this.#graceThenAbort();
  }

  /** In-flight requests and pending retries get --grace to end; then the rest is aborted (left unsent). */
  async #graceThenAbort(): Promise<void> {
    const sink = this.#sink;
    if (!sink) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<typeof STOPPED>((resolve) => (timer = setTimeout(() => resolve(STOPPED), this.#options.graceMs)));
    try {
      const ended = await Promise.race([sink.idle(), graceOver]);
      if (ended !== STOPPED) return;
    } finally {
      clearTimeout(timer);
    }
    this.#state.abort();
    await sink.idle();
  }

  async #close(ranToEnd: boolean): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.length = 0;
    this.#progress?.done();
    const closing: Promise<void>[] = [];
    if (this.#sink) closing.push(this.#sink.close());
    // --failed before the checkpoint: a line marked settled must already be in the file.
    if (this.#failed) {
      try {
        await this.#failed.close();
      } catch (err) {
        if (!(err instanceof FailedFileError)) throw err;
        this.#failure ??= err;
      }
    }
    if (this.#checkpoint) {
      const complete = ranToEnd && this.#notSent() === 0;
      // A checkpoint that cannot be written ends the run with the summary printed (exit 2), not a crash.
      closing.push(this.#checkpoint.close({ complete }).catch((err: unknown) => void (this.#failure ??= err)));
    }
    await Promise.all(closing);
  }

  #showProgress(): void {
    const sent = this.#sink?.sent ?? 0;
    const rate = this.#sendRate.sample(performance.now(), sent);
    // Every figure in records, counted the report's way (a stat envelope: one per event).
    const t = this.#stats.totals();
    let otherShard = 0;
    for (const e of this.#stats.byEndpoint.values()) otherShard += e.otherShard;
    const settled = t.succeeded + t.failed + t.invalid + t.duplicates + otherShard;
    this.#progress?.update({
      read: t.records + otherShard,
      sent,
      ok: t.succeeded,
      failed: t.failed,
      settled,
      rate,
      inFlight: this.#sink?.inFlight ?? 0,
      bytesRead: this.#bytes.bytesRead,
      skipped: this.#skipped,
    });
  }

  /** Records taken but never sent: stopped in the queue or in flight, built past the schedule, or held in a batch. */
  #notSent(): number {
    return this.#stats.totals().unsent;
  }

  #finishStats(): void {
    const stats = this.#stats;
    if (this.#state.reason === 'interrupted') stats.markInterrupted();
    const note = saturationNote(stats, { concurrency: this.#options.concurrency, transport: this.#options.transport });
    if (note) stats.addNote(note);
    const totals = stats.totals();
    if (totals.possiblyDuplicated > 0) {
      const n = totals.possiblyDuplicated;
      stats.addNote(
        `${n} record${n === 1 ? ' was' : 's were'} possibly delivered twice: an answer was lost after the request was sent, ` +
          'and --uncertain resend sent it again (the server may have processed both)',
      );
    }
    const uncertain = stats.failures.get(UNCERTAIN_CAUSE)?.count ?? 0;
    if (uncertain > 0) {
      const where = this.#failed ? `; they are in ${this.#failed.file} with _error "uncertain: …"` : '';
      const stopped = this.#state.reason === 'uncertain' ? ' --uncertain fail stopped the run.' : '';
      stats.addNote(
        `${uncertain} record${uncertain === 1 ? ' is' : 's are'} uncertain: the request was sent but its answer was lost, so the server may have processed ` +
          `${uncertain === 1 ? 'it' : 'them'}; check the server before sending ${uncertain === 1 ? 'it' : 'them'} again${where}.${stopped}`,
      );
    }
    const unwritten = this.#ledger?.unwritten ?? 0;
    if (unwritten > 0) {
      stats.addNote(
        `${unwritten} failed record${unwritten === 1 ? ' is' : 's are'} not in ${this.#options.failedFile} (it could not be written)` +
          (this.#checkpoint ? '; they stay unsettled, and the same command with --resume sends them again' : ''),
      );
    }
    if (this.#uncertain) for (const note of this.#uncertain.notes(this.#options.failedFile)) stats.addNote(note);
    const left = this.#notSent();
    const unsentRead = left > 0 ? `; ${plural(left, 'record')} read ${left === 1 ? 'was' : 'were'} not sent` : '';
    if (stats.interrupted) {
      // One true thing about what comes next: only a checkpoint makes a run resumable.
      stats.addNote(
        this.#checkpoint
          ? `the same command with --resume continues where this run stopped${unsentRead}`
          : `without --checkpoint this run cannot be resumed: a new run starts from the first record${unsentRead}`,
      );
    } else if (left > 0 && !this.#options.loop) {
      // A --loop run always ends with records left in its last pass: nothing to resume there.
      stats.addNote(
        this.#checkpoint
          ? `${left} record${left === 1 ? ' was' : 's were'} not sent before the run stopped; the same command with --resume sends them`
          : `${left} record${left === 1 ? ' was' : 's were'} not sent before the run stopped (use --checkpoint FILE to be able to resume)`,
      );
    }
  }
}
