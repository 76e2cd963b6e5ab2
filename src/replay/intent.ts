/**
 * Journal intent: a request's records are journaled as in flight before the request is
 * written to the socket, so that after a hard crash (SIGKILL, power loss) a resumed run
 * knows which records may have arrived without an answer (uncertain) instead of silently
 * sending them again. Every request started in one tick shares one synchronous journal
 * write (Checkpoint.sending), which keeps the cost off the per-request path.
 */
import type { PendingRequest } from '../apis/api.js';
import type { WireRequest } from '../apis/encode.js';
import type { Checkpoint } from './checkpoint.js';
import type { Transport, TransportResult } from './transport.js';

/** The checkpoint cannot be written: the request does not go, and its records stay unsettled for --resume. */
const NOT_SENT: TransportResult = { ok: false, error: 'aborted', message: 'not sent: the checkpoint cannot be written' };

/** `transport`, journaling each request's records (found by `requestOf`) as in flight before it is sent. */
export function journalingIntent(transport: Transport, checkpoint: Checkpoint, requestOf: (wire: WireRequest) => PendingRequest | undefined): Transport {
  return {
    name: transport.name,
    close: () => transport.close(),
    send: (wire, options) => {
      const request = requestOf(wire);
      if (!request) return transport.send(wire, options);
      return checkpoint.sending(request.endpoint, request.records).then(
        () => transport.send(wire, options),
        () => NOT_SENT,
      );
    },
  };
}
