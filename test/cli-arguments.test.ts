import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mapLimit, runCli } from './helpers/cli.js';
import { closest, editDistance } from '../src/commands/arguments.js';

/** One line (a hint may follow), exit 2, never "internal error" or a stack trace. */
function assertUsageError(r: { code: number | null; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, pattern, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, what);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('  hint:'));
  assert.equal(lines.length, 1, `${what}: one line\n${r.stderr}`);
}

test('bad command lines are usage errors in plain words, with did-you-mean for names close to a real one', async () => {
  const rows: [string[], RegExp][] = [
    [['replay', 'samples/ndjson', '--target'], /^report-replay: --target needs a URL/],
    [['replay', 'samples/ndjson', '--sud-url'], /^report-replay: --sud-url needs a URL/],
    [['validate', 'samples/ndjson', '--report'], /^report-replay: --report needs a file name/],
    [['replay', 'samples/ndjson', '--dry-run', '--concurrency'], /^report-replay: --concurrency needs a number/],
    [['replay', 'samples/ndjson', '--dry-run', '--rate', 'fast'], /^report-replay: --rate needs a number, not "fast"/],
    [['replay', 'samples/ndjson', '--dry-run', '--threshold'], /^report-replay: --threshold needs an expression such as p99<200/],
    [['replay', 'samples/ndjson', '--dry-run', '--timeout'], /^report-replay: --timeout needs a duration/],
    [['serve', '--port'], /^report-replay: --port needs a number/],
    [['generate', '--api', 'stat', '--count'], /^report-replay: --count needs a whole number/],
    [['replay', 'samples/ndjson', '--tagret', 'http://x'], /^report-replay: unknown option --tagret \(did you mean --target\?\)/],
    [['validate', 'samples/ndjson', '--stirct'], /^report-replay: unknown option --stirct \(did you mean --strict\?\)/],
    [['validate', 'samples/ndjson', '--no-such-flag'], /^report-replay: unknown option --no-such-flag$/m],
    [['validate', 'samples/ndjson', '--api', 'stats'], /^report-replay: --api must be one of auto, .*, not "stats" \(did you mean stat\?\)/],
    [['validate', 'samples/ndjson', '--format', 'json'], /^report-replay: --format must be one of ndjson, csv, not "json"/],
    [['validate', 'samples/ndjson', '--strict=maybe'], /^report-replay: --strict is a switch and takes no value, not "maybe"/],
    [['valdiate', 'samples/ndjson'], /^report-replay: unknown command "valdiate" \(did you mean validate\?\)$/m],
    [['frobnicate'], /^report-replay: unknown command "frobnicate" \(commands: validate, replay, serve, generate, merge, demo, rules\)/],
    [['replay'], /^report-replay: replay needs at least one input: a file, a folder, or - for stdin/],
    [['validate'], /^report-replay: validate needs at least one input/],
    [['merge'], /^report-replay: merge needs at least one report file/],
    [['rules', 'extra'], /^report-replay: rules does not take the argument "extra"/],
    [[], /^report-replay: say which command to run/],
  ];
  const results = await mapLimit(rows, 4, ([args]) => runCli(args));
  rows.forEach(([args, pattern], i) => assertUsageError(results[i]!, pattern, args.join(' ') || '(nothing)'));
});

test('a flag given twice takes the last value, as shells and aliases expect', async () => {
  const r = await runCli(['validate', 'samples/bad', '--max-examples', '9', '--max-examples', '1', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { examples: unknown[] }[] };
  assert.ok(report.findings.every((f) => f.examples.length <= 1));
});

test('an input named like a number stays a file name', async () => {
  const r = await runCli(['validate', '2024']);
  assertUsageError(r, /^report-replay: 2024: no such file/, 'validate 2024');
});

test('--config that is missing or invalid stops every command (exit 2, one line): it is never silently ignored', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'rr-config-flag-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'missing.json');
  const invalid = path.join(dir, 'invalid.json');
  await writeFile(invalid, JSON.stringify({ target: 'ftp://x', sesionKey: 'typo' }));
  const commands: string[][] = [
    ['validate', 'samples/ndjson'],
    ['replay', 'samples/ndjson', '--dry-run'],
    ['serve', '--port', '0'],
    ['generate', '--api', 'stat', '--count', '1'],
    ['merge', 'no-report.json'],
    ['demo'],
    ['rules'],
  ];
  const runs = await mapLimit(commands, 4, async (command) => [await runCli([...command, '--config', missing]), await runCli([...command, '--config', invalid])] as const);
  commands.forEach((command, i) => {
    const [withMissing, withInvalid] = runs[i]!;
    assertUsageError(withMissing, /^report-replay: --config .*missing\.json: cannot read it: no such file/, `${command[0]} --config missing`);
    assertUsageError(withInvalid, /^report-replay: .*invalid\.json: 2 problems: .*unknown key "sesionKey"/, `${command[0]} --config invalid`);
  });
  assertUsageError(await runCli(['validate', 'samples/ndjson', '--config']), /^report-replay: --config needs a file name|needs at least one input/, 'validate --config');
});

test('did-you-mean picks a close name and nothing when none is close', () => {
  assert.equal(editDistance('tagret', 'target'), 1, 'a swap is one edit');
  assert.equal(closest('tagret', ['target', 'sud-url', 'timeout']), 'target');
  assert.equal(closest('concurency', ['concurrency', 'config']), 'concurrency');
  assert.equal(closest('xyz', ['target', 'config']), undefined);
});
