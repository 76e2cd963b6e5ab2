import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './helpers/temp.js';
import { FailedWriter } from '../src/report/failed.js';
import { InputError } from '../src/errors.js';
import type { ValidRecord } from '../src/records.js';

const record: ValidRecord = {
  origin: { file: 'in.ndjson', line: 7, input: 0 },
  endpoint: 'sud.report_game_info',
  value: { report_type: 'game_start', report_msg: { mg_id: 1461227817776713818n } },
  meta: { _time: 1700000000000 },
  seq: 0,
};

test('a durable failed file holds each line as soon as the write returns (before any checkpoint settles it)', async (t) => {
  const file = join(tempDir(t, 'failed-writer'), 'failed.ndjson');
  const writer = new FailedWriter(file, { append: false, durable: true });
  await writer.writeUndelivered(record, 'http 503');
  const line = readFileSync(file, 'utf8');
  assert.equal(line, '{"_time":1700000000000,"_api":"sud.report_game_info","report_type":"game_start","report_msg":{"mg_id":1461227817776713818},"_error":"http 503","_source":"in.ndjson:7"}\n');
  await writer.close();
});

test('appending keeps what an earlier run wrote; gathered writes land by close', async (t) => {
  const file = join(tempDir(t, 'failed-writer'), 'failed.ndjson');
  const first = new FailedWriter(file, { append: false });
  await first.writeInvalid({ file: 'a', line: 1, input: 0 }, { aid: 9999 }, [{ rule: 'stat.unknown_aid', severity: 'error', path: 'aid', message: 'not in the table' }, { rule: 'stat.missing_game_v', severity: 'warning', path: 'game_v', message: 'w' }]);
  await first.close();
  const second = new FailedWriter(file, { append: true });
  await second.writeUndelivered(record, 'ret_code 5000');
  await second.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /"_error":"stat\.unknown_aid at aid: not in the table"/, 'only errors go into _error');
  assert.match(lines[1]!, /"_error":"ret_code 5000"/);
});

test('a failed file that cannot be opened is one clear error naming it', () => {
  assert.throws(() => new FailedWriter(join(tmpdir(), 'no-such-dir-rr', 'x', 'failed.ndjson'), { append: false }), (err: unknown) => err instanceof InputError && /failed\.ndjson: cannot write the failed-records file/.test(err.message));
});
