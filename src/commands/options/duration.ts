/**
 * Durations as flags are written (`500ms`, `10s`, `1m30s`, a bare number of seconds), read
 * from text. A leaf of its own: the APIs' flags use it too (stat's `--batch-linger`).
 */
import { UsageError } from '../../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/y;
/** A bare number (of seconds, or of a ramp's requests per second). */
export const PLAIN_SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * '10s' | '2m' | '500ms' | '1h' | '1m30s' | a plain number of seconds → milliseconds.
 * Zero is accepted (`--retry-delay 0`); callers that need more than zero check it.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const plain = PLAIN_SECONDS.test(trimmed);
  let ms = plain ? Number(trimmed) * 1000 : 0;
  let at = plain ? trimmed.length : 0;
  while (at < trimmed.length) {
    DURATION_PART.lastIndex = at;
    const part = DURATION_PART.exec(trimmed);
    if (!part) break;
    ms += Number(part[1]) * UNIT_MS[part[2]!]!;
    at = DURATION_PART.lastIndex;
  }
  if (trimmed === '' || at !== trimmed.length) {
    throw new UsageError(
      `"${text}" is not a duration: use a number of seconds, or numbers with units such as 500ms, 30s, 2m, 1h or 1m30s`,
    );
  }
  if (!Number.isFinite(ms)) throw new UsageError(`"${text}" is too long a duration to count in milliseconds`);
  return ms;
}
