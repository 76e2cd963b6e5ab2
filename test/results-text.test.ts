/**
 * `--results` writes each line with `ResultText` (src/results/line.ts), field by field, for
 * speed; readers (`report`, scripts) take it as JSON. These tests hold it to exactly what
 * `JSON.stringify(resultLine(…))` gives, over attempts drawn from a seeded generator, and
 * check that secrets are masked in its string fields and never in its numbers.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { EndpointId } from '../src/apis/api.js';
import type { Attempt, Settlement } from '../src/replay/delivery/attempt.js';
import type { ValidRecord } from '../src/records.js';
import { clearSecrets, registerSecret } from '../src/redact.js';
import { ResultText, resultLine } from '../src/results/line.js';
import { uniform } from './helpers/random.js';

const FILES = ['samples/ndjson/stat.ndjson', 'a "quoted" \\ name.csv', 'ünïcödé/日本.ndjson', 'tab\there.ndjson'];
const CAUSES = ['http 503', 'ret_code 1001', 'timeout', 'network ECONNRESET', 'bad response'];
const EXCERPTS = ['{"ret_code":1001,"msg":"bad \\"sign\\""}', 'line\nbreak\u0001control', 'emoji 🎮 and \u2028 separator'];

function records(random: () => number): ValidRecord[] {
  const out: ValidRecord[] = [];
  const count = 1 + Math.floor(random() * 6);
  let line = 1 + Math.floor(random() * 1000);
  for (let i = 0; i < count; i++) {
    const file = FILES[Math.floor(random() * FILES.length)]!;
    line += random() < 0.7 ? 1 : 2 + Math.floor(random() * 5);
    out.push({ origin: { file, line, input: 0 } } as unknown as ValidRecord);
  }
  return out;
}

function attemptOf(random: () => number, seq: number): Attempt {
  const sentMs = 1_764_590_000_000 + random() * 1e7;
  const unpaced = random() < 0.5;
  const failed = random() < 0.3;
  const recs = records(random);
  return {
    endpoint: (['stat.push_data', 'sud.report_game_info', 'download.report'] as const)[seq % 3] as EndpointId,
    seq,
    attempt: Math.floor(random() * 3),
    dueMs: unpaced ? sentMs : sentMs - random() * 50,
    sentMs,
    endMs: sentMs + random() * 900,
    status: failed ? (random() < 0.5 ? 0 : 503) : 200,
    cause: failed ? CAUSES[Math.floor(random() * CAUSES.length)] : undefined,
    excerpt: failed && random() < 0.7 ? EXCERPTS[Math.floor(random() * EXCERPTS.length)] : undefined,
    uncertain: failed && random() < 0.3,
    late: random() < 0.2,
    bytes: Math.floor(random() * 5000),
    records: recs,
    recordCount: recs.length + Math.floor(random() * 3),
  };
}

function settlementOf(random: () => number): Settlement | undefined {
  const r = random();
  if (r < 0.3) return undefined;
  if (r < 0.5) return { kind: 'delivered', possiblyDuplicated: random() < 0.5 };
  if (r < 0.8) return { kind: 'failed', cause: CAUSES[Math.floor(random() * CAUSES.length)]!, excerpt: undefined, uncertain: false };
  return { kind: 'unsent' };
}

describe('result line text', () => {
  afterEach(() => clearSecrets());

  test('is exactly JSON.stringify of the result line, for 5,000 varied attempts', () => {
    const random = uniform(20261201);
    const text = new ResultText();
    for (let seq = 0; seq < 5000; seq++) {
      const attempt = attemptOf(random, seq);
      const settlement = settlementOf(random);
      assert.equal(text.text(attempt, settlement), JSON.stringify(resultLine(attempt, settlement)), `attempt ${seq}`);
    }
  });

  test('masks a registered secret in its string fields, and leaves numbers whole', () => {
    registerSecret('s3cr3t-value');
    registerSecret('1764590000');
    const attempt: Attempt = {
      ...attemptOf(uniform(7), 3),
      sentMs: 1_764_590_000_123.5,
      dueMs: 1_764_590_000_100.25,
      endMs: 1_764_590_000_200.75,
      cause: 'http 403',
      excerpt: 'bad sign for key s3cr3t-value',
      records: [{ origin: { file: 'logs/s3cr3t-value.ndjson', line: 4, input: 0 } } as unknown as ValidRecord],
    };
    const line = JSON.parse(new ResultText().text(attempt, undefined)) as Record<string, unknown>;
    assert.equal(line.excerpt, 'bad sign for key ***');
    assert.deepEqual(line.keys, ['logs/***.ndjson:4']);
    assert.equal(line.sentMs, 1_764_590_000_123.5, 'a number that holds a numeric secret is not masked into broken JSON');
    assert.equal(line.dueMs, 1_764_590_000_100.25);
  });
});
