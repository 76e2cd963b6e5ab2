/**
 * The child processes of a process (Linux /proc), for tests that kill one shard of
 * `replay --processes N` and not the others.
 */
import { readFileSync } from 'node:fs';

/** The pids of `pid`'s children now (empty when it has none, or on a system without /proc). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
