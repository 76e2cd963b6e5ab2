/**
 * The live progress line (README "Output"): one line, rewritten in place with `\r`, at
 * most about four times a second so that drawing it never costs the work. The caller
 * decides whether to show it at all (a TTY and not --quiet); this only draws. Three lines
 * share it: replay's (records, requests, in flight, rate), validate's and the pre-flight
 * read's (records read and the share of the input's bytes).
 */

export interface ProgressCounts {
  /** Records read so far. */
  readonly read: number;
  /** Requests sent (first attempts). */
  readonly sent: number;
  /** Records delivered, and records whose delivery failed. */
  readonly ok: number;
  readonly failed: number;
  /** Records done for good: delivered, failed, invalid, duplicate, another shard's. Default ok + failed. */
  readonly settled?: number;
  /** Requests per second over a recent window (see RateWindow); left out while unknown. */
  readonly rate?: number | undefined;
  /** Requests on the wire now. */
  readonly inFlight?: number;
  /** Input bytes consumed, for the percentage and ETA (with `totalBytes`). */
  readonly bytesRead?: number;
  /**
   * Records an earlier run settled (--resume), passed over by this one: they count as read
   * and done in the percentage, and the ETA is reckoned on the rest.
   */
  readonly skipped?: number;
}

/** What validate and the pre-flight read show: how far through the input they are. */
export interface ReadingCounts {
  readonly read: number;
  /** validate: records with an error. */
  readonly invalid?: number;
  readonly bytesRead: number;
}

export interface ProgressOptions {
  /** Size of all inputs in bytes, when known: enables the percentage and ETA. */
  readonly totalBytes?: number;
  /** @default 250 — minimum time between two redraws. */
  readonly intervalMs?: number;
  /** Clock in ms (injected for tests). @default performance.now */
  readonly now?: () => number;
}

/** Erase from the cursor to the end of the line: a shorter line leaves no tail of the longer one. */
const CLEAR_TO_END = '\x1b[K';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `42s` → `0:42`, `3725s` → `1:02:05`. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** `37%  ETA 0:04` for a share of the work done after `elapsedMs` (the ETA once something is done). */
function shareAndEta(shown: number, ofThisRun: number, elapsedMs: number): string[] {
  const parts = [`${Math.floor(Math.min(1, shown) * 100)}%`];
  if (ofThisRun > 0 && ofThisRun < 1 && elapsedMs > 0) parts.push(`ETA ${formatEta(((elapsedMs / 1000) * (1 - ofThisRun)) / ofThisRun)}`);
  return parts;
}

/**
 * Requests per second over the last few seconds: a rate over one 200 ms tick reads 0
 * whenever a slow server holds every slot for longer than the tick. Unknown until the
 * window has a second of history.
 */
export class RateWindow {
  readonly #windowMs: number;
  readonly #samples: { at: number; count: number }[] = [];

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  /** Record the running count at `now` and return the rate over the window, or undefined. */
  sample(now: number, count: number): number | undefined {
    const samples = this.#samples;
    samples.push({ at: now, count });
    // Keep one sample at or before the window's start as the baseline.
    while (samples.length > 2 && samples[1]!.at <= now - this.#windowMs) samples.shift();
    const base = samples[0]!;
    const spanMs = now - base.at;
    return spanMs >= 1000 ? ((count - base.count) * 1000) / spanMs : undefined;
  }
}

export class ProgressLine {
  readonly #stream: NodeJS.WritableStream & { columns?: number };
  readonly #totalBytes: number | undefined;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #startMs: number;
  #lastDrawMs = -Infinity;
  #drawn = false;
  #done = false;

  constructor(stream: NodeJS.WritableStream, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#totalBytes = options.totalBytes !== undefined && options.totalBytes > 0 ? options.totalBytes : undefined;
    this.#intervalMs = options.intervalMs ?? 250;
    this.#now = options.now ?? (() => performance.now());
    this.#startMs = this.#now();
  }

  /** Redraws replay's line with these counts unless the last redraw was under the interval ago. */
  update(counts: ProgressCounts): void {
    this.#draw((elapsedMs) => this.format(counts, elapsedMs));
  }

  /** Redraws a reading line (validate, the pre-flight read): `label` and how far through the input. */
  reading(label: string, counts: ReadingCounts): void {
    this.#draw((elapsedMs) => this.formatReading(label, counts, elapsedMs));
  }

  #draw(text: (elapsedMs: number) => string): void {
    if (this.#done) return;
    const now = this.#now();
    if (now - this.#lastDrawMs < this.#intervalMs) return;
    this.#lastDrawMs = now;
    let line = text(now - this.#startMs);
    const columns = this.#stream.columns;
    // A line wider than the terminal wraps, and `\r` would then rewrite only its last row.
    if (columns && line.length >= columns) line = line.slice(0, columns - 1);
    this.#stream.write('\r' + line + CLEAR_TO_END);
    this.#drawn = true;
  }

  /**
   * The text of replay's line (no control characters). Progress is records settled out of
   * the records the input holds, estimated from the bytes read so far: in a paced run the
   * reader waits on the sender, so the share of bytes read would stall and its ETA grow.
   */
  format(counts: ProgressCounts, elapsedMs: number): string {
    const parts = [
      `${integer.format(counts.read)} read`,
      `${integer.format(counts.ok)} delivered`,
      `${integer.format(counts.failed)} failed`,
      `${integer.format(counts.sent)} requests`,
    ];
    if (counts.inFlight) parts.push(`${integer.format(counts.inFlight)} in flight`);
    if (counts.rate !== undefined) parts.push(`${integer.format(counts.rate)} req/s`);
    const total = this.#totalBytes;
    const skipped = counts.skipped ?? 0;
    if (total !== undefined && counts.bytesRead !== undefined && counts.bytesRead > 0 && counts.read + skipped > 0) {
      const expectedRecords = ((counts.read + skipped) * total) / Math.min(counts.bytesRead, total);
      const settled = counts.settled ?? counts.ok + counts.failed;
      const ofThisRun = expectedRecords > skipped ? Math.min(1, settled / (expectedRecords - skipped)) : 1;
      parts.push(...shareAndEta((settled + skipped) / expectedRecords, ofThisRun, elapsedMs));
    }
    return parts.join('  ');
  }

  /** `checking inputs: 12,345 read  37%  ETA 0:04` — the share of the input's bytes read. */
  formatReading(label: string, counts: ReadingCounts, elapsedMs: number): string {
    const parts = [`${label}: ${integer.format(counts.read)} read`];
    if (counts.invalid !== undefined) parts.push(`${integer.format(counts.invalid)} invalid`);
    const total = this.#totalBytes;
    if (total !== undefined && counts.bytesRead > 0) {
      const fraction = Math.min(1, counts.bytesRead / total);
      parts.push(...shareAndEta(fraction, fraction, elapsedMs));
    }
    return parts.join('  ');
  }

  /** Clears the line for a message (the next update draws it again below). */
  clear(): void {
    if (this.#drawn && !this.#done) this.#stream.write('\r' + CLEAR_TO_END);
    this.#drawn = false;
  }

  /** Clears the line so the summary starts on a clean row; later updates are ignored. */
  done(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#drawn) this.#stream.write('\r' + CLEAR_TO_END);
  }
}

/** The size of all inputs, when every one is a file of known size. */
export function totalInputBytes(inputs: readonly { readonly size?: number }[]): number | undefined {
  const sizes = inputs.map((i) => i.size);
  return sizes.every((s): s is number => s !== undefined) ? sizes.reduce((a, b) => a + b, 0) : undefined;
}
