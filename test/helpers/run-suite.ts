/**
 * `npm test`: every dist/test/*.test.js (or the files named on the command line) under
 * `node --test`, two files at a time, then a check that the tests cleaned up after
 * themselves.
 *
 * The run gets a private temporary folder as TMPDIR (os.tmpdir() of every test file and
 * of every CLI they spawn). When the run ends, anything left in it is a test that did not
 * remove its temporary files — a failure, listed by name (test/helpers/temp.ts names them
 * after their test file). A private folder, not a scan of the system one: other runs on
 * the same machine create and remove their own folders there meanwhile.
 *
 * Each file also gets a time limit, a safety net only: a hung file fails the run instead
 * of blocking it forever.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per test file: the slowest (cli-validate, 15 CLI runs) took 77 s alone at load average 11 on 2 cores. */
const FILE_TIMEOUT_MS = 300_000;
const CONCURRENCY = 2;

const testDir = fileURLToPath(new URL('..', import.meta.url));
const named = process.argv.slice(2);
const files = named.length
  ? named
  : readdirSync(testDir)
      .filter((name) => name.endsWith('.test.js'))
      .sort()
      .map((name) => path.join(testDir, name));

const privateTmp = mkdtempSync(path.join(tmpdir(), 'rr-suite-'));
const child = spawn(process.execPath, ['--test', `--test-concurrency=${CONCURRENCY}`, `--test-timeout=${FILE_TIMEOUT_MS}`, ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: privateTmp, TMP: privateTmp, TEMP: privateTmp },
});
// Ctrl-C reaches the test run too (same process group); wait for it to end, then clean up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));

child.on('close', (code, signal) => {
  let exitCode = code ?? 1;
  const left = readdirSync(privateTmp);
  if (left.length > 0) {
    console.error(`\nnpm test: the tests left ${left.length} temporary file${left.length === 1 ? '' : 's'} or folder${left.length === 1 ? '' : 's'} behind: ${left.join(', ')}`);
    console.error('Every test removes what it creates, also when it fails: use tempDir(t, NAME) from test/helpers/temp.ts.');
    exitCode = exitCode || 1;
  }
  rmSync(privateTmp, { recursive: true, force: true });
  if (signal) console.error(`npm test: node --test ended by ${signal}`);
  process.exitCode = exitCode;
});
