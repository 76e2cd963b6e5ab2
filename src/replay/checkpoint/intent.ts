/**
 * Journal intent: a request's records are journaled as in flight before the request is
 * written to the socket, so that after a hard crash (SIGKILL, power loss) a resumed run
 * knows which records may have arrived without an answer (uncertain) instead of silently
 * sending them again (README, "Backfills").
 *
 * The dispatcher holds the first attempts it starts during a turn of the event loop and,
 * at the end of the turn, hands them here all at once: one synchronous append journals them
 * (with the turn's settles), and only then do they go to the transport. Flat out, one
 * answer frees one slot at a time, so a write per request would cost as much as a quarter
 * of the client's time (docs/BENCHMARKS.md, "--checkpoint: journal intent").
 */
import type { Checkpoint } from './checkpoint.js';
import type { Delivery } from '../delivery/dispatcher.js';

/**
 * The dispatcher's `journal`: journals every request's records as in flight in one write.
 * False when the checkpoint cannot be written: then none of them may go.
 */
export function journalIntent(checkpoint: Checkpoint): (deliveries: readonly Delivery[]) => boolean {
  return (deliveries) => {
    for (const { request } of deliveries) checkpoint.inFlight(request.endpoint, request.records);
    if (checkpoint.writeNow()) return true;
    // Not sent: the snapshot written on close must not call them uncertain.
    for (const { request } of deliveries) checkpoint.notSent(request.records);
    return false;
  };
}
