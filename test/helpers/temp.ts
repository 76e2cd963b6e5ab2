/**
 * Temporary folders for tests, the one place they are made. Each is fresh, named
 * `rr-test-NAME-…` after the test file that made it, and removed when its test (or file)
 * ends, passed or failed. `npm test` runs the suite with TMPDIR pointing at a private
 * folder and fails when anything is left in it (test/helpers/run-suite.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What removes the folder: a test's context (`t`), or node:test's `{ after }` for a whole file. */
export interface Ends {
  after(fn: () => void): void;
}

function prefix(name: string): string {
  return path.join(tmpdir(), `rr-test-${name}-`);
}

/** A fresh folder, removed after the test or file `ends` belongs to, whatever its outcome. */
export function tempDir(ends: Ends, name: string): string {
  const dir = mkdtempSync(prefix(name));
  ends.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh folder the caller removes with `remove()` (in a `finally`). */
export async function makeTempDir(name: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(prefix(name));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
