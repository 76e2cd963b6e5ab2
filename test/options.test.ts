import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { exitCodeOf } from '../src/commands/exit-code.js';
import { checkReplayFlags } from '../src/commands/replay-options.js';
import { RunState } from '../src/replay/signals.js';
import { runCli } from './helpers/cli.js';

/** One line (a hint may follow), exit 2, never "internal error" or a stack trace. */
function assertUsageError(r: { code: number | null; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('  hint:'));
  assert.equal(lines.length, 1, `${what}: one line\n${r.stderr}`);
}

describe('exitCodeOf', () => {
  const rows: [string, Parameters<typeof exitCodeOf>[0], number][] = [
    ['all delivered', { invalid: 0, failed: 0 }, 0],
    ['an invalid record', { invalid: 1, failed: 0 }, 1],
    ['an undelivered record', { invalid: 0, failed: 1 }, 1],
    ['a breached threshold', { invalid: 0, failed: 0, thresholds: [{ ok: true }, { ok: false }] }, 1],
    ['thresholds that hold', { invalid: 0, failed: 0, thresholds: [{ ok: true }] }, 0],
    ['validate that read nothing', { invalid: 0, failed: 0, failedOtherwise: true }, 1],
    ['Ctrl-C, whatever failed', { interrupted: true, invalid: 3, failed: 2 }, 130],
    ['stopped by an error, even when interrupted', { stoppedBy: 2, interrupted: true, invalid: 0, failed: 0 }, 2],
  ];
  for (const [name, outcome, code] of rows) it(`${name}: ${code}`, () => assert.equal(exitCodeOf(outcome), code));
});

describe('replay flags', () => {
  const typed = { inputs: ['x.ndjson'] };

  it('fills every default and converts durations, ramps, shards and thresholds', () => {
    const flags = checkReplayFlags({ ...typed, ramp: '0:100:30s', shard: 'auto/4', threshold: ['p99<200'], retryDelay: '1s' }, { JOB_COMPLETION_INDEX: '3' });
    assert.equal(flags.concurrency, 64);
    assert.equal(flags.timeout, 10_000);
    assert.equal(flags.grace, 5000);
    assert.equal(flags.retryDelay, 1000);
    assert.deepEqual(flags.ramp, { from: 0, to: 100, durationMs: 30_000 });
    assert.deepEqual(flags.shard, { index: 3, count: 4 });
    assert.equal(flags.threshold[0]!.metric, 'p99');
  });

  it('names every problem at once, combinations included, without reporting a flag that was given as missing', () => {
    assert.throws(
      () => checkReplayFlags({ ...typed, loop: true, duration: 'soon', rate: 0, ramp: '1:2:3s', printRequests: true, maxExamples: -1 }, {}),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /^5 problems: /);
        for (const part of [/--max-examples must be a whole number ≥ 0, not -1/, /--rate must be more than 0, not 0/, /--duration: "soon" is not a duration/, /--rate and --ramp cannot be used together/, /--print-requests goes with --dry-run/]) {
          assert.match(err.message, part);
        }
        assert.doesNotMatch(err.message, /--loop needs --duration/);
        return true;
      },
    );
  });

  it('keeps the sentence and hint of a single problem', () => {
    assert.throws(
      () => checkReplayFlags({ ...typed, target: 'not a url' }, {}),
      (err: unknown) => err instanceof UsageError && err.message === '--target not a url is not a URL' && err.hint === 'for example --target http://127.0.0.1:8000',
    );
  });
});

describe('RunState', () => {
  it('reads, then drains, then aborts; the first reason wins, but any reason replaces the schedule ending', () => {
    const state = new RunState();
    assert.equal(state.phase, 'reading');
    assert.equal(state.stop('schedule over'), true);
    assert.equal(state.phase, 'draining');
    assert.equal(state.stop('interrupted'), true, 'a Ctrl-C after the schedule ended is an interruption');
    assert.equal(state.stop('write failed'), false);
    assert.equal(state.reason, 'interrupted');
    state.abort();
    assert.equal(state.phase, 'aborting');
  });

  it('wakes a pending wait when stopped, and answers at once once stopped', async () => {
    const state = new RunState();
    const never = new Promise<never>(() => {});
    const waiting = state.untilStopped(never);
    state.stop('duration');
    assert.equal(typeof (await waiting), 'symbol');
    assert.equal(typeof (await state.untilStopped(never)), 'symbol');
  });

  it('what is queued still goes until the run stops for a reason other than its schedule, or aborts; each change is told', () => {
    const state = new RunState();
    const told: string[] = [];
    state.onChange(() => told.push(`${state.phase}${state.sendsQueued ? '+queued' : ''}${state.aborting ? '!' : ''}`));
    state.stop('schedule over');
    assert.equal(state.sendsQueued, true, 'a paced run whose schedule is over still sends what it queued');
    state.stop('interrupted');
    state.stop('duration');
    state.abort();
    state.abort();
    assert.deepEqual(told, ['draining+queued', 'draining', 'aborting!']);
  });

  it('a run that read its inputs to the end drains without a reason', () => {
    const state = new RunState();
    state.finishReading();
    assert.equal(state.phase, 'draining');
    assert.equal(state.reason, undefined);
  });
});

it('a replay with several bad flags names every one of them in one message (exit 2), before opening anything', async () => {
  const r = await runCli([
    'replay', 'no-such-input.ndjson', '--rate', '-5', '--timeout', 'soon', '--concurrency', '0',
    '--threshold', 'p98<200', '--shard', '4/2', '--unique', '--target', 'ftp://example.test',
    // Checked by the retry policy, the original pace and the process runner before they were checked here.
    '--retries', '1.5', '--retry-delay', '9'.repeat(400), '--speed', 'Infinity', '--processes', '300',
  ]);
  assertUsageError(r, /^report-replay: 12 problems: /, 'several bad flags');
  const line = r.stderr.split('\n')[0]!;
  for (const problem of [
    /--target must be an http:\/\/ or https:\/\/ URL/,
    /--rate must be more than 0, not -5/,
    /--concurrency must be a whole number ≥ 1, not 0/,
    /--shard 4\/2: K must be from 0 to N−1/,
    /--threshold "p98<200": unknown metric "p98"/,
    /--timeout: "soon" is not a duration/,
    /--unique rewrites duplicate keys per loop: it goes with --loop/,
    /--retries must be a whole number ≥ 0, not 1.5/,
    /--retry-delay: "9+" is too long a duration/,
    /--speed must be a finite number, not Infinity/,
    /--processes must be a whole number from 1 to 256, not 300/,
    /--processes N runs shards 0 to N−1 itself: drop --shard/,
  ]) {
    assert.match(line, problem);
  }
  assert.match(r.stderr, /hint: see report-replay replay --help/);
  assert.doesNotMatch(r.stderr, /no-such-input/, 'the flags are checked before the inputs are looked for');
});

it('--processes combinations are flag problems too, reported with the others', async () => {
  const r = await runCli(['replay', 'samples/ndjson', '--processes', '2', '--shard', '0/2', '--print-requests', '--rate', 'Infinity']);
  assertUsageError(r, /^report-replay: 4 problems: /, '--processes with --shard and --print-requests');
  const line = r.stderr.split('\n')[0]!;
  assert.match(line, /--processes N runs shards 0 to N−1 itself: drop --shard/);
  assert.match(line, /--processes with --print-requests would interleave/);
  assert.match(line, /--print-requests goes with --dry-run/);
  assert.match(line, /--rate must be a finite number of requests per second, not Infinity/);
});

it('one bad flag reads as it always has: its own sentence and hint', async () => {
  const r = await runCli(['replay', 'samples/ndjson', '--dry-run', '--loop']);
  assertUsageError(r, /^report-replay: --loop needs --duration, or it would never end$/m, '--loop alone');
  assert.match(r.stderr, /hint: for example --loop --duration 5m/);
});
