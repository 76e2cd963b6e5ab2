/**
 * The replay engine (SPEC §5): inputs → judge → shard, duplicates → builders → signing →
 * due times → dispatcher → transport → interpret → retries → RunStats, checkpoint and
 * --failed. Memory stays flat: the reader pulls a batch only while fewer than
 * 2 × concurrency requests are queued or in flight (PERF-NOTES: never queue the input).
 *
 * Every record read is settled exactly once — delivered, failed (written to --failed
 * first), invalid, duplicate, another shard's — or, when the run stops early, left
 * unsettled so that `--resume` sends it. The command renders the table from `stats`.
 */
import type { Readable } from 'node:stream';
import { recordsInAll, type Endpoint } from '../apis/api.js';
import { allEndpoints, selectEndpoints } from '../apis/registry.js';
import type { Io } from '../commands/context.js';
import { readRecords } from '../input/read.js';
import type { RawRecord } from '../records.js';
import { FailedWriter } from '../report/failed.js';
import { buildReport } from '../report/report.js';
import type { RunStats } from '../report/stats.js';
import { endpointOf, type Judgement } from '../validate/judge.js';
import { UNCERTAIN_CAUSE, UNSENT, type Settlement } from './attempt.js';
import { Checkpoint } from './checkpoint.js';
import { Dispatcher, type Delivery } from './dispatcher.js';
import { requestLine, secretForms } from './dry-run.js';
import { excerptMaker } from './excerpt.js';
import { RecordIntake } from './intake.js';
import { uncertainPolicyFor, type ReplayOptions } from './options.js';
import { ProgressLine } from './progress.js';
import { RecordLedger } from './ledger.js';
import { recordTimeMs } from './original-pace.js';
import { findEndpointsInInputs } from './prescan.js';
import { checkOptions, checkpointFingerprint, timingOf, tuneHeap } from './plan.js';
import { RequestFlow, unixClock, type RequestSink, type Timing } from './requests.js';
import { policyFor, type Backoff } from './retry.js';
import { listenForInterrupts, RunStop, type StopReason } from './signals.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';
import { createTransport, type Transport } from './transport.js';
import { saturationNote } from './saturation.js';

export interface ReplayOutcome {
  /** Stopped by Ctrl-C (SIGINT/SIGTERM): the command exits 130. */
  interrupted: boolean;
  /** Records whose delivery failed after their retries (written to --failed). */
  undelivered: number;
  thresholds: { expression: string; ok: boolean; actual: number }[];
  /** Records read but not sent because the run stopped early; a --resume sends them. */
  unsent: number;
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
/** A little under ProgressLine's own 250 ms throttle, so no redraw is skipped. */
const PROGRESS_EVERY_MS = 200;
/** The longest stretch of synchronous work between event-loop turns (see #yield). */
const YIELD_PACED_MS = 1;
const YIELD_UNPACED_MS = 5;

const STOPPED = Symbol('stopped');

export async function runReplay(options: ReplayOptions, io: Io, stats: RunStats): Promise<ReplayOutcome> {
  checkOptions(options);
  const thresholds = options.thresholds.map(parseThreshold);
  const run = new ReplayRun(options, io, stats);
  const outcome = await run.run();
  stats.finish();
  outcome.thresholds = evaluateThresholds(thresholds, buildReport(stats));
  return outcome;
}

class ReplayRun {
  readonly #options: ReplayOptions;
  readonly #io: Io;
  readonly #stats: RunStats;
  readonly #stop = new RunStop();
  readonly #intake: RecordIntake;
  readonly #flow: RequestFlow;
  readonly #timing: Timing;
  readonly #bytes = { bytesRead: 0 };
  #checkpoint: Checkpoint | undefined;
  #failed: FailedWriter | undefined;
  #transport: Transport | undefined;
  #dispatcher: Dispatcher | undefined;
  #progress: ProgressLine | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  /** Resolves the pending read or wait when the run is told to stop (one slot: no promise piles up). */
  #wakeOnStop: (() => void) | undefined;
  /** Paced runs: the schedule is over (--duration). Reading ends; what is queued still goes. */
  #scheduleOver = false;
  #read = 0;
  #lastTick = { at: performance.now(), sent: 0 };
  #lastYield = 0;
  readonly #yieldEveryMs: number;

  constructor(options: ReplayOptions, io: Io, stats: RunStats) {
    this.#options = options;
    this.#io = io;
    this.#stats = stats;
    this.#timing = timingOf(options);
    tuneHeap(this.#timing);
    this.#yieldEveryMs = this.#timing.kind === 'unlimited' ? YIELD_UNPACED_MS : YIELD_PACED_MS;
    this.#intake = new RecordIntake(
      {
        judge: options.judge,
        shard: options.shard,
        unique: options.unique,
        writeInvalid: (j) => this.#failed?.writeInvalid(j.origin, j.failedForm, j.findings),
        settle: (origin) => this.#checkpoint?.settle(origin.input, origin.line),
      },
      stats,
    );
    this.#flow = new RequestFlow({
      // --pace original: each stat event goes at its own time, so a batch holds one time only.
      build: options.pace === 'original' ? { ...options.build, timeOf: (record) => recordTimeMs(endpointOf(record), record) } : options.build,
      target: options.target,
      credentials: options.credentials,
      signer: options.signer,
      cwd: io.cwd,
      timing: this.#timing,
      sink: options.dryRun ? this.#dryRunSink() : this.#dispatchSink(),
      onPacedOut: () => this.#endSchedule(),
      onUnsent: (request, endpoint) => stats.addSettlement(endpoint.id, recordsInAll(endpoint, request.records), UNSENT),
      now: () => performance.now(),
      nowSeconds: unixClock(io.env),
    });
  }

  async run(): Promise<ReplayOutcome> {
    const options = this.#options;
    // Credentials first: with an explicit --api the endpoints are known, so a missing one
    // stops the run before any file is opened. With auto, see #checkCredentialsByReading;
    // each batch's new endpoints are checked again before any request of theirs is built.
    if (options.judge.api !== 'auto') await this.#flow.prepare(selectEndpoints(options.judge.api) ?? []);
    else await this.#checkCredentialsByReading();
    const removeListeners = listenForInterrupts(() => this.#stopRun('interrupted'));
    const unwatchOutput = options.dryRun && options.printRequests ? this.#watchOutput() : undefined;
    try {
      await this.#open();
      this.#startTimers();
      try {
        await this.#readAll();
        if (!this.#stop.reason && !this.#scheduleOver) await this.#flow.flush();
        await this.#flow.settled();
        await this.#drain();
        // Stopped, or the schedule is over: what builders still hold is never sent.
        this.#flow.discardHeld();
      } catch (err) {
        // Send nothing new; give what is in flight its grace (a request aborted mid-way may
        // have arrived, and a resume sends it again); what settled stays settled.
        this.#dispatcher?.stopTaking();
        await this.#graceThenAbort().catch(() => {});
        throw err;
      } finally {
        await this.#close();
      }
    } finally {
      removeListeners();
      unwatchOutput?.();
    }
    this.#finishStats();
    const totals = this.#stats.totals();
    const outcome: ReplayOutcome = { interrupted: this.#stop.reason === 'interrupted', undelivered: totals.failed, thresholds: [], unsent: totals.unsent };
    if (this.#stop.reason === 'uncertain') outcome.uncertainStop = this.#stats.failures.get(UNCERTAIN_CAUSE)?.count ?? 0;
    return outcome;
  }

  /**
   * --api auto: when an endpoint lacks a credential, read the inputs once to see whether any
   * record to send belongs to it, and stop before sending anything if so. Stdin cannot be
   * read twice; there the per-batch check is all there is.
   */
  async #checkCredentialsByReading(): Promise<void> {
    const options = this.#options;
    const lacking = await this.#flow.lacking(allEndpoints());
    if (lacking.size === 0 || options.inputs.some((source) => source.path === '-')) return;
    const found = await findEndpointsInInputs(options.inputs, options.read, options.judge, lacking);
    if (found.size > 0) await this.#flow.prepare(found.keys());
  }

  async #open(): Promise<void> {
    const options = this.#options;
    // A dry run sends nothing, so it settles nothing: the checkpoint is left alone.
    if (options.checkpointFile !== undefined && !options.dryRun) {
      this.#checkpoint = await Checkpoint.open(options.checkpointFile, { resume: options.resume, inputs: options.inputs, fingerprint: checkpointFingerprint(options) });
    }
    if (options.failedFile !== undefined) this.#failed = new FailedWriter(options.failedFile, { append: options.resume, durable: options.checkpointFile !== undefined });
    if (!options.dryRun) {
      const stats = this.#stats;
      const ledger = new RecordLedger(this.#failed, this.#checkpoint);
      const paced = this.#timing.kind !== 'unlimited';
      stats.setPaced(paced);
      this.#transport = createTransport(options.transport, { concurrency: options.concurrency, origin: new URL(options.target.baseUrl).origin });
      this.#dispatcher = new Dispatcher({
        transport: this.#transport,
        concurrency: options.concurrency,
        timeoutMs: options.timeoutMs,
        paced,
        policy: this.#policies(),
        uncertain: (endpoint) => uncertainPolicyFor(options, endpoint),
        excerpt: excerptMaker(secretForms(options.credentials)),
        onAttempt: (attempt) => stats.addAttempt(attempt),
        onSettled: (delivery, settlement) => this.#settled(delivery, settlement, ledger),
      });
    }
    if (options.progress) {
      const sizes = options.inputs.map((i) => i.size);
      const totalBytes = sizes.every((s): s is number => s !== undefined) && !options.loop ? sizes.reduce((a, b) => a + b, 0) : undefined;
      this.#progress = new ProgressLine(this.#io.stdout, totalBytes === undefined ? {} : { totalBytes });
    }
  }

  /** Counted, then kept in the run's state; an uncertain request under `--uncertain fail` stops the run. */
  #settled(delivery: Delivery, settlement: Settlement, ledger: RecordLedger): void | Promise<void> {
    this.#stats.addSettlement(delivery.request.endpoint, delivery.recordCount, settlement);
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
          else this.#endSchedule();
        };
        this.#timers.push(setTimeout(end, durationMs));
      }
    }
    if (this.#progress) this.#timers.push(setInterval(() => this.#showProgress(), PROGRESS_EVERY_MS));
  }

  #stopRun(reason: StopReason): void {
    if (this.#stop.reason) return;
    this.#stop.stop(reason);
    this.#dispatcher?.stopTaking();
    this.#wakeOnStop?.();
  }

  #endSchedule(): void {
    this.#scheduleOver = true;
    this.#wakeOnStop?.();
  }

  /** No more records are taken: the run was stopped, or its schedule is over. */
  get #reading(): boolean {
    return this.#stop.reason === undefined && !this.#scheduleOver;
  }

  /** `promise`, or STOPPED as soon as the run stops taking records. */
  #untilStopped<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    if (!this.#reading) return Promise.resolve(STOPPED);
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      this.#wakeOnStop = () => resolve(STOPPED);
      promise.then(resolve, reject);
    }).finally(() => (this.#wakeOnStop = undefined));
  }

  async #readAll(): Promise<void> {
    const loops = this.#options.loop ? Infinity : 1;
    for (let loop = 0; loop < loops && this.#reading; loop++) {
      const admitted = await this.#readOnce(loop);
      // A loop that sent nothing (no records, all invalid or duplicates) would spin until --duration.
      if (admitted === 0) break;
    }
  }

  /** One pass over the inputs; returns how many records went on to be sent. */
  async #readOnce(loop: number): Promise<number> {
    const checkpoint = this.#checkpoint;
    const records = readRecords(this.#options.inputs, {
      ...(this.#options.read.delimiter !== undefined && { delimiter: this.#options.read.delimiter }),
      ...(checkpoint && { skipThrough: (input: number) => checkpoint.skipThrough(input) }),
      progress: this.#bytes,
      stdin: this.#io.stdin as Readable,
    });
    const iterator = records[Symbol.asyncIterator]();
    let admitted = 0;
    try {
      while (this.#reading) {
        const next = iterator.next();
        // If the run stops while this read is pending, its later failure must not go unhandled.
        next.catch(() => {});
        const result = await this.#untilStopped(next);
        if (result === STOPPED || result.done) break;
        admitted += await this.#takeBatch(result.value, loop);
      }
    } finally {
      void iterator.return(undefined).catch(() => {});
    }
    return admitted;
  }

  /** Judge a batch, check the credentials of endpoints it brings, then send its records; returns how many went on. */
  async #takeBatch(batch: readonly RawRecord[], loop: number): Promise<number> {
    const checkpoint = this.#checkpoint;
    const judged: Judgement[] = [];
    for (const raw of batch) {
      const { input, line } = raw.origin;
      if (checkpoint) {
        if (checkpoint.wasSettled(input, line)) continue;
        checkpoint.take(input, line);
      }
      judged.push(this.#intake.judge(raw));
      if (performance.now() - this.#lastYield > this.#yieldEveryMs) await this.#yield();
    }
    this.#read += judged.length;
    const endpoints = new Set<Endpoint>();
    for (const j of judged) if (j.record && j.endpoint) endpoints.add(j.endpoint);
    await this.#flow.prepare(endpoints);
    // The whole batch goes through even when the run stops meanwhile: the dispatcher then
    // leaves its requests unsent, so every record judged is settled or left for --resume.
    let count = 0;
    for (const judgement of judged) {
      const admitted = this.#intake.admit(judgement, loop);
      if (admitted === undefined) continue;
      if (admitted instanceof Promise) {
        await admitted;
        continue;
      }
      count++;
      const sending = this.#flow.add(admitted);
      if (sending) await sending;
      const room = this.#dispatcher?.room(BACKLOG_PER_SLOT * this.#options.concurrency, WAITING_RETRIES_PER_SLOT * this.#options.concurrency);
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

  #dispatchSink(): RequestSink {
    return (request, wire, endpoint, dueAt) => this.#dispatcher!.submit(request, wire, endpoint, dueAt);
  }

  #dryRunSink(): RequestSink {
    const secrets = secretForms(this.#options.credentials);
    const stdout = this.#io.stdout;
    return (_request, wire, endpoint) => {
      this.#stats.addDryRunRequest(endpoint.id);
      if (!this.#options.printRequests || this.#stop.reason === 'output closed') return;
      if (stdout.write(requestLine(wire, secrets))) return;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          for (const event of ['drain', 'error', 'close']) stdout.off(event, done);
          resolve();
        };
        for (const event of ['drain', 'error', 'close']) stdout.once(event, done);
      });
    };
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
    const dispatcher = this.#dispatcher;
    if (!dispatcher) return;
    if (!this.#stop.reason) {
      const ended = await this.#untilStopped(dispatcher.idle());
      if (ended !== STOPPED) return;
    }
    await this.#graceThenAbort();
  }

  /** In-flight requests and pending retries get --grace to end; then the rest is aborted (left unsent). */
  async #graceThenAbort(): Promise<void> {
    const dispatcher = this.#dispatcher;
    if (!dispatcher) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<typeof STOPPED>((resolve) => (timer = setTimeout(() => resolve(STOPPED), this.#options.graceMs)));
    try {
      const ended = await Promise.race([dispatcher.idle(), graceOver]);
      if (ended !== STOPPED) return;
    } finally {
      clearTimeout(timer);
    }
    dispatcher.abort();
    await dispatcher.idle();
  }

  async #close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.length = 0;
    this.#progress?.done();
    const closing: Promise<void>[] = [];
    if (this.#transport) closing.push(this.#transport.close());
    // --failed before the checkpoint: a line marked settled must already be in the file.
    if (this.#failed) await this.#failed.close();
    if (this.#checkpoint) closing.push(this.#checkpoint.close());
    await Promise.all(closing);
  }

  #showProgress(): void {
    const sent = this.#dispatcher?.sent ?? 0;
    const now = performance.now();
    // The rate now, over the last tick: a run that slows down shows it at once.
    const rate = now > this.#lastTick.at ? ((sent - this.#lastTick.sent) * 1000) / (now - this.#lastTick.at) : 0;
    this.#lastTick = { at: now, sent };
    // Every figure in records, counted the report's way (a stat envelope: one per event).
    const t = this.#stats.totals();
    let otherShard = 0;
    for (const e of this.#stats.byEndpoint.values()) otherShard += e.otherShard;
    const settled = t.succeeded + t.failed + t.invalid + t.duplicates + otherShard;
    this.#progress?.update({ read: t.records + otherShard, sent, ok: t.succeeded, failed: t.failed, settled, rate, bytesRead: this.#bytes.bytesRead });
  }

  #finishStats(): void {
    const stats = this.#stats;
    if (this.#stop.reason === 'interrupted') stats.markInterrupted();
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
      const stopped = this.#stop.reason === 'uncertain' ? ' --uncertain fail stopped the run.' : '';
      stats.addNote(
        `${uncertain} record${uncertain === 1 ? ' is' : 's are'} uncertain: the request was sent but its answer was lost, so the server may have processed ` +
          `${uncertain === 1 ? 'it' : 'them'}; check the server before sending ${uncertain === 1 ? 'it' : 'them'} again${where}.${stopped}`,
      );
    }
    const left = totals.unsent;
    // A --loop run always ends with records left in its last pass: nothing to resume there.
    if (left > 0 && !this.#options.loop) {
      stats.addNote(
        this.#checkpoint
          ? `${left} record${left === 1 ? ' was' : 's were'} not sent before the run stopped; the same command with --resume sends them`
          : `${left} record${left === 1 ? ' was' : 's were'} not sent before the run stopped (use --checkpoint FILE to be able to resume)`,
      );
    }
  }
}
