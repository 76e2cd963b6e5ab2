/** An NDJSON file that makes every byte-range cut awkward (validate --workers tests). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** Lines that make a cut awkward: CRLF, blank and whitespace lines, multi-byte text, bad lines, a BOM mid-file. */
export function awkwardNdjson(): Buffer {
  const good = readFileSync(join(ROOT, 'samples/ndjson/download.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const stat = readFileSync(join(ROOT, 'samples/ndjson/stat.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const bad = readFileSync(join(ROOT, 'samples/bad/records.ndjson'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const parts: Buffer[] = [Buffer.from('\uFEFF')];
  for (let i = 0; i < 40; i++) {
    const line = [good, stat, bad][i % 3]![i % 5 % ([good, stat, bad][i % 3]!.length)]!;
    parts.push(Buffer.from(line + (i % 2 ? '\r\n' : '\n')));
    if (i % 7 === 0) parts.push(Buffer.from('\n  \n\r\n'));
    // Multi-byte UTF-8 (3- and 4-byte) in a string, so byte cuts fall inside characters.
    if (i % 4 === 0) parts.push(Buffer.from(`{"aid": 1003, "uid": "用户-😀-${i}", "app_id": 1, "ts": 1768176000, "game_id": 1, "game_v": "1", "v": 1}\n`));
    if (i === 20) parts.push(Buffer.from('\uFEFF{"aid": 1003}\n'));
    if (i === 25) parts.push(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]));
  }
  // The last line has no newline.
  parts.push(Buffer.from(good[0]!));
  return Buffer.concat(parts);
}
