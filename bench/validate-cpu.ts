/**
 * validate-cpu: `node dist/bench/validate-cpu.js` — not in `npm run bench` (a component
 * figure, issue 12 §3). CPU time per record of reading exactly and judging (`parseExact` +
 * RecordJudge, the work of every validate thread) next to a bare `JSON.parse` of the same
 * lines, per API, on 5,000 generated records each; median of interleaved rounds. CPU time,
 * not wall time, so the figure holds on a machine other work is loading.
 */
import { generateRecords, type GeneratedApi } from '../src/generate/index.js';
import { parseExact, stringifyExact } from '../src/json/exact.js';
import { RecordJudge } from '../src/validate/judge.js';

const RECORDS = 5000;
const ROUNDS = 15;

function cpuMicros(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

for (const api of ['stat', 'sud', 'download'] as GeneratedApi[]) {
  const lines = [...generateRecords(api, RECORDS, 1)].map((r) => stringifyExact(r));
  const judge = new RecordJudge({ api, strict: false, allowUnknownAid: false, nowMs: Date.now(), credentials: {} }, undefined);
  let invalid = 0;
  const bare: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(cpuMicros(() => lines.forEach((l) => JSON.parse(l))) / RECORDS);
    ours.push(
      cpuMicros(() =>
        lines.forEach((l, i) => {
          if (!judge.judge({ origin: { file: 'bench', line: i + 1, input: 0 }, format: 'ndjson', value: parseExact(l) as Record<string, unknown> }).record) invalid++;
        }),
      ) / RECORDS,
    );
  }
  if (invalid > 0) throw new Error(`${api}: ${invalid} generated records judged invalid`);
  const b = median(bare);
  const o = median(ours);
  const bytes = lines.reduce((n, l) => n + l.length, 0) / RECORDS;
  console.log(`${api.padEnd(8)} ${bytes.toFixed(0).padStart(4)} B/record  JSON.parse ${b.toFixed(2)} µs  parseExact + judge ${o.toFixed(2)} µs  = ${(o / b).toFixed(2)}× JSON.parse`);
}
