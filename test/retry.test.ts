import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RetryPolicy } from '../src/apis/api.js';
import { TRANSPORT_POLICY, parseRetryAfter, policyFor, retryDelay, type Backoff } from '../src/replay/delivery/retry.js';
import { parseRetryAfter as sharedParseRetryAfter } from '../src/apis/http.js';

const SUD_POLICY: RetryPolicy = { retries: 3, delayMs: 60_000, backoff: 'fixed' };
const STAT_POLICY: RetryPolicy = { retries: 3, delayMs: 1000, backoff: 'exponential' };

/** A random source that always returns the same draw. */
const always = (x: number) => () => x;
const JUST_BELOW_ONE = 1 - Number.EPSILON;

describe('policyFor', () => {
  it('uses the transport policy for network errors, timeouts, 429 and 5xx', () => {
    assert.deepEqual(policyFor('transport', SUD_POLICY, {}), { retries: 3, delayMs: 250, backoff: 'exponential', maxDelayMs: 30_000 });
  });

  it("uses SUD's own policy for ret_code failures: 3 retries, 60 s apart, fixed", () => {
    const policy = policyFor('api', SUD_POLICY, {});
    assert.deepEqual(policy, { retries: 3, delayMs: 60_000, backoff: 'fixed', maxDelayMs: 60_000 });
    for (const attempt of [1, 2, 3]) assert.equal(retryDelay(attempt, policy, undefined, always(0)), 60_000);
  });

  it('uses an exponential API policy with the default cap', () => {
    assert.deepEqual(policyFor('api', STAT_POLICY, {}), { retries: 3, delayMs: 1000, backoff: 'exponential', maxDelayMs: 30_000 });
  });

  it('lets --retries and --retry-delay override every policy', () => {
    assert.deepEqual(policyFor('transport', SUD_POLICY, { retries: 5, retryDelayMs: 100 }), {
      retries: 5,
      delayMs: 100,
      backoff: 'exponential',
      maxDelayMs: 30_000,
    });
    assert.deepEqual(policyFor('api', SUD_POLICY, { retries: 0 }), { retries: 0, delayMs: 60_000, backoff: 'fixed', maxDelayMs: 60_000 });
    assert.deepEqual(policyFor('api', SUD_POLICY, { retryDelayMs: 2000 }).delayMs, 2000);
  });

  it('raises the cap to a --retry-delay above it instead of cutting it', () => {
    const policy = policyFor('transport', STAT_POLICY, { retryDelayMs: 45_000 });
    assert.equal(policy.maxDelayMs, 45_000);
    assert.equal(retryDelay(1, policy, undefined, always(JUST_BELOW_ONE)), 44_999);
  });

  it('rejects a negative or fractional retry count and a negative delay', () => {
    assert.throws(() => policyFor('transport', STAT_POLICY, { retries: -1 }), /internal/);
    assert.throws(() => policyFor('transport', STAT_POLICY, { retries: 1.5 }), /internal/);
    assert.throws(() => policyFor('api', STAT_POLICY, { retryDelayMs: -10 }), /internal/);
  });

  it('never changes the shared transport policy', () => {
    policyFor('transport', STAT_POLICY, { retries: 9, retryDelayMs: 9 });
    assert.equal(TRANSPORT_POLICY.retries, 3);
    assert.equal(TRANSPORT_POLICY.delayMs, 250);
    assert.ok(Object.isFrozen(TRANSPORT_POLICY));
  });
});

describe('retryDelay', () => {
  const exp: Backoff = { retries: 10, delayMs: 250, backoff: 'exponential', maxDelayMs: 30_000 };

  const ceilings: [attempt: number, ceiling: number][] = [
    [1, 250],
    [2, 500],
    [3, 1000],
    [4, 2000],
    [8, 30_000], // 32 000 capped
    [60, 30_000],
    [5000, 30_000], // 2^4999 is Infinity: still the cap
  ];
  for (const [attempt, ceiling] of ceilings) {
    it(`draws retry ${attempt} in [0, ${ceiling}) with full jitter`, () => {
      assert.equal(retryDelay(attempt, exp, undefined, always(0)), 0);
      assert.equal(retryDelay(attempt, exp, undefined, always(0.5)), ceiling / 2);
      const top = retryDelay(attempt, exp, undefined, always(JUST_BELOW_ONE));
      assert.ok(top < ceiling && top >= ceiling - 1, `${top}`);
    });
  }

  it('spreads delays over the whole jitter range with a real random source', () => {
    const draws = Array.from({ length: 2000 }, () => retryDelay(3, exp, undefined, Math.random));
    assert.ok(draws.every((d) => d >= 0 && d < 1000));
    assert.ok(Math.min(...draws) < 100 && Math.max(...draws) > 900, 'the draws cover the range');
  });

  it('waits at least Retry-After', () => {
    assert.equal(retryDelay(1, exp, 7000, always(0.5)), 7000);
    assert.equal(retryDelay(3, exp, 100, always(0.5)), 500);
  });

  it('caps a Retry-After beyond the cap', () => {
    assert.equal(retryDelay(1, exp, 3_600_000, always(0.5)), 30_000);
  });

  it('keeps a fixed policy fixed unless Retry-After asks for more', () => {
    const fixed: Backoff = { retries: 3, delayMs: 60_000, backoff: 'fixed', maxDelayMs: 60_000 };
    assert.equal(retryDelay(2, fixed, 5000, Math.random), 60_000);
    assert.equal(retryDelay(2, { ...fixed, maxDelayMs: 120_000 }, 90_000, Math.random), 90_000);
  });
});

describe('parseRetryAfter', () => {
  it('is the shared parser of src/apis/http.ts, re-exported for the replay engine', () => {
    assert.equal(parseRetryAfter, sharedParseRetryAfter);
  });
});
