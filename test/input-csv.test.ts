import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { InputError, UsageError } from '../src/errors.js';
import { drain, fileSource, stdinSource, summary, tempFolder } from './helpers/input.js';

let fixtures: Awaited<ReturnType<typeof tempFolder>>;
before(async () => {
  fixtures = await tempFolder('input-csv');
});
after(async () => {
  await fixtures.remove();
});

async function readCsvText(name: string, text: string | Buffer, options: Parameters<typeof drain>[1] = {}): Promise<Awaited<ReturnType<typeof drain>>> {
  const file = await fixtures.file(name, text);
  return drain([fileSource(file, 'csv')], options);
}

describe('CSV header and values', () => {
  test('header names are field names, dotted names nest, and every cell stays a string', async () => {
    const text = [
      'report_type,report_msg.mg_id,report_msg.mg_id_str,report_msg.room.id,uid,players',
      'game_start,1461227817776713818,1461227817776713818,r1,u1,"[{""uid"":""u1"",""is_ai"":0}]"',
      'game_start,42,,r2,u2,[]',
    ].join('\n');
    const { records, error } = await readCsvText('nested.csv', text);
    assert.equal(error, undefined);
    assert.deepEqual(summary(records), [
      {
        line: 2,
        value: {
          report_type: 'game_start',
          report_msg: { mg_id: '1461227817776713818', mg_id_str: '1461227817776713818', room: { id: 'r1' } },
          uid: 'u1',
          players: '[{"uid":"u1","is_ai":0}]',
        },
      },
      { line: 3, value: { report_type: 'game_start', report_msg: { mg_id: '42', mg_id_str: '', room: { id: 'r2' } }, uid: 'u2', players: '[]' } },
    ]);
    assert.ok(records.every((r) => r.format === 'csv' && r.origin.file.endsWith('nested.csv')));
  });

  test('quoted cells hold commas, quotes and newlines, and a record is numbered by the line its row starts on', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = ['a,b,c', '1,"x, y","say ""hi"""', `2,"first${eol}second${eol}third",z`, '3,"",last', '4,"""quoted""",'].join(eol);
      const { records, error } = await readCsvText('quoted.csv', text);
      assert.equal(error, undefined);
      assert.deepEqual(summary(records), [
        { line: 2, value: { a: '1', b: 'x, y', c: 'say "hi"' } },
        { line: 3, value: { a: '2', b: `first${eol}second${eol}third`, c: 'z' } },
        { line: 6, value: { a: '3', b: '', c: 'last' } },
        { line: 7, value: { a: '4', b: '"quoted"', c: '' } },
      ], `line ends ${JSON.stringify(eol)}`);
    }
  });

  test('blank and whitespace-only lines are skipped but counted, a BOM is skipped, CRLF and LF mix', async () => {
    const { records } = await readCsvText('blanks.csv', '\uFEFFaid,uid\r\n\r\n2002,u1\n   \n\n2003,"multi\r\nline"\r\n2011,u3');
    assert.deepEqual(summary(records), [
      { line: 3, value: { aid: '2002', uid: 'u1' } },
      { line: 6, value: { aid: '2003', uid: 'multi\r\nline' } },
      { line: 8, value: { aid: '2011', uid: 'u3' } },
    ]);
  });

  test('--delimiter sets the cell separator', async () => {
    const { records } = await readCsvText('semi.csv', 'aid;uid;note\n2002;u1;a,b\n2003;u2;"c;d"\n', { delimiter: ';' });
    assert.deepEqual(summary(records), [
      { line: 2, value: { aid: '2002', uid: 'u1', note: 'a,b' } },
      { line: 3, value: { aid: '2003', uid: 'u2', note: 'c;d' } },
    ]);
  });

  test('an empty file and a header-only file give no records', async () => {
    assert.deepEqual(await readCsvText('empty.csv', ''), { batches: [], records: [] });
    assert.deepEqual(await readCsvText('header-only.csv', 'aid,uid\r\n'), { batches: [], records: [] });
  });

  test('rows cut across chunks anywhere, inside quoted cells, CRLF and multi-byte characters, read the same', async () => {
    const text = 'name,note\r\n"中文",plain\r\n"line one\r\nline two","with ""quote"""\r\n\r\nlast,ü\r\n';
    const expected = [
      { line: 2, value: { name: '中文', note: 'plain' } },
      { line: 3, value: { name: 'line one\r\nline two', note: 'with "quote"' } },
      { line: 6, value: { name: 'last', note: 'ü' } },
    ];
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const { source, stdin } = stdinSource('csv', [bytes.subarray(0, cut), bytes.subarray(cut)]);
      const { records, error } = await drain([source], { stdin });
      assert.equal(error, undefined);
      assert.deepEqual(summary(records), expected, `cut at byte ${cut}`);
    }
  });
});

describe('CSV bad rows and bad files', () => {
  test('a ragged row is a csv.row record saying the counts, and reading goes on', async () => {
    const { records, error } = await readCsvText('ragged.csv', 'a,b,c,d,e,f,g\n1,2,3,4,5,6,7\n1,2,3,4,5\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7\n');
    assert.equal(error, undefined);
    assert.deepEqual(summary(records).map((r) => [r.line, r.rule ?? 'ok']), [
      [2, 'ok'],
      [3, 'csv.row'],
      [4, 'csv.row'],
      [5, 'ok'],
    ]);
    assert.equal(records[1]!.error!.message, 'row has 5 cells, the header has 7');
    assert.equal(records[2]!.error!.message, 'row has 8 cells, the header has 7');
    assert.equal(records[1]!.text, '1,2,3,4,5');
  });

  test('issue 13 #17: an unclosed quote is an invalid record (csv.row) at the line its row starts on, after the rows before it', async () => {
    const { records, error } = await readCsvText('open-quote.csv', 'a,b\n1,2\n\n3,"never closed\n4,5\n6,7\n');
    assert.equal(error, undefined);
    assert.deepEqual(summary(records), [{ line: 2, value: { a: '1', b: '2' } }, { line: 4, rule: 'csv.row' }]);
    assert.equal(records[1]!.error!.message, 'a quoted cell in this row is never closed: the rest of the input is inside it');
    assert.equal(records[1]!.text, '3,"never closed\n4,5\n6,7\n');
  });

  test('issue 15 #8: a dotted header column nesting deeper than 64 levels is a header problem, not a 10,000-deep record', async () => {
    const deep = Array.from({ length: 10_000 }, (_, i) => `p${i}`).join('.');
    const { records, error } = await readCsvText('deep-header.csv', `a,${deep}\n1,2\n`);
    assert.deepEqual(records, []);
    assert.ok(error instanceof InputError);
    assert.match(error.message, /deep-header\.csv: line 1: the header column "p0\.p1\..*…" nests deeper than 64 levels$/);
    const ok = await readCsvText('ok-header.csv', `a,${Array.from({ length: 64 }, (_, i) => `p${i}`).join('.')}\n1,2\n`);
    assert.equal(ok.error, undefined);
  });

  test('an unclosed quote in the header is still an InputError: there are no records to read', async () => {
    const { records, error } = await readCsvText('open-header.csv', 'a,"b\n1,2\n');
    assert.deepEqual(records, []);
    assert.ok(error instanceof InputError);
    assert.match(error.message, /open-header\.csv: line 1: a quoted cell in the header is never closed$/);
  });

  test('an open row longer than maxLineBytes is an invalid record, and the input is read no further', async () => {
    const text = `a,b\n1,2\n3,"${'x'.repeat(200_000)}\n4,5\n`;
    const { records, error } = await readCsvText('runaway.csv', text, { maxLineBytes: 100_000 });
    assert.equal(error, undefined);
    assert.deepEqual(summary(records), [{ line: 2, value: { a: '1', b: '2' } }, { line: 3, rule: 'csv.row' }]);
    assert.match(records[1]!.error!.message, /^the row is longer than 100000 bytes.*the rest of the input is not read$/);
    assert.equal(records[1]!.text!.length, 1000);
  });

  test('a stray quote inside an unquoted cell is kept as text', async () => {
    const { records } = await readCsvText('stray.csv', 'a,b\n1,5" screen\n');
    assert.deepEqual(summary(records), [{ line: 2, value: { a: '1', b: '5" screen' } }]);
  });

  test('header problems are InputErrors naming the column', async () => {
    const cases: [string, RegExp][] = [
      ['a,b,a\n1,2,3\n', /line 1: the header names the column "a" twice/],
      ['a,,c\n1,2,3\n', /line 1: the header has no name for column 2/],
      ['report_msg,report_msg.mg_id\n1,2\n', /"report_msg" and "report_msg.mg_id"/],
      ['a..b\n1\n', /empty part/],
      ['__proto__.x\n1\n', /cannot be a field name/],
    ];
    for (const [text, message] of cases) {
      const { records, error } = await readCsvText('header.csv', text);
      assert.equal(records.length, 0);
      assert.ok(error instanceof InputError, text);
      assert.match(error.message, message);
    }
  });

  test('a nested column named like an Object method stays an own field', async () => {
    const { records } = await readCsvText('proto.csv', 'constructor.name,toString\nx,y\n');
    assert.deepEqual(records[0]!.value, { constructor: { name: 'x' }, toString: 'y' });
    assert.equal(({} as Record<string, unknown>).name, undefined);
  });

  test('an empty delimiter is a UsageError', async () => {
    const { error } = await readCsvText('delim.csv', 'a,b\n1,2\n', { delimiter: '' });
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /--delimiter/);
  });

  test('invalid UTF-8 in a row makes an input.encoding record; a real U+FFFD is ordinary text', async () => {
    const content = Buffer.concat([Buffer.from('\uFEFFa,b\n1,\uFFFD ok\n2,'), Buffer.from([0xe4, 0xb8]), Buffer.from(' cut\n3,"fine\n\uFFFD"\n')]);
    const expected = [
      { line: 2, value: { a: '1', b: '\uFFFD ok' } },
      { line: 3, rule: 'input.encoding' },
      { line: 4, value: { a: '3', b: 'fine\n\uFFFD' } },
    ];
    const { records } = await readCsvText('utf8.csv', content);
    assert.deepEqual(summary(records), expected);
    // Rows spanning chunks are checked on their own bytes too, wherever the cut falls.
    for (let cut = 1; cut < content.length; cut++) {
      const { source, stdin } = stdinSource('csv', [content.subarray(0, cut), content.subarray(cut)]);
      assert.deepEqual(summary((await drain([source], { stdin })).records), expected, `cut at byte ${cut}`);
    }
  });
});

describe('CSV sources', () => {
  test('a .csv.gz reads like the plain file; a truncated one throws after the rows read', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i},u${i},${'p'.repeat(i % 40)}`);
    const text = `n,uid,pad\n${rows.join('\n')}\n`;
    const compressed = gzipSync(text);
    const whole = await drain([fileSource(await fixtures.file('rows.csv.gz', compressed), 'csv', true)]);
    assert.equal(whole.error, undefined);
    assert.equal(whole.records.length, 20000);
    assert.deepEqual(whole.records[19999]!.value, { n: '19999', uid: 'u19999', pad: 'p'.repeat(19999 % 40) });
    assert.equal(whole.records[19999]!.origin.line, 20001);

    const cut = await drain([fileSource(await fixtures.file('cut.csv.gz', compressed.subarray(0, compressed.length >> 1)), 'csv', true)]);
    assert.ok(cut.error instanceof InputError);
    assert.match(cut.error.message, /cut\.csv\.gz: truncated or corrupt gzip data/);
    assert.ok(cut.records.length > 0 && cut.records.length < 20000);
    assert.ok(cut.records.every((r, i) => r.value?.n === String(i) && r.origin.line === i + 2));
  });

  test('stdin CSV comes from the injected stream, in batches', async () => {
    const { source, stdin } = stdinSource('csv', ['aid,uid\n2002,u1\n', '2003,u2\n']);
    const { batches, records } = await drain([source], { stdin });
    assert.equal(batches.length, 2);
    assert.deepEqual(summary(records), [{ line: 2, value: { aid: '2002', uid: 'u1' } }, { line: 3, value: { aid: '2003', uid: 'u2' } }]);
    assert.equal(records[0]!.origin.file, '-');
  });

  test('skipThrough skips rows starting on the lines already settled', async () => {
    const file = await fixtures.file('resume.csv', 'a,b\n1,"x\ny"\n2,z\n3,w\n');
    const { records } = await drain([fileSource(file, 'csv')], { skipThrough: () => 3 });
    assert.deepEqual(summary(records), [{ line: 4, value: { a: '2', b: 'z' } }, { line: 5, value: { a: '3', b: 'w' } }]);
  });
});
