import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError, UsageError } from '../src/errors.js';
import { formatFromName, resolveInputs } from '../src/input/sources.js';
import { tempFolder } from './helpers/input.js';

let fixtures: Awaited<ReturnType<typeof tempFolder>>;
before(async () => {
  fixtures = await tempFolder('input-sources');
});
after(async () => {
  await fixtures.remove();
});

describe('formats from file names', () => {
  test('.ndjson, .jsonl and .csv, each optionally .gz, in any case; other names have no format', () => {
    assert.deepEqual(formatFromName('a.ndjson'), { format: 'ndjson', gzip: false });
    assert.deepEqual(formatFromName('dir.x/b.jsonl.gz'), { format: 'ndjson', gzip: true });
    assert.deepEqual(formatFromName('C.CSV'), { format: 'csv', gzip: false });
    assert.deepEqual(formatFromName('d.csv.GZ'), { format: 'csv', gzip: true });
    assert.equal(formatFromName('e.json'), undefined);
    assert.equal(formatFromName('f.gz'), undefined);
    assert.equal(formatFromName('ndjson'), undefined);
  });
});

describe('resolving inputs', () => {
  test('files keep the name the user gave, their format, gzip flag and size, in the order given', async () => {
    const csv = await fixtures.file('one.csv', 'a\n1\n');
    const gz = await fixtures.file('two.ndjson.gz', Buffer.alloc(10));
    const sources = await resolveInputs([gz, csv]);
    assert.deepEqual(sources, [
      { name: gz, path: gz, format: 'ndjson', gzip: true, size: 10 },
      { name: csv, path: csv, format: 'csv', gzip: false, size: 4 },
    ]);
  });

  test('a folder expands to its log files, recursively, sorted by path, other files ignored', async () => {
    const root = path.join(fixtures.dir, 'logs');
    await mkdir(path.join(root, 'b', 'deep'), { recursive: true });
    await mkdir(path.join(root, 'a'), { recursive: true });
    const write = (rel: string): Promise<string> => fixtures.file(path.join('logs', rel), '{}\n');
    for (const rel of ['z.ndjson', 'b/deep/x.csv.gz', 'a/2.jsonl', 'a/10.ndjson', 'README.md', 'a/notes.txt', 'b/y.json', 'm.CSV']) await write(rel);
    await symlink(path.join(root, 'z.ndjson'), path.join(root, 'link.ndjson'));
    await symlink(path.join(root, 'a'), path.join(root, 'looped.ndjson'));
    const sources = await resolveInputs([root]);
    assert.deepEqual(
      sources.map((s) => [path.relative(root, s.name), s.format, s.gzip]),
      [
        ['a/10.ndjson', 'ndjson', false],
        ['a/2.jsonl', 'ndjson', false],
        ['b/deep/x.csv.gz', 'csv', true],
        ['link.ndjson', 'ndjson', false],
        ['m.CSV', 'csv', false],
        ['z.ndjson', 'ndjson', false],
      ],
    );
    assert.ok(sources.every((s) => s.name.startsWith(root) && s.path === s.name && s.size === 3));
  });

  test('a folder with no log file is an error naming it', async () => {
    const empty = path.join(fixtures.dir, 'no-logs');
    await mkdir(empty);
    await fixtures.file('no-logs/readme.txt', 'hello');
    await assert.rejects(resolveInputs([empty]), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.file, empty);
      assert.match(err.message, /no-logs: no log files in this folder \(looked for \.ndjson, \.jsonl or \.csv/);
      return true;
    });
  });

  test('a missing file is a one-line InputError: "<path>: no such file"', async () => {
    const missing = path.join(fixtures.dir, 'samples', 'x.ndjson');
    await assert.rejects(resolveInputs([missing]), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, `${missing}: no such file`);
      assert.equal(err.exitCode, 2);
      return true;
    });
  });

  test('an unknown extension needs --format, which then decides; --format also overrides a known one', async () => {
    const log = await fixtures.file('events.log', '{}\n');
    await assert.rejects(resolveInputs([log]), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.ok(err.message.startsWith(`${log}: `));
      assert.match(err.message, /pass --format ndjson or --format csv/);
      return true;
    });
    assert.deepEqual(await resolveInputs([log], { format: 'ndjson' }), [{ name: log, path: log, format: 'ndjson', gzip: false, size: 3 }]);
    const csvNamed = await fixtures.file('really-ndjson.csv', '{}\n');
    assert.equal((await resolveInputs([csvNamed], { format: 'ndjson' }))[0]!.format, 'ndjson');
    const gz = await fixtures.file('dump.gz', Buffer.alloc(1));
    assert.deepEqual(await resolveInputs([gz], { format: 'csv' }), [{ name: gz, path: gz, format: 'csv', gzip: true, size: 1 }]);
  });

  test('- is stdin and requires --format', async () => {
    await assert.rejects(resolveInputs(['-']), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /stdin.*--format/);
      return true;
    });
    assert.deepEqual(await resolveInputs(['-'], { format: 'csv' }), [{ name: '-', path: '-', format: 'csv', gzip: false }]);
    await assert.rejects(resolveInputs(['-', '-'], { format: 'csv' }), UsageError);
  });

  test('no input at all is a UsageError', async () => {
    await assert.rejects(resolveInputs([]), UsageError);
  });
});
