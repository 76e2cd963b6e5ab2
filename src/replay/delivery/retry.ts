/**
 * How long to wait before retrying (README § replay, Retries): network errors, timeouts, 429 and 5xx follow
 * the transport policy, exponential with full jitter so that many failed requests do not
 * come back in one wave; an API's own failure signal (SUD `ret_code`) follows that API's
 * policy (SUD: 60 s fixed, from its seed). `Retry-After` is a floor. Pure: the random
 * source and the clock are passed in.
 */
import assert from 'node:assert/strict';
import type { RetryPolicy } from '../../apis/api.js';

export interface Backoff {
  /** Retries after the first attempt; a record fails once they are spent. */
  readonly retries: number;
  /** Base delay: the delay of a fixed policy, the first ceiling of an exponential one. */
  readonly delayMs: number;
  readonly backoff: 'fixed' | 'exponential';
  /** No single wait is longer than this, whatever the growth or the server's Retry-After. */
  readonly maxDelayMs: number;
}

/** Network errors, timeouts, 429, 5xx: 3 retries from 250 ms, doubling, capped at 30 s. */
export const TRANSPORT_POLICY: Backoff = Object.freeze({
  retries: 3,
  delayMs: 250,
  backoff: 'exponential',
  maxDelayMs: 30_000,
});

/** The cap for API policies: never below the policy's own delay (SUD's 60 s must stay 60 s). */
const DEFAULT_CAP_MS = 30_000;

/**
 * The policy for a failure of this kind. `--retries` and `--retry-delay` override the count
 * and base delay of every policy; the cap grows to at least the base delay so an override
 * is never silently cut.
 */
export function policyFor(
  kind: 'transport' | 'api',
  endpointPolicy: RetryPolicy,
  overrides: { retries?: number; retryDelayMs?: number },
): Backoff {
  const base: Backoff =
    kind === 'transport'
      ? TRANSPORT_POLICY
      : {
          retries: endpointPolicy.retries,
          delayMs: endpointPolicy.delayMs,
          backoff: endpointPolicy.backoff,
          maxDelayMs: Math.max(DEFAULT_CAP_MS, endpointPolicy.delayMs),
        };
  const retries = overrides.retries ?? base.retries;
  const delayMs = overrides.retryDelayMs ?? base.delayMs;
  // --retries and --retry-delay are checked by the options schema (commands/replay-options.ts); these are invariants.
  assert.ok(Number.isInteger(retries) && retries >= 0, `internal: retries must be a whole number of at least 0, not ${retries}`);
  assert.ok(Number.isFinite(delayMs) && delayMs >= 0, `internal: a retry delay must be a finite number of ms, 0 or more, not ${delayMs}`);
  return { retries, delayMs, backoff: base.backoff, maxDelayMs: Math.max(base.maxDelayMs, delayMs) };
}

/**
 * Delay before retry number `attempt` (1 = first retry). Exponential: a uniform draw in
 * [0, min(cap, delay·2^(attempt−1))) ("full jitter"). Fixed: the delay itself. Then at least
 * Retry-After when the server gave one, and never more than the cap: a server asking for
 * an hour must not stall a replay for an hour.
 */
export function retryDelay(attempt: number, policy: Backoff, retryAfterMs: number | undefined, random: () => number): number {
  let delay: number;
  if (policy.backoff === 'fixed') {
    delay = policy.delayMs;
  } else {
    // 2^(attempt−1) overflows to Infinity long before it matters; min() with the cap handles it.
    const ceiling = Math.min(policy.maxDelayMs, policy.delayMs * 2 ** Math.max(0, attempt - 1));
    delay = Math.floor(random() * ceiling);
  }
  if (retryAfterMs !== undefined && retryAfterMs > delay) delay = retryAfterMs;
  return Math.min(delay, policy.maxDelayMs);
}

/** Shared with the API modules' response judgement; re-exported here for the engine's callers. */
export { parseRetryAfter } from '../../apis/http.js';
