/**
 * Journal intent: a request's records are journaled as in flight before the request is
 * written to the socket, so that after a hard crash (SIGKILL, power loss) a resumed run
 * knows which records may have arrived without an answer (uncertain) instead of silently
 * sending them again. A tick's requests share one synchronous journal write, which also
 * carries the tick's settles (Checkpoint.sending).
 */
import type { PendingRequest } from '../../apis/api.js';
import type { WireRequest } from '../../apis/encode.js';
import type { Checkpoint } from './checkpoint.js';
import type { Transport, TransportResult } from '../transport/contract.js';

/** The checkpoint cannot be written: the request does not go, and its records stay unsettled for --resume. */
const NOT_SENT: TransportResult = { ok: false, error: 'aborted', message: 'not sent: the checkpoint cannot be written', uncertain: false };

/**
 * `transport`, journaling each request's records as in flight before its first attempt is
 * sent. `firstAttempt` gives the request of a wire request not sent before, else undefined:
 * a retry's records are journaled already (they stay in flight until settled).
 */
export function journalingIntent(transport: Transport, checkpoint: Checkpoint, firstAttempt: (wire: WireRequest) => PendingRequest | undefined): Transport {
  return {
    name: transport.name,
    close: () => transport.close(),
    send: (wire, options) => {
      const request = firstAttempt(wire);
      if (!request) return transport.send(wire, options);
      const journaled = checkpoint.sending(request.endpoint, request.records);
      if (journaled === undefined) return transport.send(wire, options);
      return journaled.then(
        () => transport.send(wire, options),
        () => NOT_SENT,
      );
    },
  };
}
