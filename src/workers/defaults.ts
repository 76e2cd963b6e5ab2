/**
 * How many worker threads a command starts when `--workers` is not given (README "validate",
 * "Worker threads"). One place for both rules, each with the measurement behind it.
 */
import { availableParallelism } from 'node:os';

/** validate: every core but one (the main thread judges its share too), at least one. */
export function defaultValidateWorkers(cores: number = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/**
 * replay's threads feed one sending thread. Preparing a record (read, parse, judge, build,
 * sign) takes ~4 µs for a stat envelope and ~20 µs for a SUD report, sending one ~18 µs of the
 * main thread (docs/BENCHMARKS.md "throughput", "validate"): two threads keep the sender fed
 * even on SUD reports, a third never makes a run send faster, and each costs ~60 MB ("rss").
 */
const MAX_REPLAY_WORKERS = 2;

/**
 * replay: every core but the sending thread's, at most two; one fewer when a target is on
 * this machine (loopback), since the server then needs a core of its own — on 2 cores, a
 * worker thread took 7–19% off the rate of a replay to a local server (docs/BENCHMARKS.md
 * "scaling"). `targets`: the URLs the run sends to (none for a dry run).
 */
export function defaultReplayWorkers(targets: readonly string[], cores: number = availableParallelism()): number {
  const local = targets.some(isOnThisMachine) ? 1 : 0;
  return Math.max(0, Math.min(MAX_REPLAY_WORKERS, cores - 1 - local));
}

/** True for a URL whose host is this machine: localhost, 127.0.0.0/8, ::1 (an unparsable URL: false; the pre-flight refuses it). */
export function isOnThisMachine(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || host === '0.0.0.0' || host === '[::]';
}
