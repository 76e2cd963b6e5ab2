/**
 * Every example in every command's --help works as written: each is run in a shell, in a
 * temp folder holding the files the examples name, with `report-replay` on the PATH,
 * against the real receiver on 127.0.0.1, and must end with the exit code it is meant to.
 *
 * What a user fills in with their own is filled in here: `$STAGING` and the local
 * receiver's address point at the test's receiver, `--port 8000` becomes `--port 0` (the
 * machine is shared), long runs are cut short (`--duration`, ten-million `--count`s) and
 * latency thresholds are relaxed (timing goals belong to the benchmarks, not to a loaded
 * test machine). A `serve` example runs until it prints its address, then gets Ctrl-C.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, mapLimit, ROOT, runCli } from './helpers/cli.js';
import { startReceiver } from '../src/serve/receiver.js';
import { stringifyExact } from '../src/json/exact.js';
import { EXAMPLES } from '../src/cli.js';
import { sudRecord } from './helpers/replay.js';

/** The commands' examples ('' is the top level's help). */
const COMMANDS = EXAMPLES;

/** The folder the examples run in: the files they name. */
async function fixtures(dir: string, target: string): Promise<void> {
  const samples = path.join(ROOT, 'samples');
  await symlink(samples, path.join(dir, 'samples'));
  await writeFile(path.join(dir, 'events.csv.gz'), gzipSync(await readFile(path.join(samples, 'csv', 'download.csv'))));
  await writeFile(path.join(dir, 'day.ndjson.gz'), gzipSync(await readFile(path.join(samples, 'ndjson', 'sud.ndjson'))));
  await cp(path.join(samples, 'ndjson'), path.join(dir, 'logs'), { recursive: true });
  await cp(path.join(samples, 'ndjson'), path.join(dir, 'missed'), { recursive: true });
  await cp(path.join(samples, 'ndjson', 'sud.ndjson'), path.join(dir, 'load.ndjson'));
  await cp(path.join(samples, 'ndjson', 'sud.ndjson'), path.join(dir, 'sud.ndjson'));
  await cp(path.join(samples, 'ndjson', 'stat.ndjson'), path.join(dir, 'events.ndjson'));
  // A capture whose reports happened a second apart: at --speed 10 it replays in a fraction of a second.
  await writeFile(path.join(dir, 'captured.ndjson'), [0, 1, 2].map((i) => stringifyExact(sudRecord(i))).join('\n') + '\n');
  const config = { environments: { prod: { target, stat: { secret: 'S', sessionKey: 'K' } } } };
  await writeFile(path.join(dir, 'replay.json'), JSON.stringify(config));
  await mkdir(path.join(dir, 'reports'));
  for (const [i, file] of ['reports/shard-0.json', 'reports/shard-1.json', 'shard-0.json', 'shard-1.json'].entries()) {
    const r = await runCli(['validate', `samples/ndjson/${['stat', 'sud'][i % 2]}.ndjson`, '--report', path.join(dir, file), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  await writeFile(path.join(bin, 'report-replay'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(path.join(bin, 'report-replay'), 0o755);
}

function filledIn(command: string, target: string): string {
  return command
    .replaceAll('http://127.0.0.1:8000', target)
    .replaceAll('--port 8000', '--port 0')
    .replace(/--duration \S+/g, '--duration 1s')
    .replace(/--count \d{7,}/g, '--count 20000')
    .replace(/'p99<\d+'/g, "'p99<60000'");
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one example in a shell. A server is stopped with Ctrl-C once it says where it
 * listens; the shell execs it, so that its own exit code is the one seen.
 */
function runExample(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  const server = / serve /.test(command);
  const line = server ? command.replace(/^((?:\w+=\S+\s+)*)/, '$1exec ') : command;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (server && !interrupted && /^listening on http/m.test(stdout)) {
        interrupted = true;
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('every --help shows its examples one command per line, without [required] or [default: []] noise', async () => {
  const entries = Object.entries(COMMANDS);
  const helps = await mapLimit(entries, 4, ([name]) => runCli([...(name ? [name] : []), '--help'], { env: { COLUMNS: '80' } }));
  for (const [i, [name, examples]] of entries.entries()) {
    assert.ok(examples.length >= 2, `${name} has examples`);
    const help = helps[i]!;
    assert.equal(help.code, 0, help.stderr);
    const lines = help.stdout.split('\n');
    for (const e of examples) assert.ok(lines.includes(`  ${e.command}`), `${name}: "${e.command}" on one line of --help`);
    assert.doesNotMatch(help.stdout, /\[required\]|\[default: \[\]\]/, name);
    assert.match(help.stdout, /Exit codes: 0/);
  }
});

test('every help example works as written and exits as it is meant to', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-help-examples-'));
  const receiver = await startReceiver({ credentials: { statSecret: 'S' }, port: 0 });
  t.after(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });
  await fixtures(dir, receiver.url);
  const env = { ...process.env, NO_COLOR: '1', STAGING: receiver.url, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}` };
  // One command's examples in order (a backfill, then its --resume); the commands side by side.
  await Promise.all(
    Object.entries(COMMANDS).map(async ([name, examples]) => {
      for (const example of examples) {
        const command = filledIn(example.command, receiver.url);
        const r = await runExample(command, dir, env);
        assert.equal(r.code, example.exits ?? 0, `${name}: ${command}\nexit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
        assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, command);
      }
    }),
  );
  assert.ok(receiver.stats().totals.accepted > 0, 'the replay examples reached the receiver');
  assert.equal(receiver.stats().totals.rejected, 0, 'and every request they sent was right');
});
