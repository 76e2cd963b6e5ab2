/**
 * The live progress line (SPEC §6): one line, rewritten in place with `\r`, at most about
 * four times a second so that drawing it never costs the sender. The caller decides whether
 * to show it at all (a TTY and not --quiet); this only draws.
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
  /** Current request rate, req/s. */
  readonly rate: number;
  /** Input bytes consumed, for the percentage and ETA (with `totalBytes`). */
  readonly bytesRead?: number;
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

  /** Redraws with these counts unless the last redraw was under the interval ago. */
  update(counts: ProgressCounts): void {
    if (this.#done) return;
    const now = this.#now();
    if (now - this.#lastDrawMs < this.#intervalMs) return;
    this.#lastDrawMs = now;
    let line = this.format(counts, now - this.#startMs);
    const columns = this.#stream.columns;
    // A line wider than the terminal wraps, and `\r` would then rewrite only its last row.
    if (columns && line.length >= columns) line = line.slice(0, columns - 1);
    this.#stream.write('\r' + line + CLEAR_TO_END);
    this.#drawn = true;
  }

  /**
   * The text of the line (no control characters). Progress is records settled out of the
   * records the input holds, estimated from the bytes read so far: in a paced run the
   * reader waits on the sender, so the share of bytes read would stall and its ETA grow.
   */
  format(counts: ProgressCounts, elapsedMs: number): string {
    const parts = [
      `${integer.format(counts.read)} read`,
      `${integer.format(counts.ok)} delivered`,
      `${integer.format(counts.failed)} failed`,
      `${integer.format(counts.sent)} requests`,
      `${integer.format(counts.rate)} req/s`,
    ];
    const total = this.#totalBytes;
    if (total !== undefined && counts.bytesRead !== undefined && counts.bytesRead > 0 && counts.read > 0) {
      const expectedRecords = (counts.read * total) / Math.min(counts.bytesRead, total);
      const settled = counts.settled ?? counts.ok + counts.failed;
      const fraction = Math.min(1, settled / expectedRecords);
      parts.push(`${Math.floor(fraction * 100)}%`);
      if (fraction > 0 && fraction < 1 && elapsedMs > 0) {
        parts.push(`ETA ${formatEta(((elapsedMs / 1000) * (1 - fraction)) / fraction)}`);
      }
    }
    return parts.join('  ');
  }

  /** Clears the line so the summary starts on a clean row; later updates are ignored. */
  done(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#drawn) this.#stream.write('\r' + CLEAR_TO_END);
  }
}
