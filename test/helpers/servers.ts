/**
 * A server that takes requests and never answers them: the far end of a timeout, a grace
 * period or a second Ctrl-C. Tests of those wait for `held` to reach a count (an event),
 * and nothing ends the requests but the client — no race against a slow answer.
 *
 * With `forwardFirst: N` and `to`, the first N requests are passed on to `to` (the real
 * receiver) and answered with its answers; only the later ones are held. A run against it
 * delivers exactly N requests, then hangs with its slots full. `forwardAll()` passes every
 * later request on: a resumed run (same --target) then goes through.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingServer {
  /** `http://127.0.0.1:PORT`: a replay --target. */
  readonly url: string;
  /** Requests taken and left unanswered so far. */
  readonly held: number;
  /** Requests passed on (at most `forwardFirst`). */
  readonly forwarded: number;
  /** From now on pass every request on to `to` (those held stay held). */
  forwardAll(): void;
  /** Drops every connection, held ones too, and stops listening. */
  close(): Promise<void>;
}

export async function startHoldingServer(options: { forwardFirst?: number; to?: string } = {}): Promise<HoldingServer> {
  let forwardFirst = options.forwardFirst ?? 0;
  let held = 0;
  let forwarded = 0;
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = request(`${options.to}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(options.to!).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = createServer((req, res) => {
    if (forwarded < forwardFirst && options.to !== undefined) {
      forwarded++;
      forward(req, res);
      return;
    }
    req.resume();
    held++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get held() {
      return held;
    },
    get forwarded() {
      return forwarded;
    },
    forwardAll: () => {
      forwardFirst = Infinity;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
