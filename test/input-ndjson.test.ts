import assert from 'node:assert/strict';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError } from '../src/errors.js';
import { readRecords } from '../src/input/read.js';
import { drain, fileSource, stdinSource, summary, tempFolder } from './helpers/input.js';
import { Prng } from '../src/prng.js';

let fixtures: Awaited<ReturnType<typeof tempFolder>>;
before(async () => {
  fixtures = await tempFolder('input-ndjson');
});
after(async () => {
  await fixtures.remove();
});

describe('NDJSON lines and line numbers', () => {
  test('blank and whitespace-only lines are skipped but counted, CRLF and LF both end lines, a BOM is skipped', async () => {
    const file = await fixtures.file('mixed.ndjson', '\uFEFF{"a":1}\r\n\n   \r\n{"a":2}\n\t\n{"a":3}\r\n{"a":4}');
    const { records, error } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(error, undefined);
    assert.deepEqual(summary(records), [
      { line: 1, value: { a: 1 } },
      { line: 4, value: { a: 2 } },
      { line: 6, value: { a: 3 } },
      { line: 7, value: { a: 4 } },
    ]);
    assert.ok(records.every((r) => r.origin.file === file && r.origin.input === 0 && r.format === 'ndjson'));
  });

  test('lines and multi-byte characters cut across chunks are joined back exactly', async () => {
    const text = '{"name":"中文名字","n":1}\n{"name":"ümlaut 🎮","n":2}\r\n\n{"n":3}\n';
    const bytes = Buffer.from(text);
    // Cut at every byte position in turn, so every boundary case (inside a character, between \r and \n) occurs.
    for (let cut = 1; cut < bytes.length; cut++) {
      const { source, stdin } = stdinSource('ndjson', [bytes.subarray(0, cut), bytes.subarray(cut)]);
      const { records } = await drain([source], { stdin });
      assert.deepEqual(summary(records), [
        { line: 1, value: { name: '中文名字', n: 1 } },
        { line: 2, value: { name: 'ümlaut 🎮', n: 2 } },
        { line: 4, value: { n: 3 } },
      ], `cut at byte ${cut}`);
    }
  });

  test('the seed mg_id 1461227817776713818 stays exact as a bigint', async () => {
    const file = await fixtures.file('sud.ndjson', '{"report_type":"game_start","report_msg":{"mg_id":1461227817776713818,"mg_id_str":"1461227817776713818"}}\n');
    const { records } = await drain([fileSource(file, 'ndjson')]);
    const msg = records[0]!.value!.report_msg as Record<string, unknown>;
    assert.equal(typeof msg.mg_id, 'bigint');
    assert.equal(String(msg.mg_id), '1461227817776713818');
    assert.equal(msg.mg_id_str, '1461227817776713818');
  });
});

describe('NDJSON invalid records', () => {
  test('a line that is not JSON is a json.syntax record with JSON.parse message and the line text', async () => {
    const bad = '{"aid": 2002, "uid": }';
    const file = await fixtures.file('syntax.ndjson', `{"a":1}\n${bad}\n{"a":2}\n`);
    const { records, error } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(error, undefined);
    assert.deepEqual(summary(records), [{ line: 1, value: { a: 1 } }, { line: 2, rule: 'json.syntax' }, { line: 3, value: { a: 2 } }]);
    let expected = '';
    try {
      JSON.parse(bad);
    } catch (err) {
      expected = (err as Error).message;
    }
    assert.equal(records[1]!.error!.message, expected);
    assert.equal(records[1]!.text, bad);
    assert.equal(records[1]!.value, undefined);
  });

  test('JSON that is not an object is json.not_object, naming what it is', async () => {
    const file = await fixtures.file('kinds.ndjson', '[1,2]\n"text"\n42\nnull\ntrue\n');
    const { records } = await drain([fileSource(file, 'ndjson')]);
    assert.deepEqual(records.map((r) => [r.origin.line, r.error?.rule, r.error?.message, r.text]), [
      [1, 'json.not_object', 'expected a JSON object, got an array', '[1,2]'],
      [2, 'json.not_object', 'expected a JSON object, got a string', '"text"'],
      [3, 'json.not_object', 'expected a JSON object, got a number', '42'],
      [4, 'json.not_object', 'expected a JSON object, got null', 'null'],
      [5, 'json.not_object', 'expected a JSON object, got true', 'true'],
    ]);
  });

  test('the kept text of a bad line is cut to 1000 characters', async () => {
    const file = await fixtures.file('long-bad.ndjson', `{"x":"${'y'.repeat(5000)}"\n`);
    const { records } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(records[0]!.error!.rule, 'json.syntax');
    assert.equal(records[0]!.text!.length, 1000);
  });

  test('invalid UTF-8 makes an input.encoding record; a real U+FFFD character is ordinary text', async () => {
    const content = Buffer.concat([
      Buffer.from('{"ok":"\uFFFD is legal"}\n{"bad":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}\n{"after":1}\n'),
    ]);
    const file = await fixtures.file('utf8.ndjson', content);
    const { records } = await drain([fileSource(file, 'ndjson')]);
    assert.deepEqual(summary(records), [
      { line: 1, value: { ok: '\uFFFD is legal' } },
      { line: 2, rule: 'input.encoding' },
      { line: 3, value: { after: 1 } },
    ]);
    // The same bytes arriving in a line that spans two chunks take the other path: same result.
    const { source, stdin } = stdinSource('ndjson', [content.subarray(0, 30), content.subarray(30)]);
    assert.deepEqual(summary((await drain([source], { stdin })).records), summary(records));
  });

  test('binary garbage gives per-line errors and ends, never a crash or a hang', async () => {
    const prng = new Prng(7);
    const garbage = Buffer.alloc(300_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = prng.uint32() >>> 24;
    const file = await fixtures.file('garbage.ndjson', garbage);
    const { records, error } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(error, undefined);
    assert.ok(records.length > 100, `${records.length} records`);
    assert.ok(records.every((r) => r.error !== undefined && ['input.encoding', 'json.syntax', 'json.not_object'].includes(r.error.rule)));
    const lines = records.map((r) => r.origin.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
  });
});

describe('NDJSON long lines', () => {
  test('a 5 MB line is read like any other', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    const file = await fixtures.file('big-line.ndjson', `{"n":1}\n{"big":"${big}"}\n{"n":3}\n`);
    const { records } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(records.length, 3);
    assert.equal((records[1]!.value!.big as string).length, big.length);
    assert.deepEqual(records[2]!.value, { n: 3 });
    assert.equal(records[2]!.origin.line, 3);
  });

  test('a line over maxLineBytes is input.line_too_long and the lines after it still read, within a chunk and across chunks', async () => {
    const long = `{"pad":"${'z'.repeat(300)}"}`;
    const text = `{"n":1}\n${long}\n{"n":3}\n`;
    const expected = [{ line: 1, value: { n: 1 } }, { line: 2, rule: 'input.line_too_long' }, { line: 3, value: { n: 3 } }];
    const file = await fixtures.file('too-long.ndjson', text);
    const whole = await drain([fileSource(file, 'ndjson')], { maxLineBytes: 100 });
    assert.deepEqual(summary(whole.records), expected);
    assert.match(whole.records[1]!.error!.message, /longer than 100 bytes/);
    assert.equal(whole.records[1]!.text, long.slice(0, 1000));
    // Fed in 7-byte chunks, the long line is discarded piece by piece instead of kept.
    const pieces = [];
    for (let at = 0; at < text.length; at += 7) pieces.push(text.slice(at, at + 7));
    const { source, stdin } = stdinSource('ndjson', pieces);
    assert.deepEqual(summary((await drain([source], { stdin, maxLineBytes: 100 })).records), expected);
  });
});

describe('NDJSON sources', () => {
  test('several inputs are read in order, each record naming its file and input index', async () => {
    const a = await fixtures.file('order-a.ndjson', '{"f":"a1"}\n{"f":"a2"}\n');
    const b = await fixtures.file('order-b.jsonl', '{"f":"b1"}\n');
    const { records } = await drain([fileSource(a, 'ndjson'), fileSource(b, 'ndjson')]);
    assert.deepEqual(records.map((r) => [r.origin.file, r.origin.input, r.origin.line, r.value!.f]), [
      [a, 0, 1, 'a1'],
      [a, 0, 2, 'a2'],
      [b, 1, 1, 'b1'],
    ]);
  });

  test('stdin is read from the injected stream', async () => {
    const { source, stdin } = stdinSource('ndjson', ['{"from":"stdin"}\n', '\n{"n":', '2}\n']);
    const { records } = await drain([source], { stdin });
    assert.deepEqual(summary(records), [{ line: 1, value: { from: 'stdin' } }, { line: 3, value: { n: 2 } }]);
    assert.equal(records[0]!.origin.file, '-');
  });

  test('a .gz file reads like the plain file, and progress counts the compressed bytes', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, uid: `u${i}` })).join('\n');
    const plain = await fixtures.file('plain.ndjson', text);
    const compressed = gzipSync(text);
    const gz = await fixtures.file('plain.ndjson.gz', compressed);
    const progress = { bytesRead: 0 };
    const fromGz = await drain([fileSource(gz, 'ndjson', true)], { progress });
    assert.equal(fromGz.error, undefined);
    assert.equal(progress.bytesRead, compressed.length);
    const plainProgress = { bytesRead: 0 };
    const fromPlain = await drain([fileSource(plain, 'ndjson')], { progress: plainProgress });
    assert.equal(plainProgress.bytesRead, Buffer.byteLength(text));
    assert.equal(fromGz.records.length, 5000);
    assert.deepEqual(summary(fromGz.records), summary(fromPlain.records));
  });

  test('a truncated .gz throws an InputError naming the file, after yielding the records read before', async () => {
    const text = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(20 + (i % 50)) })).join('\n');
    const compressed = gzipSync(text);
    const gz = await fixtures.file('cut.ndjson.gz', compressed.subarray(0, Math.floor(compressed.length * 0.6)));
    const { records, error } = await drain([fileSource(gz, 'ndjson', true)]);
    assert.ok(error instanceof InputError);
    assert.equal(error.file, gz);
    assert.match(error.message, /^.*cut\.ndjson\.gz: truncated or corrupt gzip data \(.+\)$/);
    assert.ok(records.length > 1000 && records.length < 20000, `${records.length} records before the error`);
    assert.ok(records.every((r, i) => r.value?.i === i), 'the records read are whole and in order');
  });

  test('content that is not gzip in a .gz file is an InputError, not garbage records', async () => {
    const gz = await fixtures.file('fake.ndjson.gz', '{"a":1}\n');
    const { records, error } = await drain([fileSource(gz, 'ndjson', true)]);
    assert.equal(records.length, 0);
    assert.ok(error instanceof InputError);
    assert.match(error.message, /fake\.ndjson\.gz: truncated or corrupt gzip data/);
  });

  test('a file that vanished before reading is an InputError saying so', async () => {
    const file = await fixtures.file('vanished.ndjson', '{"a":1}\n');
    await unlink(file);
    const { error } = await drain([fileSource(file, 'ndjson')]);
    assert.ok(error instanceof InputError);
    assert.equal(error.message, `${file}: no such file`);
  });

  test('skipThrough skips the lines already settled, per input, keeping line numbers', async () => {
    const a = await fixtures.file('resume-a.ndjson', '{"n":1}\n{"n":2}\n\n{"n":4}\n');
    const b = await fixtures.file('resume-b.ndjson', '{"n":1}\n{"n":2}\n');
    const { records } = await drain([fileSource(a, 'ndjson'), fileSource(b, 'ndjson')], { skipThrough: (input) => (input === 0 ? 2 : 0) });
    assert.deepEqual(records.map((r) => [r.origin.input, r.origin.line]), [
      [0, 4],
      [1, 1],
      [1, 2],
    ]);
  });

  test('records come in batches of at most 256, not one at a time', async () => {
    const text = Array.from({ length: 20000 }, (_, i) => JSON.stringify({ i })).join('\n');
    const file = await fixtures.file('batches.ndjson', text);
    const { batches, records } = await drain([fileSource(file, 'ndjson')]);
    assert.equal(records.length, 20000);
    assert.ok(batches.length >= 20000 / 256 && batches.length < 200, `${batches.length} batches`);
    assert.ok(batches.every((b) => b.length > 0 && b.length <= 256));
  });

  test('memory stays flat while reading a file much larger than the bound', async () => {
    const line = `${JSON.stringify({ aid: 2002, uid: 'u12345', app_id: 1001, game_id: 7, game_v: '1.2.3', pad: 'q'.repeat(150) })}\n`;
    const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / line.length)));
    const blocks = 96; // ~96 MB, written block by block so the test itself never holds it
    const file = path.join(fixtures.dir, 'large.ndjson');
    const handle = await open(file, 'w');
    for (let i = 0; i < blocks; i++) await handle.write(block);
    await handle.close();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    try {
      for await (const batch of readRecords([fileSource(file, 'ndjson')])) {
        count += batch.length;
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    } finally {
      await unlink(file);
    }
    assert.equal(count, (blocks * block.length) / line.length);
    assert.ok(peak < 48 * 1024 * 1024, `heap grew by ${Math.round(peak / 1048576)} MB while reading ${blocks} MB`);
  });
});
