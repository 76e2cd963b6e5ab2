/**
 * `report-replay serve …` as a child process for a test: started with --port 0, its URL read
 * from its first line, stopped with SIGTERM (which flushes --record) after the test whatever
 * happens.
 */
import { startCli, type Running } from './cli.js';
import type { Ends } from './temp.js';
import { SAFETY_TIMEOUT_MS } from './wait.js';

export interface ServeProcess extends Running {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** SIGTERM, then its exit code once it has closed (--record flushed). */
  stop(): Promise<number | null>;
}

export async function startServe(ends: Ends, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  // A server lives as long as its test, through several CLI runs: its safety net is theirs, several times over.
  const running = startCli(['serve', '--port', '0', ...args], { env, timeoutMs: 3 * SAFETY_TIMEOUT_MS });
  ends.after(() => running.child.kill('SIGKILL'));
  const first = await running.line(/^listening on /);
  const stop = async (): Promise<number | null> => {
    running.child.kill('SIGTERM');
    return (await running.exited).code;
  };
  return { ...running, url: first.slice('listening on '.length), stop };
}
