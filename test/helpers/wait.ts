/**
 * Waiting for an event instead of for a time. A busy machine makes everything slower, so
 * a test never sleeps a fixed time and hopes the thing happened: it waits until it did.
 * The time limit is only a safety net that fails a test which would otherwise hang; it is
 * far longer than any healthy run needs, however loaded the machine.
 */
import type { ReceiverStats } from '../../src/serve/counts.js';

/** How long a healthy test may wait for an event, on the busiest machine we run on. */
export const SAFETY_TIMEOUT_MS = 60_000;

/** How often a condition is looked at: the wait ends within this of the event. */
const POLL_MS = 5;

/**
 * Resolves with the first truthy value of `condition`, checked now and then every few
 * ms; rejects naming `what` when the safety timeout passes first.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, what: string, timeoutMs = SAFETY_TIMEOUT_MS): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Waits until the receiver's counts satisfy `predicate`; resolves with those counts. */
export function waitForStats(receiver: { stats(): ReceiverStats }, predicate: (stats: ReceiverStats) => boolean, what: string): Promise<ReceiverStats> {
  return waitFor(() => {
    const stats = receiver.stats();
    return predicate(stats) ? stats : undefined;
  }, `the receiver to count ${what}`);
}

/**
 * Ctrl-C twice, each on an event: the first once the receiver has counted `first` requests,
 * the second once it counts one more — proof the child ran on after the first, so the
 * second is a signal of its own and not merged with it.
 */
export async function interruptTwice(child: { kill(signal: NodeJS.Signals): boolean }, receiver: { stats(): ReceiverStats }, first: number): Promise<void> {
  const seen = (await waitForStats(receiver, (s) => s.totals.requests >= first, `${first} requests`)).totals.requests;
  child.kill('SIGINT');
  await waitForStats(receiver, (s) => s.totals.requests > seen, 'a request after the first Ctrl-C');
  child.kill('SIGINT');
}
